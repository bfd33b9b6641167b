// Notices about information-release requests, over the alert channels: a new request goes to the
// approvers' channel (APPROVER_WEBHOOKS), a decision to the requesting unit's own channel. Each
// recorded change carries an outbox mark, cleared only once every target took the notice (or
// refused it for good); the same notice id goes out on every retry, so JSON receivers can dedupe.
import { parseWebhookList, type AlertMessage, type DeliveryResult, type WebhookTarget } from './alerts/channels.ts'
import { INFO_RELEASE_FORM, registerNew, stateOf, type ApprovalDeps } from './approvals.ts'
import type { FormDefinition } from './forms/definition.ts'
import type { Logger } from './log.ts'
import type { ApprovalEvent, UnitStore } from './store.ts'

export interface NoticeDeps extends ApprovalDeps {
  units: UnitStore
  /** the info-release form, for channel labels */
  form: FormDefinition
  approverTargets: WebhookTarget[]
  /** one attempt to one target (the alert channels' deliverOnce, fetch bound at the edge) */
  deliver(target: WebhookTarget, message: AlertMessage): Promise<DeliveryResult>
  /** the address staff reach (no trailing slash) */
  publicUrl: string
  log: Logger
}

const headline = {
  submitted: { zh: '信息发布待审批', en: 'Information release awaiting approval' },
  approved: { zh: '信息发布已批准', en: 'Information release approved' },
  rejected: { zh: '信息发布未通过', en: 'Information release rejected' },
} as const

/** The notice about one change, in Chinese (the channels' readers). */
export async function noticeFor(deps: NoticeDeps, event: ApprovalEvent): Promise<AlertMessage> {
  const version = (await deps.records.versions(event.recordId)).find((v) => v.version === event.version)
  const unit = await deps.units.get(event.unitId)
  const values = version?.values ?? {}
  const channelField = deps.form.fields.find((f) => f.id === 'channel')
  const channel =
    channelField?.type === 'select' ? channelField.options.find((o) => o.value === values.channel)?.label.zh : undefined
  const details = [
    { label: '渠道', value: channel ?? String(values.channel ?? '') },
    { label: '版本', value: String(event.version) },
    { label: '申请人', value: `${String(values.requesterName ?? '')} ${String(values.requesterPhone ?? '')}`.trim() },
    ...(event.kind === 'submitted' ? [] : [{ label: '审批人', value: event.byName }]),
    ...(event.comment ? [{ label: '审批意见', value: event.comment }] : []),
  ]
  return {
    id: `${event.recordId}.v${event.version}.${event.kind}`,
    formId: INFO_RELEASE_FORM,
    unitId: event.unitId,
    unitName: unit?.name ?? event.unitId,
    category: `info_release_${event.kind}`,
    categoryLabel: headline[event.kind],
    severity: 'general',
    summary: String(values.title ?? ''),
    details,
    // Chat channels are shared: the links carry no token; each person opens their own link.
    ackUrl: `${deps.publicUrl}/`,
    createdAt: event.at,
    escalation: 0,
    lang: 'zh',
  }
}

async function targetsFor(deps: NoticeDeps, event: ApprovalEvent): Promise<WebhookTarget[]> {
  if (event.kind === 'submitted') return deps.approverTargets
  const unit = await deps.units.get(event.unitId)
  try {
    return parseWebhookList(unit?.webhook, `unit ${event.unitId} webhook`)
  } catch (error) {
    deps.log.warn('unit webhook unusable; decision notice not sent', { unitId: event.unitId, error })
    return []
  }
}

/** Delivers marked notices once each; a retryable failure keeps the mark for the next pass. */
export async function deliverNotices(deps: NoticeDeps, limit = 100): Promise<{ delivered: number; more: boolean }> {
  const pending = await deps.approvals.pendingNotices(limit)
  let delivered = 0
  for (const event of pending) {
    const message = await noticeFor(deps, event)
    const results = await Promise.all((await targetsFor(deps, event)).map((target) => deps.deliver(target, message)))
    const retry = results.filter((r) => !r.ok && r.retryable)
    for (const r of results) if (!r.ok) deps.log.warn('approval notice not delivered', { id: message.id, error: r.error })
    if (retry.length > 0) continue
    await deps.approvals.clearNotice(event)
    delivered++
  }
  return { delivered, more: pending.length >= limit && delivered > 0 }
}

/** Rebuilds pending states from their events: repairs a crash between an event and its state. */
async function refreshPending(deps: ApprovalDeps): Promise<void> {
  for (const state of await deps.approvals.byStatus('pending')) {
    const fresh = stateOf(await deps.records.versions(state.recordId), await deps.approvals.events(state.recordId))
    if (fresh && fresh.seq > state.seq) await deps.approvals.putState(fresh)
  }
}

/** One worker pass: find new requests, repair states, deliver notices. */
export async function approvalPass(deps: NoticeDeps): Promise<{ more: boolean }> {
  await registerNew(deps)
  await refreshPending(deps)
  return deliverNotices(deps)
}
