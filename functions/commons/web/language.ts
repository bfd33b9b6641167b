// The one choice of language for every page and API answer: `?lang=` first, then the `lang` cookie
// the unit pages set, then Accept-Language, then Chinese.
import type { MiddlewareHandler } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { pickLang } from '../i18n.ts'
import type { AppEnv } from './deps.ts'

const COOKIE = 'lang'

/** Sets `lang` for the handlers of every route. */
export const chooseLanguage: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('lang', pickLang(c.req.query('lang') ?? getCookie(c, COOKIE), c.req.header('accept-language')))
  await next()
}

/** On a unit's pages, a language picked by `?lang=` stays picked for that browser. */
export const rememberLanguage: MiddlewareHandler<AppEnv> = async (c, next) => {
  const query = c.req.query('lang')
  if (query === 'zh' || query === 'en') setCookie(c, COOKIE, query, { path: '/', sameSite: 'Lax', maxAge: 365 * 86_400, httpOnly: true })
  await next()
}
