// The information-release worker's dependencies (registers new requests, tells the approvers),
// built the same way by the schedule function and the local server.
import type { NoticeDeps } from '../approvals/notices.ts'
import { deliverNotice } from '../channels/notice.ts'
import type { WebhookTarget } from '../channels/webhook-config.ts'
import type { Edge, SiteSettings } from './edge.ts'

/** Undefined when no approval form (信息发布审批) is loaded: there is nothing to do then. */
export function approvalWorkerDeps(
  edge: Edge,
  settings: SiteSettings,
  parts: { approverTargets: WebhookTarget[]; publicUrl: string },
): NoticeDeps | undefined {
  const form = edge.forms.approvalForm()
  if (!form) return undefined
  const { stores, clock } = edge
  return {
    records: stores.records,
    approvals: edge.approvals,
    settings: stores.settings,
    units: stores.units,
    clock,
    timeZone: settings.ORG_TIMEZONE,
    form,
    approverTargets: parts.approverTargets,
    deliver: (target, notice) => deliverNotice(edge.fetch, target, notice, { now: clock.now() }),
    publicUrl: parts.publicUrl,
    log: edge.log,
  }
}
