// JSON request bodies: read one way, and validated with zod through Hono's validator where a route
// knows their shape (a handler then reads `c.req.valid('json')`).
import type { Context, Env, MiddlewareHandler } from 'hono'
import { validator } from 'hono/validator'
import type * as z from 'zod'
import { overRateMessage } from '../emergencies/unit-rate.ts'
import type { Lang } from '../i18n.ts'
import type { SubmissionOutcome } from '../records/submissions.ts'
import { apiError } from './errors.tsx'
import { idempotencyKeyOf } from './form-post.ts'

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i

export interface JsonBodyOptions {
  /** the message of the 422 answer when the schema refuses the body */
  hint: string
  /**
   * A body that is not JSON (its Content-Type, or its syntax): `invalid`, the schema's 422, or read
   * as `empty`, `{}`: a route whose every property is optional takes a bare POST.
   */
  notJson: 'invalid' | 'empty'
}

/** The parsed body, or undefined when it is not JSON (a form's body, which the domain validates against the form). */
async function readJson(c: Context): Promise<{ value: unknown } | undefined> {
  if (!JSON_TYPE.test(c.req.header('content-type') ?? '')) return undefined
  try {
    return { value: JSON.parse(await c.req.text()) as unknown }
  } catch {
    return undefined
  }
}

/**
 * What every API submission route takes: a form's JSON body (the domain validates it against the
 * form) and the Idempotency-Key; or the answer that refuses them.
 */
export async function readSubmission(c: Context): Promise<{ body: unknown; idempotencyKey: string } | Response> {
  const json = await readJson(c)
  if (json === undefined) return apiError(c, 415, 'unsupported_media_type', 'send a JSON object with Content-Type: application/json')
  const idempotencyKey = idempotencyKeyOf(c.req.header('idempotency-key'))
  if (idempotencyKey === undefined)
    return c.json({ error: 'validation', issues: [{ path: 'Idempotency-Key', message: 'use a UUID' }] }, 422)
  return { body: json.value, idempotencyKey }
}

/** A submission's outcome as the API answers it: 201 stored, 200 replayed, 422 with the issues. */
export function submissionAnswer(c: Context, outcome: SubmissionOutcome): Response {
  if (outcome.kind === 'invalid') return c.json({ error: 'validation', issues: outcome.issues }, 422)
  // Beyond the unit's alert rate the report is stored all the same; the unit is told what happens to it.
  const over = outcome.stored.alert?.overRate
  const receipt = over
    ? {
        ...outcome.receipt,
        alerting: { state: `over_unit_rate_${over.kind}`, message: overRateMessage((c.get('lang') as Lang | undefined) ?? 'zh', over) },
      }
    : outcome.receipt
  return c.json(receipt, outcome.kind === 'created' ? 201 : 200)
}

/** The body checked by `schema`, with the same 422 answer on every route that takes it. */
export function jsonBody<S extends z.ZodType<object>>(schema: S, { hint, notJson }: JsonBodyOptions) {
  const check = (value: unknown, c: Context): object | Response => {
    const result = schema.safeParse(value)
    return result.success ? result.data : apiError(c, 422, 'validation', hint)
  }
  const validate: MiddlewareHandler = validator('json', check)
  const middleware: MiddlewareHandler = async (c, next) => {
    // Hono's validator would answer a malformed body with its own 400: the route's rule answers instead.
    if ((await readJson(c)) !== undefined) return validate(c, next)
    if (notJson === 'invalid') return apiError(c, 422, 'validation', hint)
    const empty = check({}, c)
    if (empty instanceof Response) return empty
    c.req.addValidatedData('json', empty)
    await next()
  }
  // What the validator adds to the route's types, for `c.req.valid('json')` in the handler.
  return middleware as MiddlewareHandler<Env, string, { in: { json: z.input<S> }; out: { json: z.output<S> } }>
}
