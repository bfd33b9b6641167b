// Browser access to the office's pages. The admin token is typed once into the sign-in form and
// opens a session: a random id in an HttpOnly, SameSite=Strict cookie (`__Host-` and Secure over
// TLS), stored only as a hash with its expiry, ended at sign-out, replaced at each sign-in, and
// ended for every browser when the admin token changes. The cookie is never the admin token and
// is never accepted as an API bearer. API clients keep using the bearer header.
import type { Context } from 'hono'
import { Hono } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { CookiePrefixOptions } from 'hono/utils/cookie'
import { hashSecret, newSecret, secretMatches } from '../units/tokens.ts'
import { type AppDeps, type AppEnv, clientOf } from './deps.ts'

const SESSION_COOKIE = 'sentinel_session'
const SESSION_S = 12 * 3600

type SessionDeps = Pick<AppDeps, 'adminTokenHash' | 'stores' | 'clock' | 'client'>

/** Over TLS the cookie is `__Host-` prefixed (Secure, this host only, path /). */
const cookiePrefix = (deps: SessionDeps, c: Context): CookiePrefixOptions | undefined => (clientOf(deps, c).tls ? 'host' : undefined)

const sessionIdOf = (deps: SessionDeps, c: Context) => getCookie(c, SESSION_COOKIE, cookiePrefix(deps, c))

/** True when the request carries a session that is open: known, unexpired, of the current admin token. */
export async function openSession(deps: SessionDeps, c: Context): Promise<boolean> {
  const id = sessionIdOf(deps, c)
  if (!id) return false
  const session = await deps.stores.sessions.get(hashSecret(id))
  if (!session) return false
  if (Date.parse(session.expiresAt) > deps.clock.now().getTime() && session.adminTokenHash === deps.adminTokenHash) return true
  await deps.stores.sessions.delete(session.idHash)
  return false
}

const safeNext = (next: string | undefined) => (next && /^\/[A-Za-z0-9/_.-]*$/.test(next) && !next.startsWith('//') ? next : '/office')

const loginPage = (next: string, failed: boolean) => `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>办公室登录 · Office sign-in</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}input{font:inherit;width:100%;padding:.5rem;border:2px solid #0b0c0c;margin:.3rem 0 1rem}button{font:inherit;font-weight:700;padding:.6rem 1.2rem;border:0;background:#00703c;color:#fff}.error{color:#d4351c;font-weight:700}</style>
</head><body><h1>办公室登录 · Office sign-in</h1>
${failed ? '<p class="error" role="alert">令牌不正确 · Wrong token</p>' : ''}
<form method="post" action="/admin/login"><input type="hidden" name="next" value="${next}">
<label for="token">管理令牌 · Admin token</label><input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">登录 · Sign in</button></form></body></html>`

export function createOfficeSession(deps: SessionDeps): Hono<AppEnv> {
  const session = new Hono<AppEnv>()
  const endPresentSession = async (c: Context) => {
    const id = sessionIdOf(deps, c)
    if (id) await deps.stores.sessions.delete(hashSecret(id))
  }
  session.get('/login', (c) => c.html(loginPage(safeNext(c.req.query('next')), false)))
  session.post('/login', async (c) => {
    const form = await c.req.parseBody()
    const token = typeof form.token === 'string' ? form.token.trim() : ''
    const next = safeNext(typeof form.next === 'string' ? form.next : undefined)
    if (!secretMatches(token, deps.adminTokenHash)) {
      await c.get('guard').refused(c, 'admin')
      return c.html(loginPage(next, true), 401)
    }
    // A new id at every sign-in: an id planted before it (session fixation) is never promoted.
    await endPresentSession(c)
    const id = newSecret()
    const now = deps.clock.now()
    await deps.stores.sessions.put({
      idHash: hashSecret(id),
      adminTokenHash: deps.adminTokenHash,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + SESSION_S * 1000).toISOString(),
    })
    const prefix = cookiePrefix(deps, c)
    setCookie(c, SESSION_COOKIE, id, {
      path: '/',
      httpOnly: true,
      sameSite: 'Strict',
      secure: prefix === 'host',
      maxAge: SESSION_S,
      ...(prefix ? { prefix } : {}),
    })
    return c.redirect(next, 303)
  })
  session.post('/logout', async (c) => {
    await endPresentSession(c)
    const prefix = cookiePrefix(deps, c)
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: prefix === 'host', ...(prefix ? { prefix } : {}) })
    return c.redirect('/admin/login', 303)
  })
  return session
}
