// The one place where words people typed (titles, names, descriptions, comments, unit names)
// are made safe for each kind of robot before any alert, notice, reminder or summary reaches it.
// Whatever the robot, user text stays one inert line: it cannot start a line of its own (a forged
// "审批页：http://…" under the real one), cannot become markup or a mention, and cannot become a
// link: the only links a message carries are the ones the system writes (ack, board, form links),
// which the renderers add beside the text, never through these functions.
import type { WebhookType } from './webhook-config.ts'

/** Where text goes: a robot kind, plain text (SNS e-mail and SMS, the outbox log), or an SMS template variable. */
export type TextKind = WebhookType | 'plain' | 'sms'

// Line and paragraph breaks, the other control characters, and the invisible ones that reorder
// or hide text (bidi overrides and isolates, zero-width spaces and joiners, BOM).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what one line must not carry
const BREAKS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g

/** Newlines and control characters become one space; invisible reordering characters go. */
export function oneLine(text: string): string {
  return text.replace(INVISIBLE, '').replace(BREAKS, ' ').replace(/ {2,}/g, ' ').trim()
}

/**
 * A link typed by a user is shown, not followed: `http://evil.example/x` → `http[:]//evil[.]example/x`,
 * `www.evil.example` → `www[.]evil[.]example` (the usual "defanged" writing). Chat apps link bare
 * host names too, so every dot between a name and two or more Latin letters is bracketed; other
 * dots (3.5, e.g., 。) stay.
 */
function defang(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*):\/\//gi, '$1[:]//').replace(/([\p{L}\p{N}_-])[.．｡](?=[a-z]{2})/giu, '$1[.]')
}

/** Characters that start markup, swapped for their full-width look-alikes (no robot documents escapes). */
const FULL_WIDTH: Record<string, string> = {
  '[': '［',
  ']': '］',
  '*': '＊',
  _: '＿',
  '~': '～',
  '`': '｀',
  '<': '＜',
  '>': '＞',
  '#': '＃',
  '|': '｜',
  '@': '＠',
}
const swap = (pattern: RegExp) => (text: string) => text.replace(pattern, (ch) => FULL_WIDTH[ch] ?? ch)

// WeCom text: the client links URLs and reads `<a href>`; `<@userid>`, `@all` and `[text](url)` are
// markdown-message syntax, swapped too so no message type can make them live.
const wecomMarkup = swap(/[<>[\]@]/g)
// DingTalk markdown: links, images, emphasis, code, headings, HTML (<font>), tables.
const dingtalkMarkup = swap(/[[\]*_~`<>#|]/g)
// Feishu: `<at user_id="all">` (text messages) and `[text](url)` links; post elements are literal.
const feishuMarkup = swap(/[<>[\]]/g)
// Slack mrkdwn: &, < and > are Slack's own escapes (they also disarm <!channel>, <@U…>, <url|text>);
// emphasis marks and @ (link_names) are swapped.
const slackMarkup = (text: string) =>
  swap(/[*_~`@]/g)(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')

// An SMS template variable (Alibaba Cloud SMS): the carrier shows the approved signature as 【签名】
// at the start; a variable carrying 【…】 could forge a second one (【某某银行】), so those
// brackets become full-width square ones.
const smsMarkup = (text: string) => text.replace(/[【〖]/g, '［').replace(/[】〗]/g, '］')

const MARKUP: Record<Exclude<TextKind, 'json'>, (text: string) => string> = {
  plain: (text) => text,
  sms: smsMarkup,
  wecom: wecomMarkup,
  dingtalk: dingtalkMarkup,
  feishu: feishuMarkup,
  slack: slackMarkup,
}

/**
 * User-written `text` as robot `kind` must receive it: one line, no markup, no mention, no link.
 * A `json` endpoint gets data, not a rendering: the text as typed.
 */
export function userText(kind: TextKind, text: string): string {
  if (kind === 'json') return text
  return MARKUP[kind](defang(oneLine(text)))
}
