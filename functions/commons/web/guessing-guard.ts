// Token guessing shows as refused tokens and links: a wrong bearer, an unknown unit or approver
// link, a forged or expired acknowledge link, a wrong admin token at sign-in. Only those are
// counted (never a CSRF refusal or an unknown path, which any web page can make a browser send),
// per address and per the unit or approver the token names, in fixed windows kept in the table so
// every Lambda instance counts together. Past `limit` in a window, refusals answer 429 with
// Retry-After. A request with a valid token or session is never refused here: a page elsewhere
// must not be able to lock the office or a unit out. 192-bit tokens (units/tokens.ts) keep guessing
// hopeless either way; this keeps the noise off the logs and the database, and names the guesser.
import type { Context, MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { Logger } from '../log.ts'
import type { RefusalCounter } from '../store.ts'

export interface GuessingGuardOptions {
  limit: number
  windowMs: number
  now: () => number
  /** the client's address as the edge sees it (socket, trusted proxy or API Gateway's sourceIp) */
  addressOf: (c: Context) => string | undefined
  counter: RefusalCounter
  log: Logger
}

export interface GuessingGuard {
  /**
   * Counts one refused token or link. `subject` is what the token claimed to be (see
   * subjectOfToken; 'admin' for the admin token). Throws a 429 once the address or the subject
   * is over the limit; otherwise the caller answers its own refusal.
   */
  refused(c: Context, subject: string | undefined): Promise<void>
}

export const GUESSING_LIMIT = 20
export const GUESSING_WINDOW_MS = 10 * 60_000
/** Keys known to be over the limit, so a spray costs no table write: bounded under many addresses. */
const MAX_BLOCKED = 10_000

/** The unit or approver a presented token or link names (`<unitId>.…`, `approver.<id>.…`), if any. */
export function subjectOfToken(token: string): string | undefined {
  const match = /^(approver\.)?([a-z0-9][a-z0-9-]{0,39})\./.exec(token)
  if (!match) return undefined
  return `${match[1] ? 'approver' : 'unit'}:${match[2]}`
}

export function guessingGuard(options: GuessingGuardOptions): GuessingGuard {
  const blockedUntil = new Map<string, number>()
  const tooMany = (c: Context, retryAfterS: number): never => {
    const message = 'too many refused tokens or links; wait and retry'
    const headers = { 'Retry-After': String(retryAfterS) }
    const res = c.req.path.startsWith('/api/')
      ? Response.json({ error: 'rate_limited', message, retryAfterS }, { status: 429, headers })
      : new Response(`请求过多，请 ${Math.ceil(retryAfterS / 60)} 分钟后再试。Too many refused links: retry in ${retryAfterS} s.`, {
          status: 429,
          headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
        })
    throw new HTTPException(429, { res })
  }
  return {
    async refused(c, subject) {
      const now = options.now()
      const windowIndex = Math.floor(now / options.windowMs)
      const endsAt = (windowIndex + 1) * options.windowMs
      const retryAfterS = Math.max(1, Math.ceil((endsAt - now) / 1000))
      const keys = [`address:${options.addressOf(c) ?? 'unknown'}`, ...(subject ? [subject] : [])]
      if (keys.some((key) => (blockedUntil.get(key) ?? 0) > now)) tooMany(c, retryAfterS)
      const counts = await options.counter.add(keys, { id: `W${options.windowMs}#${windowIndex}`, endsAt: new Date(endsAt) })
      counts.forEach((count, i) => {
        if (count < options.limit) return
        const key = keys[i] as string
        // A client's address is personal data: it stays out of the Lambda log.
        if (count === options.limit)
          options.log.warn('token guessing refused', { kind: key.split(':')[0], limit: options.limit, personal: { key } })
        if (blockedUntil.size >= MAX_BLOCKED) blockedUntil.clear()
        blockedUntil.set(key, endsAt)
      })
      // The limit-th refusal is still answered as itself; those after it are throttled.
      if (counts.some((count) => count > options.limit)) tooMany(c, retryAfterS)
    },
  }
}

/** Makes the app's guard reachable from every route's auth check (`c.get('guard')`). */
export const provideGuard =
  (guard: GuessingGuard): MiddlewareHandler =>
  async (c, next) => {
    c.set('guard', guard)
    await next()
  }
