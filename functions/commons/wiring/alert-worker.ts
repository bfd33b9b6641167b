// The alert worker's dependencies and the emergency parts of the app, built the same way by the
// alert function, the API function and the local server.
import { alertChannels } from '../channels/alert-channels.ts'
import type { SmsSenders } from '../channels/sms.ts'
import type { SnsPublisher } from '../channels/targets.ts'
import type { WebhookTarget } from '../channels/webhook-config.ts'
import type { EscalationPolicy } from '../emergencies/emergency.ts'
import { type AlertWorkerDeps, type ChannelLanes, createRateWindow, defaultRetryPolicy } from '../emergencies/worker.ts'
import type { AlertSettings } from '../settings.ts'
import type { AlertAppDeps } from '../web/deps.ts'
import type { Edge, SiteSettings } from './edge.ts'

function escalationPolicy(settings: AlertSettings): EscalationPolicy {
  return { max: settings.ESCALATE_MAX, ...(settings.ESCALATE_AFTER_S ? { afterS: settings.ESCALATE_AFTER_S } : {}) }
}

export interface EmergencyParts {
  /** HMAC key of the one-tap acknowledge links */
  ackKey: string
  /** an emergency was created or changed: the sheet's 应急 tab follows */
  onChanged?: () => void
}

/** The board, the acknowledge links and the emergency API of the web app. */
export function emergencyAppDeps(edge: Pick<Edge, 'emergencies'>, settings: AlertSettings, parts: EmergencyParts): AlertAppDeps {
  return {
    emergencies: edge.emergencies,
    policy: escalationPolicy(settings),
    ackKey: parts.ackKey,
    ackTtlS: settings.ACK_LINK_TTL_S,
    lang: settings.ALERT_LANG,
    onChanged: parts.onChanged,
  }
}

export interface AlertWorkerParts extends EmergencyParts {
  webhooks: { alert: WebhookTarget[]; escalation: WebhookTarget[] }
  /** the emergency group's SNS topic, when there is one */
  sns?: SnsPublisher
  /** SMS to the emergency group's phones (Alibaba Cloud SMS), when configured */
  sms?: SmsSenders
  /** the address staff reach, for the acknowledge links and the board */
  publicUrl: string
  /** a long-lived process's channel lanes (functions/local/channel-lanes.ts) */
  lanes?: ChannelLanes
}

/** One alert pass's dependencies; its rate window lives as long as the process that builds it. */
export function alertWorkerDeps(edge: Edge, settings: SiteSettings & AlertSettings, parts: AlertWorkerParts): AlertWorkerDeps {
  const { stores, clock, log } = edge
  const timeZone = settings.ORG_TIMEZONE
  const { emergencies, policy, ackKey, ackTtlS, lang, onChanged } = emergencyAppDeps(edge, settings, parts)
  return {
    records: stores.records,
    units: stores.units,
    emergencies,
    forms: edge.forms,
    channels: alertChannels({
      alertWebhooks: parts.webhooks.alert,
      escalationWebhooks: parts.webhooks.escalation,
      sns: parts.sns,
      sms: parts.sms,
      fetch: edge.fetch,
      clock,
      timeZone,
      log,
    }),
    policy,
    retry: defaultRetryPolicy,
    rate: createRateWindow(),
    clock,
    timeZone,
    lang,
    publicUrl: parts.publicUrl,
    ackKey,
    ackTtlS,
    log,
    onChanged,
    lanes: parts.lanes,
  }
}
