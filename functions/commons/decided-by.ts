// Who made a decision (acknowledged, resolved, approved, rejected, reopened): a person's name,
// typed on a page, sent as `by` to the API or given as `--by` to the CLI. The record says who: an
// empty name is refused, never replaced by a placeholder such as "admin".
import * as z from 'zod'
import type { Lang } from './i18n.ts'

export const MAX_NAME_CHARS = 50

/** A person's name: trimmed, 1 to 50 characters. */
export const PersonName = z.string().trim().min(1).max(MAX_NAME_CHARS)

/** What the API answers when `by` is missing, empty or too long. */
export const BY_HINT = `by: your name is required (1 to ${MAX_NAME_CHARS} characters): send {"by": "<name>"}`

/** The name, or what is wrong with it in the reader's language. */
export function checkName(raw: unknown, lang: Lang): { ok: true; name: string } | { ok: false; message: string } {
  const parsed = PersonName.safeParse(typeof raw === 'string' ? raw : '')
  if (parsed.success) return { ok: true, name: parsed.data }
  const tooLong = typeof raw === 'string' && raw.trim().length > MAX_NAME_CHARS
  return { ok: false, message: NAME_WORDS[tooLong ? 'nameTooLong' : 'nameMissing'][lang].replace('{n}', String(MAX_NAME_CHARS)) }
}

/** The words of a name field on the decision pages. */
export const NAME_WORDS = {
  yourName: { zh: '您的姓名', en: 'Your name' },
  nameHint: { zh: '记录会写明由谁处理；本浏览器会记住', en: 'The record says who acted; this browser remembers it' },
  nameMissing: { zh: '请填写您的姓名：记录会写明由谁处理', en: 'Enter your name: the record says who acted' },
  nameTooLong: { zh: '姓名不能超过 {n} 个字符', en: 'The name must be {n} characters or fewer' },
} satisfies Record<string, Record<Lang, string>>
