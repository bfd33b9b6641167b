// The name field of the decision pages (acknowledge, resolve, approve, reject): asked every time,
// refused when empty, and remembered by the browser (a cookie the server fills the field from, so
// it works with JavaScript off, and `autocomplete="name"`).
import type { Context } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { MAX_NAME_CHARS, NAME_WORDS } from '../decided-by.ts'
import { type Lang, wordsOf } from '../i18n.ts'

const NAME_COOKIE = 'sentinel_name'
const w = wordsOf(NAME_WORDS)

/** Keeps the name for the next decision in this browser. */
export function rememberName(c: Context, name: string): void {
  setCookie(c, NAME_COOKIE, encodeURIComponent(name), { path: '/', httpOnly: true, sameSite: 'Lax', maxAge: 365 * 86_400 })
}

/** The name this browser gave last, or ''. */
export function rememberedName(c: Context): string {
  const raw = getCookie(c, NAME_COOKIE)
  try {
    return raw ? decodeURIComponent(raw).slice(0, MAX_NAME_CHARS) : ''
  } catch {
    return ''
  }
}

interface NameFieldProps {
  id: string
  lang: Lang
  value: string
  /** what is wrong with the name sent, shown at the field */
  error?: string | undefined
}

/** Label, hint, the field's own error and the input, named `by`. */
export function NameField({ id, lang, value, error }: NameFieldProps) {
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label class="label" for={id}>
        {w(lang, 'yourName')}
      </label>
      <p class="hint" id={`${id}-hint`}>
        {w(lang, 'nameHint')}
      </p>
      {error && (
        <p class="error-message" id={`${id}-error`}>
          {error}
        </p>
      )}
      <input
        class="input"
        id={id}
        name="by"
        value={value}
        maxlength={MAX_NAME_CHARS}
        autocomplete="name"
        required
        aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
        {...(error ? { 'aria-invalid': 'true' } : {})}
      />
    </div>
  )
}
