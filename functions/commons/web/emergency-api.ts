// JSON API for emergencies (DESIGN §4, §4b): GET /api/emergencies?status=open (admin token: every
// emergency; a unit's token: that unit's own), POST /api/emergencies/{id}/ack and /resolve with
// {"by": "<name>"} (admin token). Handlers only translate HTTP to emergencies/actions.ts.
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import * as z from 'zod'
import { BY_HINT, PersonName } from '../decided-by.ts'
import { actOnEmergency, type EmergencyAction, emergenciesOfUnit, unitNamesOf, unitViewOf, viewOf } from '../emergencies/actions.ts'
import type { EmergencyStatus } from '../emergencies/emergency.ts'
import { secretMatches } from '../units/tokens.ts'
import { adminBearer, unitBearer } from './auth.tsx'
import type { AlertAppDeps, AppDeps, AppEnv } from './deps.ts'
import { apiError, limitBody } from './errors.tsx'

const STATUSES: readonly EmergencyStatus[] = ['open', 'acknowledged', 'resolved']
const DecisionBody = z.object({ by: PersonName })

/** The body as JSON whatever its Content-Type: `curl -d '{"by":"…"}'` sends a form's type, and always has worked. */
function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export function createEmergencyApi(deps: AppDeps, alerts: AlertAppDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>()
  const unitAuth = unitBearer(deps)
  const isOffice = (c: Context) => {
    const token = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1]
    return token !== undefined && secretMatches(token, deps.adminTokenHash)
  }
  /** The admin token lists every emergency; any other bearer must be a unit's token. */
  const officeOrUnit: MiddlewareHandler<AppEnv> = async (c, next) => (isOffice(c) ? next() : unitAuth(c, next))

  api.get('/', officeOrUnit, async (c) => {
    const status = c.req.query('status')
    if (status !== undefined && !STATUSES.includes(status as EmergencyStatus)) {
      return apiError(c, 422, 'validation', `status must be one of ${STATUSES.join(', ')}`)
    }
    const wanted = (e: { status: EmergencyStatus }) => status === undefined || e.status === status
    if (!isOffice(c)) return c.json((await emergenciesOfUnit(alerts.emergencies, c.get('unit').id)).filter(wanted).map(unitViewOf))
    const [all, names] = await Promise.all([alerts.emergencies.list(), unitNamesOf(deps.stores.units)])
    return c.json(all.filter(wanted).map((e) => viewOf(e, names.get(e.unitId) ?? e.unitId)))
  })

  const act = (action: EmergencyAction) =>
    api.post(`/:id/${action}`, adminBearer(deps), limitBody(4096), async (c) => {
      const sent = DecisionBody.safeParse(jsonOf(await c.req.text()))
      if (!sent.success) return apiError(c, 422, 'validation', BY_HINT)
      const updated = await actOnEmergency(alerts.emergencies, {
        id: c.req.param('id'),
        action,
        by: sent.data.by,
        at: deps.clock.now(),
        policy: alerts.policy,
      })
      alerts.onChanged?.()
      const names = await unitNamesOf(deps.stores.units)
      return c.json(viewOf(updated, names.get(updated.unitId) ?? updated.unitId))
    })
  act('ack')
  act('resolve')

  return api
}
