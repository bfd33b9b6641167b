// DingTalk custom robot (钉钉自定义机器人), following open.dingtalk.com 「自定义机器人发送群消息」 and
// 「自定义机器人安全设置」(加签): POST {"msgtype":"markdown","markdown":{"title","text"}} to the webhook;
// a signed robot also gets &timestamp=<ms>&sign=<urlEncode(base64(HmacSHA256(key: secret,
// message: timestamp + "\n" + secret)))>, the timestamp within an hour of DingTalk's clock.
// Answers HTTP 200 {"errcode":0,"errmsg":"ok"}. 20 messages a minute; beyond it errcode 130101
// "send too fast, exceed 20 times per minute" and the robot is throttled for 10 minutes.
import { createHmac } from 'node:crypto'
import { type AlertLayout, alertTitle, capChars, fieldSeparator, renderFitted } from './format.ts'
import { postJson, type Robot, readCodeField } from './robot.ts'
import { userText } from './user-text.ts'
import type { WebhookTarget } from './webhook-config.ts'

/** DingTalk documents markdown text up to 5000; counted here in bytes, the stricter reading. */
const DINGTALK_MARKDOWN_MAX_BYTES = 5000
const TITLE_MAX_CHARS = 64
const THROTTLE_MS = 10 * 60_000

/** The `sign` query value: already URL-encoded, append as is. */
export function dingtalkSign(timestampMs: number, secret: string): string {
  const digest = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64')
  return encodeURIComponent(digest)
}

/** The webhook URL with `timestamp` and `sign` appended when the target has a secret. */
export function dingtalkSignedUrl(target: WebhookTarget, now: Date): string {
  if (target.secret === undefined) return target.url
  const timestamp = now.getTime()
  const joiner = target.url.includes('?') ? '&' : '?'
  return `${target.url}${joiner}timestamp=${timestamp}&sign=${dingtalkSign(timestamp, target.secret)}`
}

// User text never turns into links, emphasis or HTML: user-text.ts makes it inert.
const text = (s: string): string => userText('dingtalk', s)

/** A URL safe inside `(...)`: brackets and spaces would end the link early (byte-wise, because
 * encodeURIComponent leaves brackets alone). */
const linkTarget = (url: string): string =>
  url.replace(/[()\s<>]/gu, (ch) => [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''))

/** A link the system made, in DingTalk markdown. */
export const dingtalkLink = (label: string, url: string): string => `[${text(label)}](${linkTarget(url)})`

function renderDingtalkMarkdown(layout: AlertLayout): string {
  const sep = fieldSeparator(layout.lang)
  // A blank line between rows: DingTalk's markdown joins single newlines into one paragraph.
  return [
    `#### ${text(layout.title)}`,
    ...layout.fields.map((f) => `**${text(f.label)}**${sep}${text(f.value)}${f.link ? ` ${dingtalkLink(f.link.label, f.link.url)}` : ''}`),
    ...(layout.note ? [text(layout.note)] : []),
    `**${layout.time.label}**${sep}${text(layout.time.value)}`,
    dingtalkLink(layout.ack.label, layout.ack.url),
  ].join('\n\n')
}

export const dingtalk: Robot = {
  build(message, target, now, options = {}) {
    const { text } = renderFitted(message, DINGTALK_MARKDOWN_MAX_BYTES, renderDingtalkMarkdown, options)
    // The title is the plain text the notification preview shows.
    const title = capChars(userText('plain', alertTitle(message)), TITLE_MAX_CHARS)
    return postJson(dingtalkSignedUrl(target, now), JSON.stringify({ msgtype: 'markdown', markdown: { title, text } }))
  },
  readResult: (body) => readCodeField(body, ['errcode'], ['errmsg']),
  rateLimitCodes: new Map([
    [130101, THROTTLE_MS], // send too fast
    [410100, THROTTLE_MS], // 发送速度太快而限流
  ]),
  transientCodes: new Set([-1]), // -1 系统繁忙
  defaultRetryAfterMs: THROTTLE_MS,
}
