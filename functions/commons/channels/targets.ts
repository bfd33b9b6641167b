// Where alerts go: the configured chat robots and JSON endpoints, the SNS topic (e-mail and
// SMS), and the local outbox. Each is an AlertChannel with a stable name; deliveries are
// recorded per name, so a channel never gets the same alert twice once it took it.
import type { Clock } from '../clock.ts'
import type { Logger } from '../log.ts'
import { type DeliveryResult, deliverOnce, type FetchFn } from './deliver.ts'
import { formatAlertSms, formatAlertText } from './format.ts'
import type { AlertMessage } from './message.ts'
import type { WebhookTarget, WebhookType } from './webhook-config.ts'

export interface AlertChannel {
  /** stable and safe to show: `outbox`, `sns`, `alert dingtalk#1 oapi.dingtalk.com` */
  name: string
  /** messages a minute the channel accepts; beyond it alerts are merged into one */
  perMinute?: number
  /** whether several alerts may go as one message (never for JSON: receivers key on the id) */
  mergeable: boolean
  send(message: AlertMessage): Promise<DeliveryResult>
}

/** Robot limits with a margin (FACTS: WeCom and DingTalk 20 a minute, Feishu 100, Slack ~1 a second). */
const PER_MINUTE: Record<WebhookType, number | undefined> = { wecom: 18, dingtalk: 18, feishu: 90, slack: 50, json: undefined }

export function webhookChannel(
  role: 'alert' | 'escalation',
  target: WebhookTarget,
  deps: { fetch: FetchFn; clock: Clock; timeZone: string; timeoutMs?: number },
): AlertChannel {
  return {
    name: `${role} ${target.label}`,
    perMinute: PER_MINUTE[target.type],
    mergeable: target.type !== 'json',
    send: (message) =>
      deliverOnce(deps.fetch, target, message, {
        now: deps.clock.now(),
        timeZone: deps.timeZone,
        ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
      }),
  }
}

/** What the SNS channel needs of an SNS client (the adapter is in sns.ts). */
export interface SnsPublisher {
  /** `text` for e-mail subscribers, `sms` (short, the link kept) for phones */
  publish(input: { subject: string; text: string; sms: string; id: string }): Promise<void>
}

const SNS_SUBJECT_MAX = 99

export function snsChannel(publisher: SnsPublisher, timeZone: string): AlertChannel {
  return {
    name: 'sns',
    mergeable: false,
    async send(message) {
      const text = formatAlertText(message, { timeZone })
      const subject = Array.from(text.split('\n')[0] ?? message.id)
        .slice(0, SNS_SUBJECT_MAX)
        .join('')
      try {
        await publisher.publish({ subject, text, sms: formatAlertSms(message), id: message.id })
        return { ok: true, status: 200 }
      } catch (error) {
        // SNS throttling and outages are transient; a bad topic shows up as failed attempts.
        return { ok: false, retryable: true, error: `sns: ${error instanceof Error ? error.name : 'error'}` }
      }
    },
  }
}

/** The local outbox: every alert is logged; the admin page lists them from the emergencies. */
export function outboxChannel(log: Logger, timeZone: string): AlertChannel {
  return {
    name: 'outbox',
    mergeable: false,
    async send(message) {
      // The acknowledge link is a credential: the log points at the board's outbox instead.
      const outbox = message.ackUrl.replace(/\/ack\/[^/]*$/, '/emergencies/outbox')
      log.info('alert', {
        id: message.id,
        escalation: message.escalation,
        personal: { text: formatAlertText({ ...message, ackUrl: outbox }, { timeZone }) },
      })
      return { ok: true, status: 200 }
    },
  }
}
