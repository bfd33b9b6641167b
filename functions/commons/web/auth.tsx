// Who may call what: one place that builds each guard, with the 401 answers written once.
//   unit token      the API's bearer, and the unit's own link /u/<token> on pages
//   approver token  the API's bearer (the admin token too), and the approver's link /a/<token>
//   admin token     the API's bearer, and the office's sign-in cookie on pages
//   leader token    the leader's link /l/<token> to the read-only dashboard
import type { MiddlewareHandler } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'
import { getCookie } from 'hono/cookie'
import { approverForToken, type Decider, deciderForToken } from '../approvals/requests.ts'
import { type Lang, wordsOf } from '../i18n.ts'
import { type LeaderStore, leaderForToken } from '../leaders/leaders.ts'
import type { ApprovalStore } from '../store.ts'
import { unitForToken } from '../units/roster.ts'
import { secretMatches } from '../units/tokens.ts'
import { type AppDeps, type AppEnv, signedLinksOf } from './deps.ts'
import { ErrorPage } from './layout.tsx'

export type ApproverEnv = AppEnv & { Variables: { decider: Decider; base: string } }
export type UnitPageEnv = AppEnv & { Variables: { token: string; base: string } }

/** The office's sign-in cookie (admin-session.ts sets it). */
export const ADMIN_COOKIE = 'sentinel_admin'

const w = wordsOf({
  badUnitLink: {
    zh: '链接无效或已更换，请向办公室索取新链接。',
    en: 'This link is not valid (it may have been replaced). Ask the office for a new one.',
  },
  badApproverLink: { zh: '链接无效，请向办公室索取审批链接。', en: 'This link is not valid. Ask the office for your approver link.' },
  badLeaderLink: {
    zh: '链接无效或已更换，请向办公室索取新链接。',
    en: 'This link is not valid (it may have been replaced). Ask the office for a new one.',
  },
} satisfies Record<string, Record<Lang, string>>)

/** The JSON of a refused bearer, naming the token it wants. */
const unauthorized = (who: string) => ({
  noAuthenticationHeader: { message: { error: 'unauthorized', message: `Authorization: Bearer <${who}> required` } },
  invalidToken: { message: { error: 'unauthorized', message: `invalid ${who}` } },
  invalidAuthenticationHeader: { message: { error: 'unauthorized', message: 'malformed Authorization header' } },
})

/** API: a unit's token; sets `unit`. */
export function unitBearer(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return bearerAuth<AppEnv>({
    verifyToken: async (token, c) => {
      const unit = await unitForToken(deps.stores.units, token, signedLinksOf(deps))
      if (unit) c.set('unit', unit)
      return unit !== undefined
    },
    ...unauthorized('unit token'),
  })
}

/** API: an approver's token or the admin token; sets `decider`. */
export function approverBearer(deps: AppDeps, store: ApprovalStore): MiddlewareHandler<AppEnv & { Variables: { decider: Decider } }> {
  return bearerAuth<AppEnv & { Variables: { decider: Decider } }>({
    verifyToken: async (token, c) => {
      const decider = await deciderForToken(store, deps.adminTokenHash, token)
      if (decider) c.set('decider', decider)
      return decider !== undefined
    },
    ...unauthorized('approver or admin token'),
  })
}

/** API: the admin token. */
export function adminBearer(deps: Pick<AppDeps, 'adminTokenHash'>): MiddlewareHandler {
  return bearerAuth({ verifyToken: (token) => secretMatches(token, deps.adminTokenHash), ...unauthorized('admin token') })
}

/** Pages under /u/:token: the unit whose link it is, or a page saying the link is not valid. */
export function unitLinkPage(deps: AppDeps): MiddlewareHandler<UnitPageEnv> {
  return async (c, next) => {
    const lang = c.get('lang')
    const token = c.req.param('token') ?? ''
    const unit = await unitForToken(deps.stores.units, token, signedLinksOf(deps))
    if (!unit) return c.html(<ErrorPage lang={lang} message={w(lang, 'badUnitLink')} path={c.req.path} />, 404)
    c.set('unit', unit)
    c.set('token', token)
    c.set('base', `/u/${token}`)
    await next()
  }
}

/** Pages under /a/:token: the approver whose link it is, or a page saying the link is not valid. */
export function approverLinkPage(store: ApprovalStore): MiddlewareHandler<ApproverEnv> {
  return async (c, next) => {
    const lang = c.get('lang')
    const token = c.req.param('token') ?? ''
    const decider = await approverForToken(store, token)
    if (!decider) return c.html(<ErrorPage lang={lang} message={w(lang, 'badApproverLink')} path={c.req.path} />, 404)
    c.set('decider', decider)
    c.set('base', `/a/${token}`)
    await next()
  }
}

/** The leaders' dashboard under /l/:token: the leader whose link it is, or a page saying the link is not valid. */
export function leaderLinkPage(store: LeaderStore): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const lang = c.get('lang')
    if (!(await leaderForToken(store, c.req.param('token') ?? ''))) {
      return c.html(<ErrorPage lang={lang} message={w(lang, 'badLeaderLink')} path={c.req.path} />, 404)
    }
    await next()
  }
}

/** The admin token from the bearer header or the sign-in cookie, when it is the right one. */
function isAdmin(deps: Pick<AppDeps, 'adminTokenHash'>, authorization: string | undefined, cookie: string | undefined): boolean {
  const bearer = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1]
  const presented = bearer ?? cookie
  return presented !== undefined && secretMatches(presented, deps.adminTokenHash)
}

/** The office's pages: lets the office in, or sends the browser to the sign-in form. */
export function officeSession(deps: Pick<AppDeps, 'adminTokenHash'>): MiddlewareHandler {
  return async (c, next) => {
    if (isAdmin(deps, c.req.header('authorization'), getCookie(c, ADMIN_COOKIE))) return next()
    return c.redirect(`/admin/login?next=${encodeURIComponent(c.req.path)}`, 303)
  }
}
