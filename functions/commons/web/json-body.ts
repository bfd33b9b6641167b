// JSON request bodies: read one way, and validated with zod through Hono's validator where a route
// knows their shape (a handler then reads `c.req.valid('json')`).
import type { Context, Env, MiddlewareHandler } from 'hono'
import { validator } from 'hono/validator'
import type { z } from 'zod'
import { apiError } from './errors.tsx'

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
export async function readJson(c: Context): Promise<{ value: unknown } | undefined> {
  if (!JSON_TYPE.test(c.req.header('content-type') ?? '')) return undefined
  try {
    return { value: JSON.parse(await c.req.text()) as unknown }
  } catch {
    return undefined
  }
}

/** The answer to a form's body that is not JSON. */
export const unsupportedMediaType = (c: Context) =>
  apiError(c, 415, 'unsupported_media_type', 'send a JSON object with Content-Type: application/json')

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
