// Property-based checks over every form definition (fast-check): whatever the body, the answer is
// 2xx or 4xx, never 5xx; valid values are stored unchanged and reach the workbook; hostile strings
// are stored literally and escaped in every page.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Field, FormDefinition } from '#commons/forms/definition.ts'
import { newKey, submission } from '../../testkit/fixtures.ts'
import { dataRows, type Harness, startHarness } from '../../testkit/harness.ts'

let h: Harness
let token: string

beforeAll(async () => {
  h = await startHarness()
  token = await h.unit(
    'fuzz',
    h.forms.all.map((f) => f.id),
  )
})
afterAll(() => h.close())

const hostile = fc.constantFrom(
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '=HYPERLINK("http://evil","click")',
  '+1+1',
  '-2+3',
  '@SUM(A1:A9)',
  '\t=1',
  '__proto__',
  'constructor',
  '𠜎𠜱𠝹 ‮reversed‬ \u0000nul',
  'Ｆｕｌｌ　ｗｉｄｔｈ',
  '💉🦠'.repeat(20),
)

const text = (max: number) =>
  fc
    .oneof(hostile, fc.string({ minLength: 1, maxLength: Math.min(max, 60) }))
    .filter((s) => s.trim() !== '' && s.trim() === s && s.length <= max)

/** A value the field accepts. */
function validValue(field: Field): fc.Arbitrary<unknown> {
  switch (field.type) {
    case 'integer':
      return fc.integer({ min: field.min, max: Math.min(field.max, field.min + 50) })
    case 'text':
    case 'textarea':
      return text(field.maxLength)
    case 'boolean':
      return fc.boolean()
    case 'select':
      return fc.constantFrom(...field.options.map((o) => o.value))
    case 'phone':
      return fc.constantFrom('13800138000', '+86 10 6234 5678', '010-62345678')
    case 'itemList':
      return fc.array(fc.record({ item: text(100), quantity: fc.integer({ min: 1, max: 1000 }) }), {
        minLength: 1,
        maxLength: field.maxItems,
      })
    case 'linkList':
      return fc.array(fc.constantFrom('https://example.org/a.pdf', 'http://intranet/notice?id=1'), {
        minLength: 1,
        maxLength: field.maxItems,
      })
    case 'photo':
      // a photo needs an upload first (test/integration/photos.test.ts): left out here (JSON drops undefined)
      return fc.constant(undefined)
    case 'location':
      return fc.record({
        // micro-degrees, as phones report them (JSON has no -0, DynamoDB no 5e-324)
        lat: fc.integer({ min: -90_000_000, max: 90_000_000 }).map((n) => n / 1e6 + 0),
        lng: fc.integer({ min: -180_000_000, max: 180_000_000 }).map((n) => n / 1e6 + 0),
        accuracy: fc.integer({ min: 0, max: 5000 }),
      })
  }
}

/** Values for every field, made to satisfy the form's cross-field rules. */
function validBody(form: FormDefinition): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(form.fields.map((f) => [f.id, validValue(f)]))).map((body) => {
    for (const rule of form.rules) {
      if (rule.kind === 'sumAtMost') {
        const max = body[rule.max] as number
        for (const id of rule.fields) body[id] = 0
        body[rule.fields[0] as string] = Math.min(max, 1)
      }
    }
    return body
  })
}

const anyJson = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'staffTotal', 'date', 'supplies')), fc.jsonValue()),
)

describe('any body', () => {
  it('gets 2xx or 4xx with issues, never 5xx, for every form', async () => {
    for (const form of h.forms.all) {
      await fc.assert(
        fc.asyncProperty(anyJson, async (body) => {
          const res = await h.app.request(`/api/forms/${form.id}/submissions`, submission(token, JSON.stringify(body), newKey()))
          expect(res.status).toBeLessThan(500)
          if (res.status === 422) expect(((await res.json()) as { issues: unknown[] }).issues.length).toBeGreaterThan(0)
        }),
        { numRuns: 60 },
      )
    }
  })

  it('gets 4xx for raw bytes that are not JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
        const res = await h.app.request('/api/forms/daily-health/submissions', {
          ...submission(token, ''),
          body: bytes,
        })
        expect(res.status).toBeGreaterThanOrEqual(200)
        expect(res.status).toBeLessThan(500)
      }),
      { numRuns: 60 },
    )
  })
})

describe('valid values', () => {
  it('are stored unchanged, shown escaped, and reach the workbook as text that is never a formula', async () => {
    for (const form of h.forms.all) {
      await fc.assert(
        fc.asyncProperty(validBody(form), async (body) => {
          const res = await h.app.request(`/api/forms/${form.id}/submissions`, submission(token, body, newKey()))
          expect(res.status, JSON.stringify(await res.clone().json())).toBeLessThan(300)
          const { id, version } = (await res.json()) as { id: string; version: number }
          const stored = (await h.stores.records.versions(id)).find((v) => v.version === version)
          expect(stored?.values).toEqual(body)
          const page = await (await h.app.request(`/u/${token}/records/${id}?v=${version}`)).text()
          expect(page).not.toMatch(/<script>alert|<img src=x/)
        }),
        { numRuns: 15 },
      )
    }
    await h.mirror()
    for (const form of h.forms.all) {
      for (const row of await dataRows(h.sink.path, form.tab)) {
        for (const cell of row) {
          if (typeof cell === 'string') expect(cell).not.toMatch(/^[=+\-@\t\r\n]/)
          else if (cell !== null && cell !== undefined) expect(typeof cell).toBe('number')
        }
      }
    }
  })
})
