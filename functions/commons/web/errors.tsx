// What the app answers when something is refused or fails: JSON on /api, a page in the request's
// language elsewhere. Named domain errors map to statuses here, once, for every route.
import type { Context, ErrorHandler, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { AlreadyDecidedError, ApprovalConflictError, ApprovalInputError, ApprovalNotFoundError } from '../approvals/requests.ts'
import { DeadlineInputError } from '../daily/deadlines.ts'
import { EmergencyNotFoundError } from '../emergencies/emergency.ts'
import { type Lang, wordsOf } from '../i18n.ts'
import { LeaderInputError, LeaderNotFoundError } from '../leaders/leaders.ts'
import type { Logger } from '../log.ts'
import { IdempotencyKeyReusedError, ReopenTooOldError, TooManyVersionsError } from '../records/submissions.ts'
import { isStoreUnavailable, UNAVAILABLE_MESSAGE, UNAVAILABLE_RETRY_AFTER_S } from '../unavailable.ts'
import { UnitInputError, UnitNotFoundError } from '../units/roster.ts'
import type { AppEnv } from './deps.ts'
import { ErrorPage } from './layout.tsx'

const words = {
  notFound: { zh: '未找到', en: 'Not found' },
  conflict: { zh: '内容已有变化，未作更改。', en: 'Something changed meanwhile; nothing was changed.' },
  invalid: { zh: '提交的内容有误。', en: 'What you sent cannot be used.' },
  tooLarge: { zh: '提交内容过大', en: 'What you sent is too large' },
  keyReused: {
    zh: '这次提交的编号已用于另一份内容，本次修改未保存。请重新打开表单再提交。',
    en: 'This submission’s key was already used for other content; these changes were not saved. Open the form again and resubmit.',
  },
  tooManyVersions: {
    zh: '这份记录的修改次数已达上限，本次未保存。如需更正，请联系办公室。',
    en: 'This record has been changed too many times; this change was not saved. Ask the office for a correction.',
  },
} satisfies Record<string, Record<Lang, string>>
const w = wordsOf(words)

export const apiError = (c: Context, status: ContentfulStatusCode, error: string, message: string) => c.json({ error, message }, status)

const isApi = (c: Context) => c.req.path.startsWith('/api/')

/** A page in the request's language that says only what went wrong. */
const errorPage = (c: Context<AppEnv>, status: ContentfulStatusCode, message: keyof typeof words) =>
  c.html(<ErrorPage lang={c.get('lang')} message={w(c.get('lang'), message)} path={c.req.path} />, status)

/**
 * Refuses a body over `maxSize` bytes with 413. A declared Content-Length, to which Node's parser
 * holds the body, is checked at once: Hono's limit reads `raw.body`, for which the Node adapter builds
 * a whole web Request on every post. Chunked bodies still go through Hono's counting.
 */
export function limitBody(maxSize: number): MiddlewareHandler<AppEnv> {
  const tooLarge = (c: Context<AppEnv>) =>
    isApi(c) ? apiError(c, 413, 'too_large', `body over ${maxSize} bytes`) : errorPage(c, 413, 'tooLarge')
  const counted = bodyLimit({ maxSize, onError: tooLarge })
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
    const declared = c.req.header('content-length')
    if (declared === undefined || c.req.header('transfer-encoding') !== undefined) return counted(c, next)
    if (Number(declared) > maxSize) return tooLarge(c)
    await next()
  }
}

interface Mapping {
  status: 404 | 409 | 422
  /** the `error` of the JSON answer */
  error: string
  /** the `message` of the JSON answer */
  message: (error: Error) => string
  /** what a page says */
  page: keyof typeof words
}

const notFound = (message: (error: Error) => string): Mapping => ({ status: 404, error: 'not_found', message, page: 'notFound' })
const invalid: Mapping = { status: 422, error: 'validation', message: (e) => e.message, page: 'invalid' }

const mappings: [new (...args: never[]) => Error, Mapping][] = [
  [UnitNotFoundError, notFound((e) => e.message)],
  [ApprovalNotFoundError, notFound((e) => (e.message.startsWith('no approver') ? e.message : 'no such request'))],
  [LeaderNotFoundError, notFound((e) => e.message)],
  [EmergencyNotFoundError, notFound(() => 'no such emergency')],
  [AlreadyDecidedError, { status: 409, error: 'already_decided', message: (e) => e.message, page: 'conflict' }],
  [ApprovalConflictError, { status: 409, error: 'conflict', message: (e) => e.message, page: 'conflict' }],
  [ApprovalInputError, invalid],
  [UnitInputError, invalid],
  [LeaderInputError, invalid],
  [DeadlineInputError, invalid],
  [ReopenTooOldError, invalid],
  [IdempotencyKeyReusedError, { status: 422, error: 'idempotency_key_reused', message: (e) => e.message, page: 'keyReused' }],
  [TooManyVersionsError, { status: 422, error: 'too_many_versions', message: (e) => e.message, page: 'tooManyVersions' }],
]

/** The app's one error handler: named domain errors to their status, the store out of reach to 503, the rest to 500. */
export function errorHandler(log: Logger): ErrorHandler<AppEnv> {
  return (error, c) => {
    if (error instanceof HTTPException) return error.getResponse()
    const mapped = mappings.find(([type]) => error instanceof type)?.[1]
    if (mapped) return isApi(c) ? apiError(c, mapped.status, mapped.error, mapped.message(error)) : errorPage(c, mapped.status, mapped.page)
    // The route's pattern, never the path: paths carry unit tokens and signed links.
    const where = { route: c.req.routePath, method: c.req.method, error }
    if (isStoreUnavailable(error)) {
      // Pages as well as the API: the database out of reach is the caller's to retry, not a 500.
      log.warn('database unavailable', where)
      c.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_S))
      return isApi(c)
        ? apiError(c, 503, 'unavailable', UNAVAILABLE_MESSAGE)
        : c.text(
            '系统暂时无法访问数据库，请稍后重试（已填写的内容不会丢失）。 The database cannot be reached just now; please retry in a few seconds.',
            503,
          )
    }
    // Clients never see the detail; the log has it.
    log.error('request failed', where)
    return isApi(c)
      ? apiError(c, 500, 'internal', 'internal error; nothing you sent was lost if you got no 2xx, retry with the same Idempotency-Key')
      : c.text('Internal error / 系统错误，请稍后重试', 500)
  }
}
