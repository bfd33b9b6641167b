// The information-release JSON API (DESIGN §4). Approvers use the admin token or their own
// approver token; a unit token never decides. Handlers only translate HTTP to approvals/requests.ts.
//
//   GET  /api/info-releases?status=pending|approved|rejected   list (oldest first), with content
//   GET  /api/info-releases/{id}                               one request and its full history
//   POST /api/info-releases/{id}/approve   {"by", "comment"?, "version"?}
//   POST /api/info-releases/{id}/reject    {"by", "comment", "version"?}   (a comment is required)
//        `by`, the person deciding, is required with the admin token; an approver's own token
//        names the approver, so there it is optional
//        → 200 the request; 404 unknown; 409 decided already, or `version` is not the current one
//   POST /api/info-releases/{id}/resubmit  unit token, Idempotency-Key, body as for a submission
//        → 201 receipt of the next version; 409 unless the request was rejected
//   POST /api/admin/approvers {"id","name"} (admin token) → 201 {"id","name","token","link"}
//   GET  /api/admin/approvers                (admin token) → [{"id","name","createdAt","rotatedAt"?,"revokedAt"?}]
//   POST /api/admin/approvers/{id}/rotate    (admin token) → {"id","name","token","link"}: the old link stops working
//   POST /api/admin/approvers/{id}/revoke    (admin token) → {"id","name","revokedAt"}: the link and token stop working
import { Hono } from 'hono'
import * as z from 'zod'
import {
  type ApprovalDeps,
  addApprover,
  type Decider,
  decide,
  listRequests,
  requestDetail,
  resubmit,
  revokeApprover,
  rotateApprover,
} from '../approvals/requests.ts'
import { BY_HINT, PersonName } from '../decided-by.ts'
import type { RecordVersion } from '../model.ts'
import type { ApprovalEvent, ApprovalState } from '../store.ts'
import { adminBearer, approverBearer, unitBearer } from './auth.tsx'
import type { AppDeps, AppEnv, Approvals } from './deps.ts'
import { apiError } from './errors.tsx'
import { jsonBody, readSubmission, submissionAnswer } from './json-body.ts'

type ApprovalEnv = AppEnv & { Variables: { decider: Decider } }

/** The approval domain's dependencies, from the app's. */
export function approvalDepsOf(deps: AppDeps, { store, form, changed }: Approvals): ApprovalDeps {
  return {
    records: deps.stores.records,
    approvals: store,
    form,
    settings: deps.stores.settings,
    clock: deps.clock,
    timeZone: deps.timeZone,
    onChange: changed,
    onStored: deps.onStored,
  }
}

/** A request as the API shows it. */
function requestJson(state: ApprovalState, current?: RecordVersion) {
  const decided = state.status !== 'pending'
  return {
    id: state.recordId,
    unitId: state.unitId,
    version: state.version,
    status: state.status,
    title: state.title,
    channel: state.channel,
    submittedAt: state.firstReceivedAt,
    decision: decided ? { by: { id: state.by, name: state.byName }, at: state.at, comment: state.comment ?? '' } : null,
    ...(current ? { values: current.values } : {}),
  }
}

const eventJson = (e: ApprovalEvent) => ({
  version: e.version,
  change: e.kind,
  by: { id: e.by, name: e.byName },
  at: e.at,
  ...(e.comment !== undefined ? { comment: e.comment } : {}),
})

const DecisionBody = z.object({
  by: PersonName.optional(),
  comment: z.string().max(2000).optional(),
  version: z.number().int().positive().optional(),
})
const NewApproverBody = z.object({ id: z.string(), name: z.string() })
const Status = z.enum(['pending', 'approved', 'rejected'])

export function createApprovalApi(deps: AppDeps, approvals: Approvals): Hono<ApprovalEnv> {
  const { store, form } = approvals
  const api = new Hono<ApprovalEnv>()
  const domain = approvalDepsOf(deps, approvals)
  const approverAuth = approverBearer(deps, store)
  const adminAuth = adminBearer(deps)
  const unitAuth = unitBearer(deps)
  // An approver's bare POST approves: every property of a decision is optional but the office's `by`.
  const decisionBody = jsonBody(DecisionBody, {
    hint: `send {"by": "<name>", "comment"?: string, "version"?: number} (${BY_HINT}; an approver's own token may leave it out)`,
    notJson: 'empty',
  })

  api.get('/info-releases', approverAuth, async (c) => {
    const raw = c.req.query('status')
    const status = raw === undefined ? undefined : Status.safeParse(raw)
    if (status && !status.success) return apiError(c, 422, 'validation', 'status: pending, approved or rejected')
    const states = await listRequests(domain, status?.data)
    const currents = await Promise.all(states.map(async (s) => (await deps.stores.records.versions(s.recordId)).at(-1)))
    return c.json(states.map((s, i) => requestJson(s, currents[i])))
  })

  api.get('/info-releases/:id', approverAuth, async (c) => {
    const detail = await requestDetail(domain, c.req.param('id'))
    if (!detail) return apiError(c, 404, 'not_found', 'no such request')
    return c.json({ ...requestJson(detail.state, detail.current), history: detail.events.map(eventJson) })
  })

  for (const [action, decision] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    api.post(`/info-releases/:id/${action}`, approverAuth, decisionBody, async (c) => {
      const state = await decide(domain, { recordId: c.req.param('id'), decision, decider: c.get('decider'), ...c.req.valid('json') })
      return c.json(requestJson(state))
    })
  }

  api.post('/info-releases/:id/resubmit', unitAuth, async (c) => {
    const unit = c.get('unit')
    if (!unit.forms.includes(form.id)) return apiError(c, 403, 'forbidden', 'this unit may not submit this form')
    const sent = await readSubmission(c)
    if (sent instanceof Response) return sent
    return submissionAnswer(c, await resubmit(domain, { unit, recordId: c.req.param('id'), ...sent, lang: c.get('lang') }))
  })

  const approverBody = jsonBody(NewApproverBody, { hint: 'send {"id","name"}', notJson: 'invalid' })
  api.post('/admin/approvers', adminAuth, approverBody, async (c) => {
    const { holder: approver, token } = await addApprover(store, deps.clock, c.req.valid('json'))
    return c.json({ id: approver.id, name: approver.name, token, link: `${deps.publicUrl}/a/${token}` }, 201)
  })
  api.get('/admin/approvers', adminAuth, async (c) =>
    c.json(
      (await store.approvers.list()).map(({ id, name, createdAt, rotatedAt, revokedAt }) => ({
        id,
        name,
        createdAt,
        rotatedAt,
        revokedAt,
      })),
    ),
  )
  api.post('/admin/approvers/:id/rotate', adminAuth, async (c) => {
    const { holder: approver, token } = await rotateApprover(store, deps.clock, c.req.param('id'))
    return c.json({ id: approver.id, name: approver.name, token, link: `${deps.publicUrl}/a/${token}` })
  })
  api.post('/admin/approvers/:id/revoke', adminAuth, async (c) => {
    const { id, name, revokedAt } = await revokeApprover(store, deps.clock, c.req.param('id'))
    return c.json({ id, name, revokedAt })
  })

  return api
}
