// What a client sends with a form: an HTML form post turned into the JSON-shaped body the API
// takes, and the idempotency key, for the API and the pages alike.
import { randomUUID } from 'node:crypto'
import type { Context } from 'hono'
import { activeFields, type FormDefinition } from '../forms/definition.ts'
import { type FormRaw, specOf } from '../forms/field-types.ts'

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/

/**
 * The idempotency key a client sent (Idempotency-Key header, or a page's hidden `_key`); a fresh one
 * when it sent none; undefined when what it sent is not a key.
 */
export function idempotencyKeyOf(sent: string | undefined): string | undefined {
  if (sent === undefined) return randomUUID()
  return IDEMPOTENCY_KEY.test(sent) ? sent : undefined
}

/** The JSON-shaped body of a form from its posted strings: the fields left empty are left out. */
export function formBody(form: FormDefinition, raw: FormRaw): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  for (const field of activeFields(form)) {
    const value = specOf(field).fromForm(field, raw)
    if (value !== undefined) body[field.id] = value
  }
  if (form.kind === 'daily' && raw.date?.[0]) body.date = raw.date[0]
  return body
}

/** A stored record's values as the strings its form is pre-filled with (a correction, a resubmission). */
export function prefilled(form: FormDefinition, values: Record<string, unknown>): FormRaw {
  return Object.assign({}, ...form.fields.map((f) => specOf(f).toForm(f, values[f.id])))
}

/** A form version a client names (a header, a page's hidden field); undefined when it names none or no number. */
export function versionOf(sent: string | undefined): number | undefined {
  return sent && /^[1-9]\d{0,5}$/.test(sent) ? Number(sent) : undefined
}

export interface FormPost {
  raw: FormRaw
  body: Record<string, unknown>
  idempotencyKey: string
}

/** An HTML form post of `form`. A page cannot answer a bad hidden key usefully, so it gets a fresh one. */
export async function readFormPost(c: Context, form: FormDefinition): Promise<FormPost> {
  const posted = await c.req.parseBody({ all: true })
  const raw: FormRaw = Object.fromEntries(
    Object.entries(posted).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string')]),
  )
  return { raw, body: formBody(form, raw), idempotencyKey: idempotencyKeyOf(raw._key?.[0] || undefined) ?? randomUUID() }
}
