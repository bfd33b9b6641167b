// Who may call what: one place that builds each guard, with the 401 answers written once.
//   unit token      the API's bearer, and the unit's own link /u/<token> on pages
//   approver token  the API's bearer (the admin token too), and the approver's link /a/<token>
//   admin token     the API's bearer; on pages, a sign-in opens a session (office-session.ts)
// A refused token or link is counted by the guessing guard (guessing-guard.ts), which may answer 429.
import type { MiddlewareHandler } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'
import { approverForToken, type Decider, deciderForToken } from '../approvals/requests.ts'
import { type Lang, wordsOf } from '../i18n.ts'
import type { ApprovalStore } from '../store.ts'
import { unitForToken } from '../units/roster.ts'
import { secretMatches } from '../units/tokens.ts'
import { type AppDeps, type AppEnv, signedLinksOf } from './deps.ts'
import { subjectOfToken } from './guessing-guard.ts'
import { ErrorPage } from './layout.tsx'
import { openSession } from './office-session.ts'

export type ApproverEnv = AppEnv & { Variables: { decider: Decider; base: string } }
export type UnitPageEnv = AppEnv & { Variables: { token: string; base: string } }

const w = wordsOf({
  badUnitLink: {
    zh: '链接无效或已更换，请向办公室索取新链接。',
    en: 'This link is not valid (it may have been replaced). Ask the office for a new one.',
  },
  badApproverLink: { zh: '链接无效，请向办公室索取审批链接。', en: 'This link is not valid. Ask the office for your approver link.' },
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
      else await c.get('guard').refused(c, subjectOfToken(token))
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
      else await c.get('guard').refused(c, subjectOfToken(token) ?? 'admin')
      return decider !== undefined
    },
    ...unauthorized('approver or admin token'),
  })
}

/** API: the admin token. */
export function adminBearer(deps: Pick<AppDeps, 'adminTokenHash'>): MiddlewareHandler<AppEnv> {
  return bearerAuth<AppEnv>({
    verifyToken: async (token, c) => {
      if (secretMatches(token, deps.adminTokenHash)) return true
      await c.get('guard').refused(c, 'admin')
      return false
    },
    ...unauthorized('admin token'),
  })
}

/** Pages under /u/:token: the unit whose link it is, or a page saying the link is not valid. */
export function unitLinkPage(deps: AppDeps): MiddlewareHandler<UnitPageEnv> {
  return async (c, next) => {
    const lang = c.get('lang')
    const token = c.req.param('token') ?? ''
    const unit = await unitForToken(deps.stores.units, token, signedLinksOf(deps))
    if (!unit) await c.get('guard').refused(c, subjectOfToken(token))
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
    if (!decider) await c.get('guard').refused(c, subjectOfToken(token))
    if (!decider) return c.html(<ErrorPage lang={lang} message={w(lang, 'badApproverLink')} path={c.req.path} />, 404)
    c.set('decider', decider)
    c.set('base', `/a/${token}`)
    await next()
  }
}

/** The office's pages: the admin token as a bearer, or an open session; else the sign-in form. */
export function officeSession(deps: Pick<AppDeps, 'adminTokenHash' | 'stores' | 'clock' | 'client'>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const bearer = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1]
    if (bearer !== undefined && !secretMatches(bearer, deps.adminTokenHash)) await c.get('guard').refused(c, 'admin')
    if ((bearer !== undefined && secretMatches(bearer, deps.adminTokenHash)) || (await openSession(deps, c))) return next()
    return c.redirect(`/admin/login?next=${encodeURIComponent(c.req.path)}`, 303)
  }
}
