// Admin JSON API for emergencies (DESIGN §4): GET /api/emergencies?status=open,
// POST /api/emergencies/{id}/ack and /resolve. Handlers only translate HTTP to emergencies/actions.ts.
import { Hono } from 'hono'
import { actOnEmergency, type EmergencyAction, unitNamesOf, viewOf } from '../emergencies/actions.ts'
import type { EmergencyStatus } from '../emergencies/emergency.ts'
import { adminBearer } from './auth.tsx'
import type { AlertAppDeps, AppDeps, AppEnv } from './deps.ts'
import { apiError, limitBody } from './errors.tsx'

const STATUSES: readonly EmergencyStatus[] = ['open', 'acknowledged', 'resolved']
const MAX_BY_CHARS = 50

/** `{"by": "name"}` when given; otherwise the admin acted. */
function actor(text: string): string | undefined {
  if (text.trim() === '') return 'admin'
  try {
    const body: unknown = JSON.parse(text)
    if (typeof body !== 'object' || body === null) return undefined
    const by = (body as { by?: unknown }).by
    if (by === undefined) return 'admin'
    return typeof by === 'string' && by.trim() !== '' && by.length <= MAX_BY_CHARS ? by.trim() : undefined
  } catch {
    return undefined
  }
}

export function createEmergencyApi(deps: AppDeps, alerts: AlertAppDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>()
  api.use(adminBearer(deps), limitBody(4096))

  api.get('/', async (c) => {
    const status = c.req.query('status')
    if (status !== undefined && !STATUSES.includes(status as EmergencyStatus)) {
      return apiError(c, 422, 'validation', `status must be one of ${STATUSES.join(', ')}`)
    }
    const [all, names] = await Promise.all([alerts.emergencies.list(), unitNamesOf(deps.stores.units)])
    return c.json(all.filter((e) => status === undefined || e.status === status).map((e) => viewOf(e, names.get(e.unitId) ?? e.unitId)))
  })

  const act = (action: EmergencyAction) =>
    api.post(`/:id/${action}`, async (c) => {
      const by = actor(await c.req.text())
      if (by === undefined) return apiError(c, 422, 'validation', `send nothing, or {"by": "<name, at most ${MAX_BY_CHARS} characters>"}`)
      const updated = await actOnEmergency(alerts.emergencies, {
        id: c.req.param('id'),
        action,
        by,
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
