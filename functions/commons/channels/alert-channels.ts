// Builds the alert channels from configuration: the local outbox always, the SNS topic and the
// SMS provider (mainland China) when given, and the webhooks. Escalations go to their own webhooks, or else to the alert webhooks
// (the same channels then, so one rate window counts both).
import type { Clock } from '../clock.ts'
import type { Logger } from '../log.ts'
import type { FetchFn } from './deliver.ts'
import { type SmsSenders, smsChannel } from './sms.ts'
import { type AlertChannel, outboxChannel, type SnsPublisher, snsChannel, webhookChannel } from './targets.ts'
import type { WebhookTarget } from './webhook-config.ts'

export interface ChannelConfig {
  alertWebhooks: WebhookTarget[]
  escalationWebhooks: WebhookTarget[]
  sns?: SnsPublisher
  /** SMS through a provider's template API (Alibaba Cloud SMS); escalations to their own phones when given */
  sms?: SmsSenders
  fetch: FetchFn
  clock: Clock
  timeZone: string
  log: Logger
  timeoutMs?: number
}

export function alertChannels(config: ChannelConfig): { alert: AlertChannel[]; escalation: AlertChannel[] } {
  const shared = [outboxChannel(config.log, config.timeZone), ...(config.sns ? [snsChannel(config.sns, config.timeZone)] : [])]
  // One channel object for both lists when the phones are the same: one rate window counts both.
  const sms = config.sms ? smsChannel(config.sms.alert) : undefined
  const smsEscalation = config.sms?.escalation ? smsChannel(config.sms.escalation, 'sms escalation') : sms
  const alert = config.alertWebhooks.map((t) => webhookChannel('alert', t, config))
  const escalation =
    config.escalationWebhooks.length > 0 ? config.escalationWebhooks.map((t) => webhookChannel('escalation', t, config)) : alert
  return {
    alert: [...shared, ...(sms ? [sms] : []), ...alert],
    escalation: [...shared, ...(smsEscalation ? [smsEscalation] : []), ...escalation],
  }
}
