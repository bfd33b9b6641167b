// The office's form publishing, as admin API routes under /api/admin/forms (forms/catalog.ts).
import { Hono } from 'hono'
import * as z from 'zod'
import type { FormCatalog, PublishOutcome } from '../forms/catalog.ts'
import type { UnitStore } from '../store.ts'
import { assignNewForm } from '../units/roster.ts'
import type { AppEnv } from './deps.ts'
import { apiError } from './errors.tsx'
import { jsonBody } from './json-body.ts'

const By = z.string().trim().min(1).max(50)
const RollbackBody = z.object({ by: By, to: z.number().int().positive().optional() })

/** Publishes; a new form (its version 1) goes to the units of the types it names (`unitTypes`). */
export async function publishForm(catalog: FormCatalog, units: UnitStore, input: unknown, by: string): Promise<PublishOutcome> {
  const outcome = await catalog.publish(input, by)
  const created = outcome.ok && outcome.version === 1 ? catalog.get(outcome.id) : undefined
  if (created) await assignNewForm(units, catalog, created)
  return outcome
}

/** `{id, version}` with 201, or 422 with every issue where it is (`fields.3.type`). */
function publishAnswer(outcome: PublishOutcome) {
  return outcome.ok
    ? ({ body: { id: outcome.id, version: outcome.version }, status: 201 } as const)
    : ({
        body: { error: 'validation', issues: outcome.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
        status: 422,
      } as const)
}

export function formsAdmin(catalog: FormCatalog, units: UnitStore): Hono<AppEnv> {
  const routes = new Hono<AppEnv>()
  routes.get('/', (c) =>
    c.json(catalog.all.map((f) => ({ id: f.id, version: f.version, title: f.title, kind: f.kind, tab: f.tab, workGroup: f.workGroup }))),
  )
  // The body is the definition itself; who publishes comes in the query (?by=NAME), as the CLI's --by.
  routes.post(
    '/',
    jsonBody(z.looseObject({}), { hint: 'send a form definition as a JSON object, with ?by=<your name>', notJson: 'invalid' }),
    async (c) => {
      const by = By.safeParse(c.req.query('by'))
      if (!by.success)
        return c.json({ error: 'validation', issues: [{ path: 'by', message: 'who publishes: ?by=<name> (1–50 characters)' }] }, 422)
      const { body, status } = publishAnswer(await publishForm(catalog, units, c.req.valid('json'), by.data))
      return c.json(body, status)
    },
  )
  routes.get('/:id', (c) => {
    const form = catalog.get(c.req.param('id'))
    return form ? c.json(form) : apiError(c, 404, 'not_found', 'no such form')
  })
  routes.get('/:id/versions', async (c) => {
    const versions = await catalog.history(c.req.param('id'))
    return versions ? c.json(versions) : apiError(c, 404, 'not_found', 'no such form')
  })
  routes.post(
    '/:id/rollback',
    jsonBody(RollbackBody, { hint: 'send {"by": "<your name>", "to": <version>?}', notJson: 'invalid' }),
    async (c) => {
      if (!catalog.get(c.req.param('id'))) return apiError(c, 404, 'not_found', 'no such form')
      const { by, to } = c.req.valid('json')
      const { body, status } = publishAnswer(await catalog.rollback(c.req.param('id'), by, to))
      return c.json(body, status)
    },
  )
  return routes
}
