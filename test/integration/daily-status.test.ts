import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signUnitToken } from '#commons/units/tokens.ts'
import { healthReport, siteReport, submission } from '../../testkit/fixtures.ts'
import { ADMIN_TOKEN, type Harness, LINK_KEY, startHarness } from '../../testkit/harness.ts'

let h: Harness
const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }

beforeAll(async () => {
  h = await startHarness({ now: '2026-11-28T01:00:00Z' }) // 09:00 in Shanghai, deadline 10:00
})
afterAll(() => h.close())

const post = (token: string, formId: string, body: unknown) => h.app.request(`/api/forms/${formId}/submissions`, submission(token, body))
const status = async (date: string) =>
  (await (await h.app.request(`/api/status?date=${date}`, { headers: admin })).json()) as {
    date: string
    forms: {
      formId: string
      deadline: string
      units: { unitId: string; status: string; submittedAt?: string; sites?: { site: string; status: string }[] }[]
    }[]
  }

describe('daily status', () => {
  let early: string
  let late: string
  let _absent: string
  let builder: string

  beforeAll(async () => {
    early = await h.unit('early', ['daily-health'])
    late = await h.unit('late', ['daily-health'])
    _absent = await h.unit('absent', ['daily-health'])
    const added = await h.app.request('/api/admin/units', {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        id: 'builder',
        name: '工程科',
        type: 'engineering',
        sites: ['一号工地', '二号工地'],
        contact: { name: '吴刚', phone: '010-1' },
      }),
    })
    builder = ((await added.json()) as { token: string }).token
  })

  it('is on_time, late or missing per unit against the deadline in the organisation time zone', async () => {
    await post(early, 'daily-health', healthReport())
    h.clock.set('2026-11-28T02:30:00Z') // 10:30 local: after the 10:00 deadline
    await post(late, 'daily-health', healthReport())
    const day = await status('2026-11-28')
    const health = day.forms.find((f) => f.formId === 'daily-health')
    expect(health?.deadline).toBe('10:00')
    const byUnit = Object.fromEntries(health?.units.map((u) => [u.unitId, u.status]) ?? [])
    expect(byUnit).toMatchObject({ early: 'on_time', late: 'late', absent: 'missing' })
    expect(health?.units.find((u) => u.unitId === 'early')?.submittedAt).toBe('2026-11-28T01:00:00.000Z')
  })

  it('judges on-time by the first submission, not a later correction', async () => {
    await post(early, 'daily-health', healthReport({ onDuty: 29 }))
    const health = (await status('2026-11-28')).forms.find((f) => f.formId === 'daily-health')
    expect(health?.units.find((u) => u.unitId === 'early')?.status).toBe('on_time')
  })

  it('counts an engineering unit as missing until every named site reported', async () => {
    await post(builder, 'site-daily', siteReport({ site: '一号工地' }))
    let site = (await status('2026-11-28')).forms.find((f) => f.formId === 'site-daily')?.units.find((u) => u.unitId === 'builder')
    expect(site?.status).toBe('missing')
    expect(site?.sites).toEqual([
      { site: '一号工地', status: 'late', submittedAt: expect.any(String) },
      { site: '二号工地', status: 'missing' },
    ])
    await post(builder, 'site-daily', siteReport({ site: '二号工地 ' }))
    site = (await status('2026-11-28')).forms.find((f) => f.formId === 'site-daily')?.units.find((u) => u.unitId === 'builder')
    expect(site?.status).toBe('late')
  })

  it('moves a deadline set by the office', async () => {
    await h.app.request('/api/admin/forms/daily-health/deadline', {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ time: '11:00' }),
    })
    const health = (await status('2026-11-28')).forms.find((f) => f.formId === 'daily-health')
    expect(health?.units.find((u) => u.unitId === 'late')?.status).toBe('on_time')
    await h.app.request('/api/admin/forms/daily-health/deadline', {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ time: '10:00' }),
    })
  })

  it('refuses the status without the admin token', async () => {
    expect((await h.app.request('/api/status?date=2026-11-28')).status).toBe(401)
  })

  it('shows the office page with rates and the missing units after the admin signs in', async () => {
    const anonymous = await h.app.request('http://localhost/office')
    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.get('location')).toBe('/admin/login?next=%2Foffice')
    const login = await h.app.request('http://localhost/admin/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: new URLSearchParams({ token: ADMIN_TOKEN, next: '/office' }).toString(),
    })
    expect(login.status).toBe(303)
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/i)
    const page = await (await h.app.request('http://localhost/office?date=2026-11-28', { headers: { cookie } })).text()
    expect(page).toContain('人员健康日报 · 截止 10:00')
    expect(page).toContain('报送率 <strong>50%</strong>（2/4）') // early and late of early, late, absent, builder
    expect(page).toContain('未报单位联系人')
    expect(page).toContain('单位 absent')
    const wrong = await h.app.request('http://localhost/admin/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: new URLSearchParams({ token: 'wrong-token-wrong-token' }).toString(),
    })
    expect(wrong.status).toBe(401)
  })
})

describe('corrections', () => {
  it('are open to the unit until local midnight, then only after the office reopens the day', async () => {
    h.clock.set('2026-11-28T03:00:00Z')
    const unit = await h.unit('corrector', ['daily-health'])
    const first = (await (await post(unit, 'daily-health', healthReport())).json()) as { id: string }
    expect((await post(unit, 'daily-health', healthReport({ onDuty: 31 }))).status).toBe(201)

    h.clock.set('2026-11-28T16:05:00Z') // 00:05 on the 29th in Shanghai
    const closed = await post(unit, 'daily-health', { ...healthReport({ onDuty: 32 }), date: '2026-11-28' })
    expect(closed.status).toBe(422)
    expect(await closed.json()).toMatchObject({ issues: [{ path: 'date', message: expect.stringContaining('办公室') }] })
    const correctLink = `/u/${unit}/forms/daily-health?from=${encodeURIComponent(first.id)}`
    expect(await (await h.app.request(`/u/${unit}/records/${first.id}`)).text()).not.toContain(correctLink.replace(/&/g, '&amp;'))

    const reopened = await h.app.request(`/api/admin/records/${first.id}/reopen`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ by: '刘洋' }),
    })
    expect(await reopened.json()).toMatchObject({ recordId: first.id, by: '刘洋', until: '2026-11-29T16:00:00.000Z' })
    // The reopened day's page offers the correction again, on the form for that day.
    expect(await (await h.app.request(`/u/${unit}/records/${first.id}`)).text()).toContain(correctLink)
    expect(await (await h.app.request(correctLink)).text()).toContain('value="2026-11-28"')
    const corrected = await post(unit, 'daily-health', { ...healthReport({ onDuty: 32 }), date: '2026-11-28' })
    expect(corrected.status).toBe(201)
    expect(await corrected.json()).toMatchObject({ version: 3 })
    expect(await h.stores.records.lastReopening(first.id)).toMatchObject({ by: '刘洋' })
  })

  it('cannot be reopened beyond the days a unit may still report for', async () => {
    h.clock.set('2026-11-20T03:00:00Z')
    const unit = await h.unit('long-ago', ['daily-health'])
    const old = (await (await post(unit, 'daily-health', healthReport())).json()) as { id: string }
    h.clock.set('2026-11-28T03:00:00Z') // eight days on
    const refused = await h.app.request(`/api/admin/records/${old.id}/reopen`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ by: '刘洋' }),
    })
    expect(refused.status).toBe(422)
    expect(await refused.json()).toMatchObject({ error: 'validation', message: expect.stringContaining('2026-11-20') })
    expect(await h.stores.records.lastReopening(old.id)).toBeUndefined()
    h.clock.set('2026-11-27T03:00:00Z') // seven days on: still within reach
    expect(
      (await h.app.request(`/api/admin/records/${old.id}/reopen`, { method: 'POST', headers: admin, body: JSON.stringify({ by: '刘洋' }) }))
        .status,
    ).toBe(200)
    h.clock.set('2026-11-28T03:00:00Z')
  })

  it('still accept a first, late report for a missed day', async () => {
    const unit = await h.unit('forgetful', ['daily-health'])
    expect((await post(unit, 'daily-health', { ...healthReport(), date: '2026-11-27' })).status).toBe(201)
  })
})

describe('reminder links', () => {
  it('open the unit until they expire, and die with a token rotation', async () => {
    const unit = await h.stores.units.get('early')
    if (!unit) throw new Error('unit missing')
    const link = signUnitToken(unit.id, unit.tokenHash, new Date(h.clock.now().getTime() + 3600_000), LINK_KEY)
    expect((await h.app.request(`/u/${link}`)).status).toBe(200)
    const forged = link.slice(0, -2) + (link.endsWith('AA') ? 'BB' : 'AA')
    expect((await h.app.request(`/u/${forged}`)).status).toBe(404)
    const expired = signUnitToken(unit.id, unit.tokenHash, new Date(h.clock.now().getTime() - 1000), LINK_KEY)
    expect((await h.app.request(`/u/${expired}`)).status).toBe(404)
    await h.app.request('/api/admin/units/early/rotate', { method: 'POST', headers: admin })
    expect((await h.app.request(`/u/${link}`)).status).toBe(404)
  })
})
