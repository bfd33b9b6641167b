// Plain notices (reminders, daily summaries, approval notices) over the same chat robots as alerts:
// a title, a few lines and an optional link, in the message type each robot uses for alerts, with
// user-written words made inert by the same user-text.ts. The delivery attempt and the reading of
// each robot's answer are the alerts' own (deliver.ts).

import { type DeliveryResult, type FetchFn, sendWebhookRequest } from './deliver.ts'
import { dingtalkLink, dingtalkSignedUrl } from './dingtalk.ts'
import { feishuLink, feishuPost, feishuSignature, feishuText } from './feishu.ts'
import { capChars, cutToBytes } from './format.ts'
import { postJson, type WebhookRequest } from './robot.ts'
import { slackLink } from './slack.ts'
import { type TextKind, userText } from './user-text.ts'
import type { WebhookTarget, WebhookType } from './webhook-config.ts'
import { WECOM_TEXT_MAX_BYTES } from './wecom.ts'

/** A line of a notice: text (user-written words may be in it), or text followed by a link the system made. */
export type NoticeLine = string | { text: string; link: { label: string; url: string } }

export interface ChatNotice {
  /** stable across retries: JSON receivers dedupe on it */
  id: string
  kind: string
  /** a sheet notice's side (`problem` or `recovered`), for JSON receivers */
  state?: string
  title: string
  lines: NoticeLine[]
  /** the system's link, last */
  link?: { label: string; url: string }
}

/** Kept well inside every robot's limit (WeCom text 2,048 bytes is the smallest). */
export const NOTICE_MAX_TEXT_BYTES = WECOM_TEXT_MAX_BYTES - 48

/** What each robot's notice may take, with room for the JSON around it. */
const MAX_BYTES: Record<Exclude<WebhookType, 'json'>, number> = {
  wecom: NOTICE_MAX_TEXT_BYTES,
  dingtalk: 4_800,
  feishu: 16_000,
  slack: 12_000,
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8')
/** One line's words cut to `max` bytes: a long comment must not push out the other lines or the link. */
const capped = (text: string, max: number) => (bytes(text) <= max ? text : `${cutToBytes(text, max - 3)}…`)

/**
 * The rows that fit in `room` bytes: the first always (the title), then whole rows while they fit,
 * then `more` when any were left out. The system's link is not a row here: the caller keeps it.
 */
function fitRows<T>(rows: T[], size: (row: T) => number, room: number, more: T): T[] {
  if (rows.reduce((sum, row) => sum + size(row), 0) <= room) return rows
  const kept: T[] = []
  let used = size(more)
  for (const row of rows) {
    if (kept.length > 0 && used + size(row) > room) break
    kept.push(row)
    used += size(row)
  }
  return [...kept, more]
}

/** How one robot writes a notice: user text made inert (user-text.ts), links only the system's. */
function renderRows<T>(
  kind: Exclude<WebhookType, 'json'>,
  notice: ChatNotice,
  write: {
    title(text: string): T
    text(text: string): T
    linked(text: string, label: string, url: string): T
    link(label: string, url: string): T
  },
  size: (row: T) => number,
): T[] {
  const room = MAX_BYTES[kind]
  const lineMax = Math.floor(room / 3)
  const rows = [
    write.title(capped(notice.title, lineMax)),
    ...notice.lines.map((line) =>
      typeof line === 'string'
        ? write.text(capped(line, lineMax))
        : write.linked(capped(line.text, lineMax), line.link.label, line.link.url),
    ),
  ]
  const link = notice.link ? write.link(notice.link.label, notice.link.url) : undefined
  return [...fitRows(rows, size, room - (link ? size(link) : 0), write.text('…')), ...(link ? [link] : [])]
}

const textRows = (
  kind: 'wecom' | 'dingtalk' | 'slack',
  notice: ChatNotice,
  write: Parameters<typeof renderRows<string>>[2],
  joiner: string,
) => renderRows(kind, notice, write, (row) => bytes(row) + bytes(joiner)).join(joiner)

const plain = (kind: TextKind) => (s: string) => userText(kind, s)
const wecomText = plain('wecom')
const dingtalkText = plain('dingtalk')
const slackText = plain('slack')

const builders: Record<WebhookType, (target: WebhookTarget, notice: ChatNotice, now: Date) => WebhookRequest> = {
  // WeCom links the system's URLs in text by itself.
  wecom: (target, notice) => {
    const content = textRows(
      'wecom',
      notice,
      { title: wecomText, text: wecomText, linked: (t, _l, url) => `${wecomText(t)}${url}`, link: (label, url) => `${label}：${url}` },
      '\n',
    )
    return postJson(target.url, JSON.stringify({ msgtype: 'text', text: { content } }))
  },
  // DingTalk markdown, as alerts: a blank line between rows (single newlines join into one paragraph).
  dingtalk: (target, notice, now) => {
    const text = textRows(
      'dingtalk',
      notice,
      {
        title: (t) => `#### ${dingtalkText(t)}`,
        text: dingtalkText,
        linked: (t, label, url) => `${dingtalkText(t)}${dingtalkLink(label, url)}`,
        link: dingtalkLink,
      },
      '\n\n',
    )
    const title = capChars(userText('plain', notice.title), 64)
    return postJson(dingtalkSignedUrl(target, now), JSON.stringify({ msgtype: 'markdown', markdown: { title, text } }))
  },
  // Feishu `post`, as alerts: text elements never become mentions or links.
  feishu: (target, notice, now) => {
    const rows = renderRows(
      'feishu',
      notice,
      {
        title: (t) => [feishuText(t)],
        text: (t) => [feishuText(t)],
        linked: (t, label, url) => [feishuText(t), feishuLink(label, url)],
        link: (label, url) => [feishuLink(label, url)],
      },
      (row) => bytes(JSON.stringify(row)),
    )
    // The title row doubles as the post's title.
    const [, ...content] = rows
    return postJson(
      target.url,
      JSON.stringify({ ...feishuSignature(target, now), msg_type: 'post', content: feishuPost('zh', capped(notice.title, 600), content) }),
    )
  },
  slack: (target, notice) => {
    const text = textRows(
      'slack',
      notice,
      {
        title: (t) => `*${slackText(t)}*`,
        text: slackText,
        linked: (t, label, url) => `${slackText(t)}${slackLink(label, url)}`,
        link: slackLink,
      },
      '\n',
    )
    return postJson(target.url, JSON.stringify({ text }))
  },
  // Data, not a rendering: the words as typed; a linked line keeps its link at its end.
  json: (target, notice) =>
    postJson(
      target.url,
      JSON.stringify({
        id: notice.id,
        kind: notice.kind,
        ...(notice.state ? { state: notice.state } : {}),
        title: notice.title,
        lines: notice.lines.map((line) => (typeof line === 'string' ? line : `${line.text}${line.link.url}`)),
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
