// What an alert says, in the message's language, fitted into each robot's size limit.
// Every robot renders the same layout; only the markup differs.
import { localDateTime } from '../clock.ts'
import type { AlertMessage, Severity } from './message.ts'
import { oneLine, type TextKind, userText } from './user-text.ts'

const DEFAULT_TIME_ZONE = 'Asia/Shanghai'
const ELLIPSIS = '…'
/** Below this many bytes a cut value says nothing useful: drop trailing fields instead. */
const MIN_VALUE_BYTES = 24
/** Unit names and category labels are short by nature; a runaway one must not eat the budget. */
const MAX_HEADER_CHARS = 80

type Lang = AlertMessage['lang']

const SEVERITY_TAG: Record<Severity, Record<Lang, string>> = {
  general: { zh: '【一般】', en: '[GENERAL]' },
  urgent: { zh: '【紧急】', en: '[URGENT]' },
  critical: { zh: '【特急】', en: '[CRITICAL]' },
}

// "应急告警" / "Emergency alert" is in every title: use it as the DingTalk/Feishu security keyword.
const WORDS = {
  alert: { zh: '应急告警', en: 'Emergency alert' },
  unit: { zh: '单位', en: 'Unit' },
  summary: { zh: '摘要', en: 'Summary' },
  time: { zh: '时间', en: 'Time' },
  ack: { zh: '一键确认', en: 'Acknowledge' },
} as const satisfies Record<string, Record<Lang, string>>

const escalationTag = (lang: Lang, n: number): string => (lang === 'zh' ? `【第${n}次升级】` : `[ESCALATION ${n}]`)
const omittedNote = (lang: Lang, n: number): string =>
  lang === 'zh' ? `${ELLIPSIS}（另有 ${n} 项未显示）` : `${ELLIPSIS} (${n} more not shown)`
/** `label：value` in Chinese, `label: value` in English. */
export const fieldSeparator = (lang: Lang): string => (lang === 'zh' ? '：' : ': ')

interface AlertField {
  label: string
  value: string
  /** a link the system made, shown after the value */
  link?: { label: string; url: string }
}

export interface AlertLayout {
  lang: Lang
  /** severity tag, escalation tag, "应急告警", category */
  title: string
  /** unit, summary, details (possibly cut) */
  fields: AlertField[]
  /** says how many details were left out, when any were */
  note?: string
  time: AlertField
  ack: { label: string; url: string }
}

export interface LayoutOptions {
  /** organisation time zone for the time line; default Asia/Shanghai */
  timeZone?: string
}

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8')

/** `text` cut to at most `maxBytes` of UTF-8 on a code point boundary (no ellipsis added). */
export function cutToBytes(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text
  let used = 0
  let out = ''
  for (const ch of text) {
    const size = utf8Bytes(ch)
    if (used + size > maxBytes) break
    used += size
    out += ch
  }
  return out
}

/** `text` cut to `max` characters, the last one an ellipsis when cut. */
export function capChars(text: string, max: number): string {
  const chars = Array.from(text)
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}${ELLIPSIS}`
}

/** `2026-11-28 10:00:00 (GMT+8)` in the organisation's zone; the raw text if it is not a date. */
function formatAlertTime(iso: string, timeZone: string = DEFAULT_TIME_ZONE): string {
  const at = new Date(iso)
  if (Number.isNaN(at.getTime())) return oneLine(iso)
  const offset = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'shortOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value
  return `${localDateTime(at, timeZone)}${offset ? ` (${offset})` : ''}`
}

/** The title line: `【特急】【第2次升级】应急告警 · 疑似病例`. */
export function alertTitle(message: AlertMessage): string {
  const { lang } = message
  const category = capChars(oneLine(message.categoryLabel[lang]), MAX_HEADER_CHARS)
  const tags = [SEVERITY_TAG[message.severity][lang], ...(message.escalation > 0 ? [escalationTag(lang, message.escalation)] : [])]
  // 【】 brackets need no spaces around them; English words do
  return [...tags, `${WORDS.alert[lang]} · ${category}`].join(lang === 'zh' ? '' : ' ')
}

/**
 * The layout with the summary and details cut to `budgetBytes` in total (labels included).
 * Short fields stay whole and long ones are cut evenly, so a long description cannot push the
 * contact line out; only when even that fails are trailing details dropped, with a note.
 */
function layoutAlert(message: AlertMessage, budgetBytes = Infinity, options: LayoutOptions = {}): AlertLayout {
  const { lang } = message
  const cuttable: AlertField[] = [
    { label: WORDS.summary[lang], value: oneLine(message.summary) },
    ...message.details.map((d) => ({ label: oneLine(d.label), value: oneLine(d.value), ...(d.link ? { link: d.link } : {}) })),
  ].filter((f) => f.value !== '')
  const { kept, omitted } = (message.wholeDetails ? fitWholeFields : fitFields)(cuttable, budgetBytes, (n) => omittedNote(lang, n))
  const layout: AlertLayout = {
    lang,
    title: alertTitle(message),
    fields: [{ label: WORDS.unit[lang], value: capChars(oneLine(message.unitName), MAX_HEADER_CHARS) }, ...kept],
    time: { label: WORDS.time[lang], value: formatAlertTime(message.createdAt, options.timeZone) },
    ack: { label: WORDS.ack[lang], url: message.ackUrl },
  }
  if (omitted > 0) layout.note = omittedNote(lang, omitted)
  return layout
}

function fitFields(fields: AlertField[], budget: number, note: (omitted: number) => string): { kept: AlertField[]; omitted: number } {
  const cost = (f: AlertField, cap: number): number => fieldBytes(cutField(f, cap))
  if (fields.reduce((sum, f) => sum + cost(f, Infinity), 0) <= budget) return { kept: fields, omitted: 0 }
  // The most leading fields that fit when each is cut to the minimum, then the largest even cut.
  let smallest = 0
  const prefix = [0, ...fields.map((f) => (smallest += cost(f, MIN_VALUE_BYTES)))]
  for (let n = fields.length; n > 0; n--) {
    const available = budget - (n < fields.length ? utf8Bytes(note(fields.length - n)) : 0)
    if ((prefix[n] ?? Infinity) > available) continue
    const head = fields.slice(0, n)
    const cap = valueCap(head, available)
    return { kept: head.map((f) => cutField(f, cap)), omitted: fields.length - n }
  }
  return { kept: [], omitted: fields.length }
}

/** The most leading fields that fit whole (a merged message's alerts: one is never cut in half). */
function fitWholeFields(fields: AlertField[], budget: number, note: (omitted: number) => string): { kept: AlertField[]; omitted: number } {
  let used = 0
  const sizes = fields.map(fieldBytes)
  for (const [n, size] of sizes.entries()) {
    const rest = fields.length - n - 1
    if (used + size + (rest > 0 ? utf8Bytes(note(rest)) : 0) > budget) {
      // This one does not fit with the note after it: stop before it, or earlier if the note needs the room.
      let keep = n
      while (keep > 0 && used + utf8Bytes(note(fields.length - keep)) > budget) used -= sizes[--keep] ?? 0
      return { kept: fields.slice(0, keep), omitted: fields.length - keep }
    }
    used += size
  }
  return { kept: fields, omitted: 0 }
}

/** The largest per-value byte cap (≥ MIN_VALUE_BYTES) that keeps `fields` within `available`. */
function valueCap(fields: AlertField[], available: number): number {
  const size = (cap: number): number => fields.reduce((sum, f) => sum + fieldBytes(cutField(f, cap)), 0)
  let lo = MIN_VALUE_BYTES
  let hi = Math.max(MIN_VALUE_BYTES, ...fields.map((f) => utf8Bytes(f.value)))
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (size(mid) <= available) lo = mid
    else hi = mid - 1
  }
  return lo
}

const fieldBytes = (f: AlertField): number =>
  utf8Bytes(f.label) + utf8Bytes(f.value) + (f.link ? utf8Bytes(f.link.label) + utf8Bytes(f.link.url) : 0)

/** The value cut to `cap` bytes; a link is the system's and stays whole. */
function cutField(field: AlertField, cap: number): AlertField {
  if (utf8Bytes(field.value) <= cap) return field
  return { ...field, value: `${cutToBytes(field.value, cap - utf8Bytes(ELLIPSIS))}${ELLIPSIS}` }
}

/**
 * Renders with the largest detail budget whose output fits in `maxBytes` (UTF-8). When even the
 * bare layout does not fit, returns that smallest rendering; the caller decides what to do.
 */
export function renderFitted(
  message: AlertMessage,
  maxBytes: number,
  render: (layout: AlertLayout) => string,
  options: LayoutOptions = {},
): { text: string; fits: boolean } {
  const at = (budget: number): string => render(layoutAlert(message, budget, options))
  const whole = at(Infinity)
  if (utf8Bytes(whole) <= maxBytes) return { text: whole, fits: true }
  let best = at(0)
  if (utf8Bytes(best) > maxBytes) return { text: best, fits: false }
  // Output grows with the budget, so search for the largest budget that still fits.
  let lo = 0
  let hi = utf8Bytes(whole)
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    const text = at(mid)
    if (utf8Bytes(text) <= maxBytes) {
      lo = mid
      best = text
    } else hi = mid - 1
  }
  return { text: best, fits: true }
}

/** Plain text: one line per field, the ack link last; user text made safe for `kind`. */
function renderPlainText(layout: AlertLayout, kind: TextKind): string {
  const sep = fieldSeparator(layout.lang)
  const text = (s: string) => userText(kind, s)
  return [
    text(layout.title),
    ...layout.fields.map((f) => `${text(f.label)}${sep}${text(f.value)}${f.link ? ` ${f.link.label} ${f.link.url}` : ''}`),
    ...(layout.note ? [text(layout.note)] : []),
    `${layout.time.label}${sep}${text(layout.time.value)}`,
    `${layout.ack.label}${sep}${layout.ack.url}`,
  ].join('\n')
}

export interface FormatOptions extends LayoutOptions {
  /** UTF-8 byte limit (WeCom text: 2048); details are cut visibly (…) to fit */
  maxBytes?: number
  /** who reads it: a robot's text message, or plain text (SNS, outbox; the default) */
  kind?: TextKind
}

/**
 * The alert as plain text: Chinese by default, English when `lang` is 'en'. With `maxBytes`, the
 * result never exceeds it and the ack link always survives.
 */
export function formatAlertText(message: AlertMessage, options: FormatOptions = {}): string {
  const { maxBytes, kind = 'plain' } = options
  const render = (layout: AlertLayout) => renderPlainText(layout, kind)
  if (maxBytes === undefined) return render(layoutAlert(message, Infinity, options))
  const { text, fits } = renderFitted(message, maxBytes, render, options)
  return fits ? text : hardCut(text, maxBytes)
}

/** Last resort for absurd headers: cut the text before the ack line, keep the ack line. */
function hardCut(text: string, maxBytes: number): string {
  const lastBreak = text.lastIndexOf('\n')
  const ackLine = text.slice(lastBreak + 1)
  const room = maxBytes - utf8Bytes(ackLine) - utf8Bytes(`${ELLIPSIS}\n`)
  if (lastBreak < 0 || room <= 0) return cutToBytes(text, maxBytes)
  return `${cutToBytes(text.slice(0, lastBreak), room)}${ELLIPSIS}\n${ackLine}`
}

/** An SMS is billed per part (67 Chinese characters): the title, unit and summary, and the link. */
export const SMS_MAX_CHARS = 200

/** The alert as one SMS: `【特急】应急告警 · 疑似病例 东园公园管理处：<summary> 确认 <link>`, at most SMS_MAX_CHARS. */
export function formatAlertSms(message: AlertMessage): string {
  const link = ` ${WORDS.ack[message.lang]} ${message.ackUrl}`
  const text = (s: string) => userText('plain', s)
  const head = `${text(alertTitle(message))} ${text(message.unitName)}${message.lang === 'zh' ? '：' : ': '}${text(message.summary)}`
  return `${capChars(head, Math.max(20, SMS_MAX_CHARS - Array.from(link).length))}${link}`
}
