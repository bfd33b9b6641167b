// The office edits, retires and rotates units through the admin API (DESIGN §4b): a retired
// unit's links stop working, it owes nothing from that day, and every record stays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { overviewRows } from '#commons/sheet/overview.ts'
import { signUnitToken } from '#commons/units/tokens.ts'
import { healthReport, submission } from '../../testkit/fixtures.ts'
import { ADMIN_TOKEN, type Harness, LINK_KEY, startHarness, TIME_ZONE } from '../../testkit/harness.ts'

let h: Harness

beforeAll(async () => {
  h = await startHarness({ now: '2026-11-28T02:00:00Z' }) // 10:00 in Shanghai
})
afterAll(() => h.close())

const admin = (path: string, method = 'GET', body?: unknown) =>
  h.app.request(path, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
const formsWith = (token: string) => h.app.request('/api/forms', { headers: { authorization: `Bearer ${token}` } })

async function addUnit(body: Record<string, unknown>): Promise<string> {
  const res = await admin('/api/admin/units', 'POST', body)
  expect(res.status).toBe(201)
  return ((await res.json()) as { token: string }).token
}

describe('PATCH /api/admin/units/{id}', () => {
  it('changes name, type, forms, sites, contact and webhook; the token keeps working', async () => {
    const token = await addUnit({ id: 'edit-me', name: '错名单位', type: 'office' })
    const before = await h.stores.units.get('edit-me')
    const res = await admin('/api/admin/units/edit-me', 'PATCH', {
      name: '中心工程管理科',
      type: 'engineering',
      sites: ['北湖湿地二期', ' 西园步道改造 '],
      contact: { name: '黄磊', phone: '010-60000004' },
      webhook: 'wecom=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secretkey123',
    })
    expect(res.status).toBe(200)
    const shown = (await res.json()) as Record<string, unknown>
    expect(shown).toMatchObject({
      id: 'edit-me',
      name: '中心工程管理科',
      type: 'engineering',
      forms: ['daily-health', 'site-daily', 'emergency', 'info-release'], // the new type's forms
      sites: ['北湖湿地二期', '西园步道改造'],
      contact: { name: '黄磊', phone: '010-60000004' },
      webhook: 'wecom#1 qyapi.weixin.qq.com',
    })
    expect(JSON.stringify(shown)).not.toMatch(/secretkey123|tokenHash/)
    const stored = await h.stores.units.get('edit-me')
    expect(stored?.tokenHash).toBe(before?.tokenHash)
    expect(stored?.createdAt).toBe(before?.createdAt)
    expect((await formsWith(token)).status).toBe(200)

    const cleared = await admin('/api/admin/units/edit-me', 'PATCH', { forms: ['daily-health'], sites: null, webhook: '', contact: null })
    expect(await cleared.json()).toEqual({
      id: 'edit-me',
      name: '中心工程管理科',
      type: 'engineering',
      forms: ['daily-health'],
      createdAt: before?.createdAt,
    })
  })

  it('names the field and what it takes when refusing', async () => {
    await addUnit({ id: 'strict', name: '严格单位' })
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ type: 'hospital' }, /^type: must be one of office, section, park, resource, engineering \(got "hospital"\)$/],
      [{ forms: ['nope'] }, /^forms: unknown form\(s\) nope; one or more of .*daily-health/],
      [{ name: '  ' }, /^name: 1 to 100 characters$/],
      [
        { webhook: 'wechat=https://example.org/hook?key=abc' },
        /^webhook: .*unknown type; expected one of wecom, dingtalk, feishu, slack, json$/,
      ],
      [{ nickname: 'x' }, /send any of/],
    ]
    for (const [body, message] of cases) {
      const res = await admin('/api/admin/units/strict', 'PATCH', body)
      expect(res.status).toBe(422)
      const answer = (await res.json()) as { message: string }
      expect(answer.message).toMatch(message)
      expect(answer.message).not.toContain('key=abc')
    }
    expect((await h.stores.units.get('strict'))?.name).toBe('严格单位') // nothing changed
    expect((await admin('/api/admin/units/nobody', 'PATCH', { name: 'x' })).status).toBe(404)
  })

  it('refuses an unknown webhook type when a unit is added', async () => {
    const res = await admin('/api/admin/units', 'POST', { id: 'bad-hook', name: '坏机器人', webhook: 'wechat=https://example.org/x' })
    expect(res.status).toBe(422)
    expect(((await res.json()) as { message: string }).message).toMatch(/^webhook: .*expected one of wecom, dingtalk, feishu, slack, json/)
    expect(await h.stores.units.get('bad-hook')).toBeUndefined()
  })
})

describe('POST /api/admin/units/{id}/retire', () => {
  it('stops the link, the token and reminder links, and the unit owes nothing from that day; records stay', async () => {
    const token = await addUnit({ id: 'retiring', name: '误加单位', forms: ['daily-health'] })
    const yesterday = '2026-11-27'
    const sent = await h.app.request('/api/forms/daily-health/submissions', submission(token, { ...healthReport(), date: yesterday }))
    expect(sent.status).toBe(201)
    const unit = await h.stores.units.get('retiring')
    const reminderLink = signUnitToken('retiring', unit?.tokenHash ?? '', new Date('2026-11-29T16:00:00Z'), LINK_KEY)
    expect((await h.app.request(`/u/${reminderLink}`)).status).toBe(200)

    const retired = await admin('/api/admin/units/retiring/retire', 'POST')
    expect(retired.status).toBe(200)
    const { retiredAt } = (await retired.json()) as { retiredAt: string }
    expect(retiredAt).toBe('2026-11-28T02:00:00.000Z')

    expect((await formsWith(token)).status).toBe(401)
    expect((await h.app.request(`/u/${token}`)).status).toBe(404)
    expect((await h.app.request(`/u/${reminderLink}`)).status).toBe(404)

    const status = async (date: string) =>
      ((await (await admin(`/api/status?date=${date}`)).json()) as { forms: { formId: string; units: { unitId: string }[] }[] }).forms
        .find((f) => f.formId === 'daily-health')
        ?.units.map((u) => u.unitId)
    expect(await status('2026-11-28')).not.toContain('retiring')
    expect(await status(yesterday)).toContain('retiring')

    const listed = (await (await admin('/api/admin/units')).json()) as { id: string; retiredAt?: string }[]
    expect(listed.find((u) => u.id === 'retiring')?.retiredAt).toBe(retiredAt)
    expect(await h.stores.records.currentOfDay('daily-health', yesterday)).toContainEqual(expect.objectContaining({ unitId: 'retiring' }))

    // again: the same answer, the first day kept
    h.clock.advance(3_600_000)
    expect(await (await admin('/api/admin/units/retiring/retire', 'POST')).json()).toMatchObject({ retiredAt })
    // a retired unit gets no new link
    const rotate = await admin('/api/admin/units/retiring/rotate', 'POST')
    expect(rotate.status).toBe(422)
    expect(((await rotate.json()) as { message: string }).message).toBe('id: unit "retiring" is retired: it has no link')
    expect((await admin('/api/admin/units/nobody/retire', 'POST')).status).toBe(404)
  })

  it('leaves 概览: no 未报 from that day, its earlier days kept', async () => {
    await addUnit({ id: 'gone', name: '撤销单位', forms: ['daily-health'] })
    h.clock.set('2026-11-29T02:00:00Z')
    expect((await admin('/api/admin/units/gone/retire', 'POST')).status).toBe(200)
    const rows = await overviewRows({ ...h.stores, forms: h.forms, timeZone: TIME_ZONE }, h.clock.now())
    const row = rows.find((r) => r[1] === 'gone')
    // today (d0) blank: owes nothing; yesterday (d1) still 未报
    expect(row?.slice(4, 6)).toEqual(['', '未报'])
  })
})
