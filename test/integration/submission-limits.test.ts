// What a submission may not do again: reuse its Idempotency-Key for other content, or pile up
// versions of one record without end. Both are refused with a clear 422 and store nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_VERSIONS_PER_RECORD } from '#commons/records/submissions.ts'
import { emergencyRequest, healthReport, newKey, submission } from '../../testkit/fixtures.ts'
import { type Harness, startHarness } from '../../testkit/harness.ts'

let h: Harness
let park: string

beforeAll(async () => {
  h = await startHarness()
  park = await h.unit('park-east', ['daily-health', 'emergency'])
})
afterAll(() => h.close())

const post = (formId: string, init: RequestInit) => h.app.request(`/api/forms/${formId}/submissions`, init)

describe('an Idempotency-Key used again', () => {
  it('with the same body answers the stored 200; with another body, 422 idempotency_key_reused and nothing stored', async () => {
    const key = newKey()
    const first = await post('emergency', submission(park, emergencyRequest({ description: '第一次' }), key))
    expect(first.status).toBe(201)
    const receipt = await first.json()
    // The same content with its fields in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(emergencyRequest({ description: '第一次' })).reverse())
    const again = await post('emergency', submission(park, reordered, key))
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual(receipt)

    const other = await post('emergency', submission(park, emergencyRequest({ description: '另一件事' }), key))
    expect(other.status).toBe(422)
    expect(await other.json()).toMatchObject({ error: 'idempotency_key_reused' })
    const versions = await h.stores.records.versions((receipt as { id: string }).id)
    expect(versions.map((v) => v.values.description)).toEqual(['第一次'])
  })

  it('on a daily report: the correction under the first key is refused, under a new key stored', async () => {
    const key = newKey()
    expect((await post('daily-health', submission(park, healthReport({ staffTotal: 40 }), key))).status).toBe(201)
    const reused = await post('daily-health', submission(park, healthReport({ staffTotal: 41 }), key))
    expect(reused.status).toBe(422)
    expect(await reused.json()).toMatchObject({ error: 'idempotency_key_reused' })
    expect((await post('daily-health', submission(park, healthReport({ staffTotal: 41 })))).status).toBe(201)
  })

  it('on the unit’s page answers a page that says the changes were not saved', async () => {
    const key = newKey()
    const { supplies: __, ...first } = emergencyRequest({ category: 'staffing' })
    expect((await post('emergency', submission(park, first, key))).status).toBe(201)
    const { supplies: _, ...fields } = emergencyRequest({ category: 'staffing', description: '页面上改过' })
    const form = new URLSearchParams({ ...fields, _key: key })
    const res = await h.app.request(`http://localhost/u/${park}/forms/emergency`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: form.toString(),
    })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('本次修改未保存')
  })
})

describe('versions of one record', () => {
  it(`stop at ${MAX_VERSIONS_PER_RECORD}: the next correction gets 422 too_many_versions, and the record keeps its versions`, async () => {
    const other = await h.unit('park-west', ['daily-health'])
    // Today's report stays open for corrections until local midnight.
    for (let v = 1; v <= MAX_VERSIONS_PER_RECORD; v++) {
      const res = await post('daily-health', submission(other, healthReport({ staffTotal: 100 + v })))
      expect(res.status, `version ${v}`).toBe(201)
    }
    const over = await post('daily-health', submission(other, healthReport({ staffTotal: 999 })))
    expect(over.status).toBe(422)
    expect(await over.json()).toMatchObject({ error: 'too_many_versions' })
    const versions = await h.stores.records.versions('daily-health.2026-11-28.park-west')
    expect(versions).toHaveLength(MAX_VERSIONS_PER_RECORD)
    expect(versions.at(-1)?.values.staffTotal).toBe(100 + MAX_VERSIONS_PER_RECORD)
  })
})
