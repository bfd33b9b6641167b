// Token guessing shows as refused tokens and links: 401 (bearer or sign-in), 403 (a forged or
// expired acknowledge link) and 404 (an unknown unit or approver link). An address that collects
// `limit` of them within `windowMs` gets 429 on every guarded route until the window ends, its
// right tokens included: otherwise a guesser would only be slowed once it had already won.
// Successful requests are never counted, so a busy office behind one NAT address is not throttled.
// Counts live in the process (one Lambda instance each); the HTTP API's stage throttling bounds the
// total, and 192-bit tokens (units/tokens.ts) keep guessing hopeless either way — this takes the noise off the logs
// and the database.
import type { Context, MiddlewareHandler } from 'hono'
import type { Logger } from '../log.ts'

export interface GuessingGuardOptions {
  limit: number
  windowMs: number
  now: () => number
  /** the client's address as the edge sees it (socket or API Gateway's sourceIp) */
  addressOf: (c: Context) => string | undefined
  log: Logger
}

export const GUESSING_LIMIT = 20
export const GUESSING_WINDOW_MS = 10 * 60_000
/** Refusals that tell a guesser its token or link was wrong. */
const REFUSED = new Set([401, 403, 404])
/** Memory stays bounded under a spray from many addresses. */
const MAX_ADDRESSES = 50_000

export function guessingGuard(options: GuessingGuardOptions): MiddlewareHandler {
  const failures = new Map<string, { count: number; windowEnds: number }>()
  return async (c, next) => {
    const address = options.addressOf(c) ?? 'unknown'
    const now = options.now()
    const entry = failures.get(address)
    if (entry && entry.windowEnds <= now) failures.delete(address)
    else if (entry && entry.count >= options.limit) {
      const retryAfterS = Math.ceil((entry.windowEnds - now) / 1000)
      c.header('Retry-After', String(retryAfterS))
      const message = 'too many refused tokens or links from this address; wait and retry'
      return c.req.path.startsWith('/api/')
        ? c.json({ error: 'rate_limited', message, retryAfterS }, 429)
        : c.text(
            `请求过多，请 ${Math.ceil(retryAfterS / 60)} 分钟后再试。Too many refused links from this address: retry in ${retryAfterS} s.`,
            429,
          )
    }
    await next()
    if (!REFUSED.has(c.res.status)) return
    const current = failures.get(address)
    if (current) current.count++
    else {
      if (failures.size >= MAX_ADDRESSES) failures.clear()
      failures.set(address, { count: 1, windowEnds: now + options.windowMs })
    }
    if (failures.get(address)?.count === options.limit) options.log.warn('token guessing refused', { address, limit: options.limit })
  }
}
