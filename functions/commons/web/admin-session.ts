// Browser access to the office's pages: the admin token typed once into a login form and kept
// in an HttpOnly, SameSite=Strict cookie. API clients keep using the bearer header.
import { Hono } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import { secretMatches } from '../units/tokens.ts'
import { ADMIN_COOKIE } from './auth.tsx'
import type { AppDeps, AppEnv } from './deps.ts'
import { limitBody } from './errors.tsx'

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

export function createAdminSession(deps: AppDeps): Hono<AppEnv> {
  const session = new Hono<AppEnv>()
  session.get('/login', (c) => c.html(loginPage(safeNext(c.req.query('next')), false)))
  // A token and where to go next: a small body is plenty.
  session.post('/login', limitBody(4096), async (c) => {
    const form = await c.req.parseBody()
    const token = typeof form.token === 'string' ? form.token.trim() : ''
    const next = safeNext(typeof form.next === 'string' ? form.next : undefined)
    if (!secretMatches(token, deps.adminTokenHash)) return c.html(loginPage(next, true), 401)
    setCookie(c, ADMIN_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'Strict',
      secure: new URL(c.req.url).protocol === 'https:',
      maxAge: 12 * 3600,
    })
    return c.redirect(next, 303)
  })
  session.post('/logout', (c) => {
    deleteCookie(c, ADMIN_COOKIE, { path: '/' })
    return c.redirect('/admin/login', 303)
  })
  return session
}
