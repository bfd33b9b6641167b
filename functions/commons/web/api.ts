// The JSON API of DESIGN §4. Handlers only translate HTTP to the domain functions.

import { Hono } from 'hono'
import * as z from 'zod'
import { parseWebhookList } from '../channels/webhook-config.ts'
import { isIsoDate, localDate } from '../clock.ts'
import { setDeadline } from '../daily/deadlines.ts'
import { dayStatus } from '../daily/status.ts'
import { activeFields } from '../forms/definition.ts'
import { specOf } from '../forms/field-types.ts'
import type { Unit, UnitType } from '../model.ts'
import { exportCsv } from '../records/export.ts'
import { reopenRecord, submit } from '../records/submissions.ts'
import { sheetHealth } from '../sheet/health.ts'
import { addUnit, editUnit, retireUnit, rotateUnitToken } from '../units/roster.ts'
import { adminBearer, unitBearer } from './auth.tsx'
import { type AppDeps, type AppEnv, unitLink } from './deps.ts'
import { apiError } from './errors.tsx'
import { versionOf } from './form-post.ts'
import { formsAdmin } from './forms-admin.ts'
import { jsonBody, readSubmission, submissionAnswer } from './json-body.ts'

export const MAX_BODY_BYTES = 64 * 1024

/** `dingtalk#1 oapi.dingtalk.com, …` for a unit's webhook setting; never the URL or secret. */
function webhookLabels(setting: string): string {
  try {
    return parseWebhookList(setting, 'webhook')
      .map((target) => target.label)
      .join(', ')
  } catch {
    return 'unusable (the office channel is used)'
  }
}

// Types and lengths are checked by the roster, which names the field and what it takes.
const UnitFields = {
  name: z.string(),
  type: z.string(),
  forms: z.array(z.string()),
  sites: z.array(z.string()),
  contact: z.object({ name: z.string(), phone: z.string() }),
  webhook: z.string(),
}
const NewUnitBody = z.object({
  id: z.string(),
  name: UnitFields.name,
  type: UnitFields.type.optional(),
  forms: UnitFields.forms.optional(),
  sites: UnitFields.sites.optional(),
  contact: UnitFields.contact.optional(),
  webhook: UnitFields.webhook.optional(),
})
const UnitChangesBody = z
  .object({
    name: UnitFields.name.optional(),
    type: UnitFields.type.nullable().optional(),
    forms: UnitFields.forms.nullable().optional(),
    sites: UnitFields.sites.nullable().optional(),
    contact: UnitFields.contact.nullable().optional(),
    webhook: UnitFields.webhook.nullable().optional(),
  })
  .strict()

/** A unit as the office sees it: never the token's hash, a robot's URL by its label only (the URL is its credential). */
const shownUnit = ({ tokenHash: _hash, webhook, ...unit }: Unit) => ({ ...unit, ...(webhook ? { webhook: webhookLabels(webhook) } : {}) })

const DeadlineBody = z.object({ time: z.string().catch('') }).catch({ time: '' })
const ReopenBody = z.object({ by: z.string().max(50).trim().min(1) })

export function createApi(deps: AppDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>()
  const { stores } = deps

  const unitAuth = unitBearer(deps)
  const adminAuth = adminBearer(deps)

  api.get('/forms', unitAuth, (c) => {
    const unit = c.get('unit')
    return c.json(
      deps.forms.all
        .filter((f) => unit.forms.includes(f.id))
        .map((form) => ({
          id: form.id,
          title: form.title,
          kind: form.kind,
          version: form.version,
          fields: activeFields(form).map((field) => ({
            id: field.id,
            type: field.type,
            required: field.required,
            label: field.label,
            ...(field.hint ? { hint: field.hint } : {}),
            ...specOf(field).describe(field),
          })),
        })),
    )
  })

  api.post('/forms/:formId/submissions', unitAuth, async (c) => {
    const unit = c.get('unit')
    const current = deps.forms.get(c.req.param('formId'))
    if (!current) return apiError(c, 404, 'not_found', 'no such form')
    if (!unit.forms.includes(current.id)) return apiError(c, 403, 'forbidden', 'this unit may not submit this form')
    // a client that queued the submission on an older version says which (GET /api/forms gave it)
    const form = (await deps.catalog?.opened(current.id, versionOf(c.req.header('form-version')))) ?? current
    const sent = await readSubmission(c)
    if (sent instanceof Response) return sent
    const outcome = await submit(
      {
        records: stores.records,
        clock: deps.clock,
        timeZone: deps.timeZone,
        onStored: deps.onStored,
        alertRate: deps.alertRate,
        photos: deps.photos?.storage,
      },
      { unit, form, ...sent, lang: c.get('lang') },
    )
    return submissionAnswer(c, outcome)
  })

  api.get('/status', adminAuth, async (c) => {
    const date = c.req.query('date') ?? localDate(deps.clock.now(), deps.timeZone)
    if (!isIsoDate(date)) return apiError(c, 422, 'validation', 'date must be YYYY-MM-DD')
    return c.json(await dayStatus({ ...stores, forms: deps.forms, timeZone: deps.timeZone }, date))
  })

  // Admin: used by the admin CLI and the office.
  const admin = new Hono<AppEnv>()
  admin.use(adminAuth)

  admin.post(
    '/units',
    jsonBody(NewUnitBody, { hint: 'send {"id","name","type"?,"forms"?,"sites"?,"contact"?,"webhook"?}', notJson: 'invalid' }),
    async (c) => {
      const { type, ...body } = c.req.valid('json')
      const { unit, token } = await addUnit(stores.units, deps.forms, deps.clock, { ...body, ...(type ? { type: type as UnitType } : {}) })
      return c.json({ id: unit.id, name: unit.name, forms: unit.forms, token, link: unitLink(deps, token) }, 201)
    },
  )
  admin.get('/units', async (c) => {
    const units = await stores.units.list()
    return c.json(units.map(shownUnit))
  })
  admin.patch(
    '/units/:id',
    jsonBody(UnitChangesBody, {
      hint: 'send any of {"name","type","forms","sites","contact":{"name","phone"},"webhook"}; null removes one',
      notJson: 'invalid',
    }),
    async (c) => {
      const { type, ...changes } = c.req.valid('json')
      const unit = await editUnit(stores.units, deps.forms, c.req.param('id'), {
        ...changes,
        ...(type !== undefined ? { type: type as UnitType | null } : {}),
      })
      return c.json(shownUnit(unit))
    },
  )
  admin.post('/units/:id/retire', async (c) => c.json(shownUnit(await retireUnit(stores.units, deps.clock, c.req.param('id')))))
  admin.post('/units/:id/rotate', async (c) => {
    const { unit, token } = await rotateUnitToken(stores.units, deps.clock, c.req.param('id'))
    return c.json({ id: unit.id, name: unit.name, token, link: unitLink(deps, token) })
  })
  admin.get('/export', async (c) => {
    const form = deps.forms.get(c.req.query('form') ?? '')
    const date = c.req.query('date') ?? ''
    if (!form) return apiError(c, 404, 'not_found', 'no such form')
    if (!isIsoDate(date)) return apiError(c, 422, 'validation', 'date must be YYYY-MM-DD')
    const csv = await exportCsv({ ...stores, timeZone: deps.timeZone, publicUrl: deps.publicUrl }, form, date)
    return c.body(csv, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${form.id}-${date}.csv"`,
    })
  })
  // Whatever is not a time string is checked by setDeadline, which names what it takes.
  admin.put('/forms/:formId/deadline', jsonBody(DeadlineBody, { hint: 'send {"time": "HH:MM"}', notJson: 'empty' }), async (c) => {
    const form = deps.forms.get(c.req.param('formId'))
    if (!form) return apiError(c, 404, 'not_found', 'no such form')
    const deadline = await setDeadline(stores.settings, form, c.req.valid('json').time)
    return c.json({ formId: form.id, deadline })
  })
  admin.post(
    '/records/:recordId/reopen',
    jsonBody(ReopenBody, { hint: 'send {"by": "<who reopens it>"}', notJson: 'invalid' }),
    async (c) => {
      const { by } = c.req.valid('json')
      const reopening = await reopenRecord({ ...stores, clock: deps.clock, timeZone: deps.timeZone }, c.req.param('recordId'), by)
      if (!reopening) return apiError(c, 404, 'not_found', 'no such record')
      return c.json(reopening)
    },
  )
  admin.post('/sheet/rebuild', async (c) => c.json(await deps.rebuildSheet()))
  admin.get('/sheet/health', async (c) => c.json(await sheetHealth(stores, deps.clock.now())))

  if (deps.catalog) admin.route('/forms', formsAdmin(deps.catalog, deps.stores.units))
  api.route('/admin', admin)
  return api
}
