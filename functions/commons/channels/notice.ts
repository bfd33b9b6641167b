// Plain notices (reminders, daily summaries) over the same chat robots as alerts: a title, a few
// lines and an optional link, sent as each robot's simplest text message. The delivery attempt and
// the reading of each robot's answer are the alerts' own (deliver.ts).

import { type DeliveryResult, type FetchFn, sendWebhookRequest } from './deliver.ts'
import { dingtalkSignedUrl } from './dingtalk.ts'
import { feishuSignature } from './feishu.ts'
import { cutToBytes } from './format.ts'
import { postJson, type WebhookRequest } from './robot.ts'
import type { WebhookTarget, WebhookType } from './webhook-config.ts'
import { WECOM_TEXT_MAX_BYTES } from './wecom.ts'

export interface ChatNotice {
  /** stable across retries: JSON receivers dedupe on it */
  id: string
  kind: string
  /** a sheet notice's side (`problem` or `recovered`), for JSON receivers */
  state?: string
  title: string
  lines: string[]
  link?: { label: string; url: string }
}

/** Kept well inside every robot's limit (WeCom text 2,048 bytes is the smallest). */
export const NOTICE_MAX_TEXT_BYTES = WECOM_TEXT_MAX_BYTES - 48

export function noticeText(notice: ChatNotice): string {
  const link = notice.link ? `\n${notice.link.label}：${notice.link.url}` : ''
  const body = [notice.title, ...notice.lines].join('\n')
  // The link must survive: cut the body, never the link.
  const room = NOTICE_MAX_TEXT_BYTES - Buffer.byteLength(link)
  const fitted = Buffer.byteLength(body) <= room ? body : `${cutToBytes(body, room - 3)}…`
  return fitted + link
}

const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

const builders: Record<WebhookType, (target: WebhookTarget, notice: ChatNotice, now: Date) => WebhookRequest> = {
  wecom: (target, notice) => postJson(target.url, JSON.stringify({ msgtype: 'text', text: { content: noticeText(notice) } })),
  dingtalk: (target, notice, now) =>
    postJson(dingtalkSignedUrl(target, now), JSON.stringify({ msgtype: 'text', text: { content: noticeText(notice) } })),
  feishu: (target, notice, now) =>
    postJson(target.url, JSON.stringify({ ...feishuSignature(target, now), msg_type: 'text', content: { text: noticeText(notice) } })),
  slack: (target, notice) => postJson(target.url, JSON.stringify({ text: slackEscape(noticeText(notice)) })),
  json: (target, notice) =>
    postJson(
      target.url,
      JSON.stringify({
        id: notice.id,
        kind: notice.kind,
        ...(notice.state ? { state: notice.state } : {}),
        title: notice.title,
        lines: notice.lines,
        link: notice.link?.url ?? null,
      }),
      { 'idempotency-key': notice.id },
    ),
}

/** Pure: the request a notice becomes for one target. */
function buildNoticeRequest(target: WebhookTarget, notice: ChatNotice, now: Date): WebhookRequest {
  return builders[target.type](target, notice, now)
}

/**
 * One attempt at a notice on every target an earlier attempt did not reach (by label): the labels
 * it reached now, and the targets that failed. A retry so never repeats a notice where it landed.
 */
export async function deliverToTheRest(
  targets: WebhookTarget[],
  reached: readonly string[],
  deliver: (target: WebhookTarget) => Promise<DeliveryResult>,
): Promise<{ delivered: string[]; failed: { target: WebhookTarget; result: Extract<DeliveryResult, { ok: false }> }[] }> {
  const rest = targets.filter((target) => !reached.includes(target.label))
  const results = await Promise.all(rest.map(deliver))
  return {
    delivered: rest.flatMap((target, i) => (results[i]?.ok ? [target.label] : [])),
    failed: rest.flatMap((target, i) => {
      const result = results[i]
      return result && !result.ok ? [{ target, result }] : []
    }),
  }
}

/** One attempt to deliver a notice to one target; never throws (the alerts' own attempt). */
export function deliverNotice(
  fetchFn: FetchFn,
  target: WebhookTarget,
  notice: ChatNotice,
  options: { now: Date; timeoutMs?: number },
): Promise<DeliveryResult> {
  return sendWebhookRequest(fetchFn, target, buildNoticeRequest(target, notice, options.now), options)
}
