// Feishu custom bot (飞书自定义机器人), following Feishu's 「自定义机器人使用指南」
// (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot): POST a rich-text `post` message;
// with 签名校验 the body also carries "timestamp" (seconds, within an hour) and
// "sign" = base64(HmacSHA256(key: timestamp + "\n" + secret, message: empty)) — note the key/message
// order is the reverse of DingTalk's. Body at most 20 KB; 100 messages a minute and 5 a second per
// bot, 11232 when throttled. Answers HTTP 200 {"code":0,"msg":"success"} (older: {"StatusCode":0}).
import { createHmac } from 'node:crypto'
import { type AlertLayout, fieldSeparator, renderFitted } from './format.ts'
import { postJson, type Robot, readCodeField } from './robot.ts'
import { userText } from './user-text.ts'
import type { WebhookTarget } from './webhook-config.ts'

/** "20 KB" read as 20,000 bytes, the stricter of the two readings, for the whole JSON body. */
const FEISHU_BODY_MAX_BYTES = 20_000

export function feishuSign(timestampSeconds: number, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64')
}

/** `{timestamp, sign}` for a signed bot, nothing for an unsigned one. */
export function feishuSignature(target: WebhookTarget, now: Date): { timestamp?: string; sign?: string } {
  if (target.secret === undefined) return {}
  const timestamp = Math.floor(now.getTime() / 1000)
  return { timestamp: String(timestamp), sign: feishuSign(timestamp, target.secret) }
}

export type PostElement = { tag: 'text'; text: string } | { tag: 'a'; text: string; href: string }

/** User text as a post's text element (made inert by user-text.ts; `<at>` and links stay text). */
export const feishuText = (s: string): PostElement => ({ tag: 'text', text: userText('feishu', s) })
/** A link the system made. */
export const feishuLink = (label: string, href: string): PostElement => ({ tag: 'a', text: userText('feishu', label), href })

/** A whole `post` message: its title and rows. */
export function feishuPost(lang: 'zh' | 'en', title: string, rows: PostElement[][]) {
  const locale = lang === 'zh' ? 'zh_cn' : 'en_us'
  return { post: { [locale]: { title: userText('feishu', title), content: rows } } }
}

/** The `content` of a `post` message. */
function feishuPostContent(layout: AlertLayout) {
  const sep = fieldSeparator(layout.lang)
  const rows: PostElement[][] = [
    ...layout.fields.map((f): PostElement[] => [
      feishuText(`${f.label}${sep}${f.value}`),
      ...(f.link ? [feishuLink(f.link.label, f.link.url)] : []),
    ]),
    ...(layout.note ? [[feishuText(layout.note)]] : []),
    [feishuText(`${layout.time.label}${sep}${layout.time.value}`)],
    [feishuLink(layout.ack.label, layout.ack.url)],
  ]
  return feishuPost(layout.lang, layout.title, rows)
}

export const feishu: Robot = {
  build(message, target, now, options = {}) {
    const signature = feishuSignature(target, now)
    const render = (layout: AlertLayout): string => JSON.stringify({ ...signature, msg_type: 'post', content: feishuPostContent(layout) })
    return postJson(target.url, renderFitted(message, FEISHU_BODY_MAX_BYTES, render, options).text)
  },
  readResult: (body) => readCodeField(body, ['code', 'StatusCode'], ['msg', 'StatusMessage']),
  rateLimitCodes: new Map([
    [11232, 5_000], // frequency limited (system pressure at round hours)
    [9499, 5_000], // too many requests
    [99991400, 5_000], // OpenAPI frequency limit; x-ogw-ratelimit-reset says how long
  ]),
  defaultRetryAfterMs: 5_000,
}
