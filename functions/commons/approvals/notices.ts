// Notices about information-release requests, over the alert channels: a new request goes to the
// approvers' channel (APPROVER_WEBHOOKS), a decision to the requesting unit's own channel. Each
// recorded change carries an outbox mark, cleared only once every target took the notice (or
// refused it for good, or MAX_NOTICE_ATTEMPTS passes went by); a retry goes only to the targets
// that have not taken it, with the same notice id, so JSON receivers can dedupe.

import type { DeliveryResult } from '../channels/deliver.ts'
import type { ChatNotice } from '../channels/notice.ts'
import { deliverToTheRest } from '../channels/notice.ts'
import { parseWebhookList, type WebhookTarget } from '../channels/webhook-config.ts'
import type { Logger } from '../log.ts'
import type { ApprovalEvent, UnitStore } from '../store.ts'
import { type ApprovalDeps, optionLabel, registerNew, stateOf } from './requests.ts'

export interface NoticeDeps extends ApprovalDeps {
  units: UnitStore
  approverTargets: WebhookTarget[]
  /** one attempt to one target (channels/notice.ts deliverNotice, fetch bound at the edge) */
  deliver(target: WebhookTarget, notice: ChatNotice): Promise<DeliveryResult>
  /** the address staff reach (no trailing slash) */
  publicUrl: string
  log: Logger
}

const headline = {
  submitted: { zh: '信息发布待审批', en: 'Information release awaiting approval' },
  approved: { zh: '信息发布已批准', en: 'Information release approved' },
  rejected: { zh: '信息发布未通过', en: 'Information release rejected' },
} as const

/** The notice about one change, in Chinese (the channels' readers): a plain notice, not an alert. */
async function noticeFor(deps: NoticeDeps, event: ApprovalEvent): Promise<ChatNotice> {
  const version = (await deps.records.versions(event.recordId)).find((v) => v.version === event.version)
  const unit = await deps.units.get(event.unitId)
  const values = version?.values ?? {}
  const form = deps.form
  const { titleField, channelField, requesterNameField, requesterPhoneField } = form.approval
  const value = (id: string | undefined) => String((id === undefined ? undefined : values[id]) ?? '')
  const title = value(titleField)
  const lines = [
    `标题：${title}`,
    `单位：${unit?.name ?? event.unitId}`,
    `渠道：${optionLabel(form, channelField, values[channelField]) ?? value(channelField)}`,
    `版本：${event.version}`,
    `申请人：${`${value(requesterNameField)} ${value(requesterPhoneField)}`.trim()}`,
    ...(event.kind === 'submitted' ? [] : [`审批人：${event.byName}`]),
    ...(event.comment ? [`审批意见：${event.comment}`] : []),
  ]
  return {
    id: `${event.recordId}.v${event.version}.${event.kind}`,
    kind: `info_release_${event.kind}`,
    title: `【${headline[event.kind].zh}】${title}`,
    lines,
    // Chat channels are shared: links carry no token. Approvers open their own link or the
    // office's page; the unit sees the decision on its home page.
    ...(event.kind === 'submitted' ? { link: { label: '办公室审批页', url: `${deps.publicUrl}/office/info-releases` } } : {}),
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

/** Passes a notice is tried in before it is given up (a pass runs every tick: minutes in all). */
const MAX_NOTICE_ATTEMPTS = 30

/** Delivers marked notices once each; a retryable failure keeps the mark for the next pass. */
async function deliverNotices(deps: NoticeDeps, limit = 100): Promise<{ delivered: number; more: boolean }> {
  const pending = await deps.approvals.pendingNotices(limit)
  let delivered = 0
  for (const event of pending) {
    const notice = await noticeFor(deps, event)
    const reached = event.noticeDeliveredTo ?? []
    const { delivered: reachedNow, failed } = await deliverToTheRest(await targetsFor(deps, event), reached, (target) =>
      deps.deliver(target, notice),
    )
    for (const { result } of failed) deps.log.warn('approval notice not delivered', { id: notice.id, error: result.error })
    if (failed.some(({ result }) => result.retryable)) {
      const attempts = (event.noticeAttempts ?? 0) + 1
      if (attempts < MAX_NOTICE_ATTEMPTS) {
        await deps.approvals.noteNoticeAttempt(event, [...reached, ...reachedNow])
        continue
      }
      deps.log.error('approval notice given up', { id: notice.id, attempts })
    }
    await deps.approvals.clearNotice(event)
    delivered++
  }
  return { delivered, more: pending.length >= limit && delivered > 0 }
}

/** Rebuilds pending states from their events: repairs a crash between an event and its state. */
async function refreshPending(deps: ApprovalDeps): Promise<void> {
  const form = deps.form
  for (const state of await deps.approvals.byStatus('pending')) {
    const fresh = stateOf(form, await deps.records.versions(state.recordId), await deps.approvals.events(state.recordId))
    if (fresh && fresh.seq > state.seq) await deps.approvals.putState(fresh)
  }
}

/** One worker pass: find new requests, repair states, deliver notices. `registered`: new requests found. */
export async function approvalPass(deps: NoticeDeps): Promise<{ more: boolean; registered: number }> {
  const { registered } = await registerNew(deps)
  await refreshPending(deps)
  return { ...(await deliverNotices(deps)), registered }
}
