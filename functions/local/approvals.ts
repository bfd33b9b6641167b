// Information-release approval on one machine: its store, its sheet tab, and a worker that
// registers new requests and delivers notices (woken by writes, plus the periodic sweep).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { createApprovalStore } from '#commons/adapters/dynamo/approvals.ts'
import { approvalPass } from '#commons/approvals/notices.ts'
import { INFO_RELEASE_FORM, infoReleaseTab } from '#commons/approvals/requests.ts'
import { deliverNotice } from '#commons/channels/notice.ts'
import type { WebhookTarget } from '#commons/channels/webhook-config.ts'
import type { Clock } from '#commons/clock.ts'
import type { FormRegistry } from '#commons/forms/registry.ts'
import type { Logger } from '#commons/log.ts'
import type { ComputedTab } from '#commons/sheet/sink.ts'
import type { ApprovalStore, Stores } from '#commons/store.ts'
import { type Pump, startPump } from './pump.ts'

export interface LocalApprovals {
  store: ApprovalStore
  /** the 信息发布 tab, when the info-release form is loaded */
  tabs: ComputedTab[]
  pump: Pump
  /** wake the worker: a request or a decision was stored */
  changed(): void
}

export function startApprovals(
  config: { TABLE_NAME: string; ORG_TIMEZONE: string; APPROVER_WEBHOOKS: WebhookTarget[]; SWEEP_INTERVAL_S: number },
  parts: {
    doc: DynamoDBDocumentClient
    stores: Stores
    forms: FormRegistry
    clock: Clock
    log: Logger
    publicUrl: string
    workers: boolean
  },
): LocalApprovals {
  const { stores, forms, clock, log } = parts
  const timeZone = config.ORG_TIMEZONE
  const store = createApprovalStore(parts.doc, config.TABLE_NAME)
  const form = forms.get(INFO_RELEASE_FORM)
  const pump = startPump(
    async () =>
      form
        ? approvalPass({
            records: stores.records,
            approvals: store,
            settings: stores.settings,
            units: stores.units,
            clock,
            timeZone,
            form,
            approverTargets: config.APPROVER_WEBHOOKS,
            deliver: (target, notice) => deliverNotice(fetch, target, notice, { now: clock.now() }),
            publicUrl: parts.publicUrl,
            log,
          })
        : { more: false },
    {
      name: 'approvals',
      debounceMs: 100,
      sweepMs: parts.workers ? config.SWEEP_INTERVAL_S * 1000 : 2 ** 31 - 1,
      log,
    },
  )
  if (parts.workers) pump.wake()
  return {
    store,
    tabs: form ? [infoReleaseTab({ approvals: store, units: stores.units, form, timeZone })] : [],
    pump,
    changed: () => {
      if (parts.workers) pump.wake()
    },
  }
}
