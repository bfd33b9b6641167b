import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emergencyRequest, healthReport, newKey, siteReport, submission, wildlifeReport } from '../../testkit/fixtures.ts'
import { ADMIN_TOKEN, dataRows, type Harness, startHarness } from '../../testkit/harness.ts'

let h: Harness
let office: string
let park: string
let engineering: string

beforeAll(async () => {
  h = await startHarness()
  office = await h.unit('office', ['daily-health', 'emergency'])
  park = await h.unit('park-east', ['daily-health', 'wildlife-daily', 'emergency'])
  engineering = await h.unit('engineering', ['daily-health', 'site-daily', 'emergency'])
})
afterAll(() => h.close())

const post = (formId: string, init: RequestInit) => h.app.request(`/api/forms/${formId}/submissions`, init)

describe('GET /api/forms', () => {
  it('lists only the forms the unit may submit, with labels, bounds and options', async () => {
    const res = await h.app.request('/api/forms', { headers: { authorization: `Bearer ${park}` } })
    expect(res.status).toBe(200)
    const forms = (await res.json()) as { id: string; kind: string; fields: Record<string, unknown>[] }[]
    expect(forms.map((f) => f.id)).toEqual(['emergency', 'daily-health', 'wildlife-daily'])
    const staff = forms.find((f) => f.id === 'daily-health')?.fields.find((f) => f.id === 'staffTotal')
    expect(staff).toMatchObject({ type: 'integer', required: true, label: { zh: '在册人数', en: 'Staff on roll' }, min: 0 })
    const severity = forms.find((f) => f.id === 'emergency')?.fields.find((f) => f.id === 'severity')
    expect(severity?.options).toContainEqual({ value: 'critical', label: { zh: '特急', en: 'Critical' } })
  })

  it('refuses a missing or wrong token with 401', async () => {
    expect((await h.app.request('/api/forms')).status).toBe(401)
    expect((await h.app.request('/api/forms', { headers: { authorization: 'Bearer office.wrongwrongwrongwrong' } })).status).toBe(401)
  })
})

describe('POST /api/forms/{formId}/submissions', () => {
  it('stores each form and answers 201 with the receipt', async () => {
    const cases = [
      { token: office, formId: 'daily-health', body: healthReport() },
      { token: park, formId: 'wildlife-daily', body: wildlifeReport() },
      { token: engineering, formId: 'site-daily', body: siteReport() },
      { token: office, formId: 'emergency', body: emergencyRequest() },
    ]
    for (const { token, formId, body } of cases) {
      const res = await post(formId, submission(token, body))
      expect(res.status, formId).toBe(201)
      const receipt = (await res.json()) as Record<string, unknown>
      expect(receipt).toMatchObject({ formId, version: 1, date: '2026-11-28' })
      expect(Object.keys(receipt).sort()).toEqual(['date', 'formId', 'formVersion', 'id', 'receivedAt', 'unitId', 'version'])
      const stored = await h.stores.records.versions(receipt.id as string)
      expect(stored.at(-1)?.values).toEqual(body)
    }
  })

  it('accepts a zero report', async () => {
    const zeros = healthReport({ staffTotal: 0, onDuty: 0, remote: 0, returnedFromOutside: 0, partnerStaff: 0 })
    const unit = await h.unit('zero-unit', ['daily-health'])
    expect((await post('daily-health', submission(unit, zeros))).status).toBe(201)
  })

  it('answers a retry with the same key 200 and the same body, storing nothing new', async () => {
    const unit = await h.unit('retry-unit', ['emergency'])
    const key = newKey()
    const first = await post('emergency', submission(unit, emergencyRequest(), key))
    const again = await post('emergency', submission(unit, emergencyRequest(), key))
    expect(first.status).toBe(201)
    expect(again.status).toBe(200)
    const receipt = await first.json()
    expect(await again.json()).toEqual(receipt)
    expect(await h.stores.records.versions((receipt as { id: string }).id)).toHaveLength(1)
  })

  it('stores concurrent retries of one key once', async () => {
    const unit = await h.unit('race-unit', ['daily-health'])
    const key = newKey()
    const answers = await Promise.all(Array.from({ length: 8 }, () => post('daily-health', submission(unit, healthReport(), key))))
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201])
    const day = await h.stores.records.currentOfDay('daily-health', '2026-11-28')
    const mine = day.filter((r) => r.unitId === 'race-unit')
    expect(mine).toHaveLength(1)
    expect(mine[0]?.version).toBe(1)
  })

  it('answers a retry that crossed local midnight without a date with the first receipt', async () => {
    const unit = await h.unit('midnight-unit', ['daily-health'])
    const key = newKey()
    h.clock.set('2026-11-28T15:59:50Z') // 23:59:50 in Shanghai
    try {
      const first = await post('daily-health', submission(unit, healthReport(), key))
      h.clock.set('2026-11-28T16:00:10Z') // 00:00:10 on the 29th
      const retry = await post('daily-health', submission(unit, healthReport(), key))
      expect(retry.status).toBe(200)
      expect(await retry.json()).toEqual(await first.json())
      expect((await h.stores.records.currentOfDay('daily-health', '2026-11-29')).filter((r) => r.unitId === 'midnight-unit')).toEqual([])
    } finally {
      h.clock.set('2026-11-28T02:00:00Z')
    }
  })

  it('keeps one current record per unit and day, a rising version, and the earlier versions', async () => {
    const unit = await h.unit('resubmit-unit', ['daily-health'])
    const first = (await (await post('daily-health', submission(unit, healthReport({ onDuty: 30 })))).json()) as { id: string }
    const second = await post('daily-health', submission(unit, healthReport({ onDuty: 31 })))
    expect(second.status).toBe(201)
    expect(await second.json()).toMatchObject({ id: first.id, version: 2 })
    const versions = await h.stores.records.versions(first.id)
    expect(versions.map((v) => [v.version, v.values.onDuty])).toEqual([
      [1, 30],
      [2, 31],
    ])
  })

  it('keeps one record per site for the construction-site form', async () => {
    const unit = await h.unit('sites-unit', ['site-daily'])
    const a = (await (await post('site-daily', submission(unit, siteReport({ site: '一号工地' })))).json()) as { id: string }
    const b = (await (await post('site-daily', submission(unit, siteReport({ site: '二号工地' })))).json()) as { id: string }
    const a2 = (await (
      await post('site-daily', submission(unit, siteReport({ site: ' 一号工地 ', workersOnSite: 60, healthChecked: 60 })))
    ).json()) as { id: string; version: number }
    expect(a.id).not.toBe(b.id)
    expect(a2).toMatchObject({ id: a.id, version: 2 })
  })

  it('takes an earlier date for a missed daily report, but not the future or over 7 days back', async () => {
    const unit = await h.unit('late-unit', ['daily-health'])
    const ok = await post('daily-health', submission(unit, { ...healthReport(), date: '2026-11-25' }))
    expect(ok.status).toBe(201)
    expect(await ok.json()).toMatchObject({ date: '2026-11-25' })
    for (const date of ['2026-11-29', '2026-11-20', '2026-02-30', 'yesterday']) {
      const res = await post('daily-health', submission(unit, { ...healthReport(), date }))
      expect(res.status, date).toBe(422)
      expect(((await res.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['date'])
    }
  })

  it('uses the organisation time zone for today', async () => {
    const unit = await h.unit('tz-unit', ['daily-health'])
    h.clock.set('2026-11-28T16:30:00Z') // 00:30 on the 29th in Shanghai
    try {
      const res = await post('daily-health', submission(unit, healthReport()))
      expect(await res.json()).toMatchObject({ date: '2026-11-29' })
    } finally {
      h.clock.set('2026-11-28T02:00:00Z')
    }
  })

  it('answers invalid values 422 with field-level issues in Chinese by default', async () => {
    const res = await post('daily-health', submission(office, healthReport({ staffTotal: -1, onDuty: 'many', surprise: 1 })))
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      error: 'validation',
      issues: [
        { path: 'staffTotal', message: '不能小于 0' },
        { path: 'onDuty', message: '请填写整数' },
        { path: 'surprise', message: '未知字段' },
      ],
    })
  })

  it('answers in English on request', async () => {
    const body = healthReport({ reporterName: undefined })
    const byQuery = await h.app.request('/api/forms/daily-health/submissions?lang=en', submission(office, body))
    const byHeader = await post('daily-health', submission(office, body, newKey(), { 'accept-language': 'en-GB,en;q=0.9' }))
    for (const res of [byQuery, byHeader]) {
      expect(res.status).toBe(422)
      expect(await res.json()).toMatchObject({ issues: [{ path: 'reporterName', message: 'Required' }] })
    }
  })

  it('applies the cross-field rules', async () => {
    const tooMany = await post('daily-health', submission(office, healthReport({ staffTotal: 10, onDuty: 8, remote: 5 })))
    expect(await tooMany.json()).toMatchObject({ issues: [{ path: 'remote', message: '在岗人数 + 居家办公人数 之和不能大于 在册人数' }] })
    const noNotes = await post('daily-health', submission(office, healthReport({ feverOrRespiratory: 1 })))
    expect(await noNotes.json()).toMatchObject({ issues: [{ path: 'notes' }] })
    const dieOff = await post('wildlife-daily', submission(park, wildlifeReport({ abnormalFound: true })))
    expect(((await dieOff.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([
      'species',
      'deadCount',
      'sickCount',
      'location',
      'samplingSent',
      'measures',
    ])
    const noSupplies = await post('emergency', submission(office, emergencyRequest({ supplies: undefined })))
    expect(await noSupplies.json()).toMatchObject({ issues: [{ path: 'supplies' }] })
    const emptySupplies = await post('emergency', submission(office, emergencyRequest({ supplies: [] })))
    expect(await emptySupplies.json()).toMatchObject({ issues: [{ path: 'supplies', message: '根据已填内容，此项必填' }] })
  })

  it('takes an empty optional list as left empty', async () => {
    const noShortage = emergencyRequest({ category: 'other', supplies: [] })
    const stored = await post('emergency', submission(office, noShortage))
    expect(stored.status).toBe(201)
    const { id } = (await stored.json()) as { id: string }
    expect((await h.stores.records.versions(id))[0]?.values).not.toHaveProperty('supplies')
    const required = await post('daily-health', submission(office, healthReport({ reporterName: [] })))
    expect(await required.json()).toMatchObject({ issues: [{ path: 'reporterName', message: '必填' }] })
  })

  it('marks alerts for suspected cases and wildlife die-offs, and for every emergency request', async () => {
    const suspected = await post(
      'daily-health',
      submission(await h.unit('alert-unit', ['daily-health']), healthReport({ suspected: 1, notes: '一人发热待排查' })),
    )
    const { id } = (await suspected.json()) as { id: string }
    const [stored] = await h.stores.records.versions(id)
    expect(stored).toMatchObject({ alert: { category: 'suspected_case', severity: 'critical' }, pendingAlert: true })
    const calm = await h.stores.records.currentOfDay('daily-health', '2026-11-28')
    expect(calm.find((r) => r.unitId === 'office')?.pendingAlert).toBe(false)
  })

  it('answers every bad request with its status, never a 5xx', async () => {
    const unknownForm = await post('no-such-form', submission(office, {}))
    expect(unknownForm.status).toBe(404)
    const notAllowed = await post('wildlife-daily', submission(office, wildlifeReport()))
    expect(notAllowed.status).toBe(403)
    const badToken = await post('daily-health', submission('office.notTheRightSecretAtAll', healthReport()))
    expect(badToken.status).toBe(401)
    const otherUnitsId = await post('daily-health', submission(`park-east.${office.split('.')[1]}`, healthReport()))
    expect(otherUnitsId.status).toBe(401)
    const notJson = await post('daily-health', {
      ...submission(office, 'staffTotal=1'),
      headers: { authorization: `Bearer ${office}`, 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(notJson.status).toBe(415)
    const brokenJson = await post('daily-health', submission(office, '{"staffTotal": 1,'))
    expect(brokenJson.status).toBe(415)
    const tooLarge = await post('emergency', submission(office, emergencyRequest({ description: 'x'.repeat(70_000) })))
    expect(tooLarge.status).toBe(413)
    const notObject = await post('daily-health', submission(office, [1, 2]))
    expect(notObject.status).toBe(422)
    const badKey = await post('daily-health', submission(office, healthReport(), 'no spaces allowed'))
    expect(badKey.status).toBe(422)
    const proto = await post('daily-health', submission(office, '{"__proto__":{"admin":true},"staffTotal":1}'))
    expect(proto.status).toBe(422)
  })
})

describe('admin API', () => {
  const admin = (path: string, init: RequestInit = {}) =>
    h.app.request(path, {
      ...init,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...init.headers },
    })

  it('refuses without the admin token, and refuses a unit token', async () => {
    expect((await h.app.request('/api/admin/units')).status).toBe(401)
    expect((await h.app.request('/api/admin/units', { headers: { authorization: `Bearer ${office}` } })).status).toBe(401)
  })

  it('adds a unit whose token works at once, and rotates it so the old one stops working', async () => {
    const added = await admin('/api/admin/units', {
      method: 'POST',
      body: JSON.stringify({ id: 'new-unit', name: '新单位', forms: ['daily-health'] }),
    })
    expect(added.status).toBe(201)
    const { token, link } = (await added.json()) as { token: string; link: string }
    expect(link).toBe(`http://forms.test/u/${token}`)
    expect(token.split('.')[1]?.length).toBeGreaterThanOrEqual(22) // ≥ 128 bits in base64url
    expect((await h.app.request('/api/forms', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200)
    const stored = await h.stores.units.get('new-unit')
    expect(JSON.stringify(stored)).not.toContain(token.split('.')[1])

    const rotated = (await (await admin('/api/admin/units/new-unit/rotate', { method: 'POST' })).json()) as { token: string }
    expect((await h.app.request('/api/forms', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401)
    expect((await h.app.request('/api/forms', { headers: { authorization: `Bearer ${rotated.token}` } })).status).toBe(200)
  })

  it('lists units without their tokens, and their robots by label, never the URL or its secret', async () => {
    const webhook = 'dingtalk=https://oapi.dingtalk.com/robot/send?access_token=unitrobottoken123&secret=SECunitrobotsecret456'
    expect(
      (await admin('/api/admin/units', { method: 'POST', body: JSON.stringify({ id: 'robot-unit', name: '有机器人的单位', webhook }) }))
        .status,
    ).toBe(201)
    const listed = (await (await admin('/api/admin/units')).json()) as Record<string, unknown>[]
    expect(listed.find((u) => u.id === 'robot-unit')).toMatchObject({ name: '有机器人的单位', webhook: 'dingtalk#1 oapi.dingtalk.com' })
    const text = JSON.stringify(listed)
    for (const secret of ['unitrobottoken123', 'SECunitrobotsecret456', 'tokenHash']) expect(text).not.toContain(secret)
    expect((await h.stores.units.get('robot-unit'))?.webhook).toBe(webhook) // kept whole for sending
  })

  it('refuses a duplicate unit, an unknown form and a bad id with 422', async () => {
    for (const body of [
      { id: 'office', name: 'again' },
      { id: 'x-unit', name: 'X', forms: ['nope'] },
      { id: 'Bad Id', name: 'X' },
    ]) {
      expect((await admin('/api/admin/units', { method: 'POST', body: JSON.stringify(body) })).status).toBe(422)
    }
  })

  it('exports a form and date as CSV with formulas neutralised and separators quoted', async () => {
    const unit = await h.unit('csv-unit', ['daily-health'])
    await post('daily-health', submission(unit, healthReport({ reporterName: '=cmd|"/c calc"!A1', notes: '东门;西门' })))
    const res = await admin('/api/admin/export?form=daily-health&date=2026-11-28')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/csv')
    const bytes = Buffer.from(await res.arrayBuffer())
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]) // BOM, for Excel
    const csv = bytes.toString('utf8')
    expect(csv).toContain('记录ID (recordId),')
    expect(csv).toContain(`"'=cmd|""/c calc""!A1"`)
    // Excel in many locales splits on ";": the cell stays one.
    expect(csv).toContain('"东门;西门"')
  })

  it('sets a daily deadline and refuses bad times', async () => {
    const ok = await admin('/api/admin/forms/daily-health/deadline', { method: 'PUT', body: JSON.stringify({ time: '09:30' }) })
    expect(await ok.json()).toEqual({ formId: 'daily-health', deadline: '09:30' })
    const bad = await admin('/api/admin/forms/daily-health/deadline', { method: 'PUT', body: JSON.stringify({ time: '25:00' }) })
    expect(bad.status).toBe(422)
    const onDemand = await admin('/api/admin/forms/emergency/deadline', { method: 'PUT', body: JSON.stringify({ time: '09:30' }) })
    expect(onDemand.status).toBe(422)
  })
})

describe('the leaders workbook', () => {
  it('gets one row per record, rewritten in place on resubmission, text never a formula', async () => {
    const unit = await h.unit('sheet-unit', ['daily-health'])
    const first = (await (
      await post('daily-health', submission(unit, healthReport({ reporterName: '=HYPERLINK("http://x")' })))
    ).json()) as { id: string }
    await h.mirror()
    await post('daily-health', submission(unit, healthReport({ onDuty: 29, reporterName: '@SUM(A1)' })))
    await h.mirror()
    const rows = (await dataRows(h.sink.path, '人员健康日报')).filter((r) => r[0] === first.id)
    expect(rows).toHaveLength(1)
    const header = (await dataRows(h.sink.path, '人员健康日报')).length
    expect(header).toBeGreaterThan(0)
    expect(rows[0]?.[4]).toBe(2) // version
    expect(rows[0]).toContain("'@SUM(A1)")
    expect(rows[0]).toContain(29)
    // the database keeps what was typed
    expect((await h.stores.records.versions(first.id)).at(-1)?.values.reporterName).toBe('@SUM(A1)')
  })

  it('clears the outbox marks only after the row is written', async () => {
    const unit = await h.unit('mark-unit', ['emergency'])
    await post('emergency', submission(unit, emergencyRequest()))
    expect((await h.stores.records.pendingMirror(10_000)).some((v) => v.unitId === 'mark-unit')).toBe(true)
    await h.mirror()
    expect((await h.stores.records.pendingMirror(10_000)).some((v) => v.unitId === 'mark-unit')).toBe(false)
  })

  it('rebuilds every tab from the database, and a second rebuild changes nothing', async () => {
    await h.mirror()
    const before = await dataRows(h.sink.path, '人员健康日报')
    const first = await h.rebuild()
    const afterFirst = await dataRows(h.sink.path, '人员健康日报')
    await h.rebuild()
    const afterSecond = await dataRows(h.sink.path, '人员健康日报')
    expect(first.rows).toBeGreaterThan(0)
    expect(afterFirst).toEqual(before)
    expect(afterSecond).toEqual(afterFirst)
  })
})
