/**
 * The leaders' links and their read-only dashboard, on the local system's real wiring: a leader
 * added over the admin API opens the dashboard with their own link, a rotated link stops at
 * once, and the page shows today's completeness, open emergencies, pending releases and the
 * 14-day trends as inline SVG, light enough for a phone.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '#commons/log.ts'
import { addUnit } from '#commons/units/roster.ts'
import { parseLocalConfig } from '../../functions/local/config.ts'
import { createLocalSystem, type LocalSystem } from '../../functions/local/system.ts'
import { emergencyRequest, healthReport, submission } from '../../testkit/fixtures.ts'
import { ADMIN_TOKEN, fixedClock } from '../../testkit/harness.ts'

let dataDir: string
let system: LocalSystem
const clock = fixedClock('2026-11-28T04:00:00Z') // 12:00 in Shanghai
const admin = (path: string, init: RequestInit = {}) =>
  system.app.request(path, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
  })

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sentinel-dashboard-'))
  system = await createLocalSystem(parseLocalConfig({ DATA_DIR: dataDir, ADMIN_TOKEN, DEMO: 'off' }), {
    log: silentLogger,
    clock,
    publicUrl: 'http://forms.test',
    workers: false,
  })
  const units = [
    ['east', '东园公园管理处'],
    ['works', '中心工程管理科'],
  ] as const
  const tokens = []
  for (const [id, name] of units)
    tokens.push((await addUnit(system.stores.units, system.forms, clock, { id, name, forms: ['daily-health', 'emergency'] })).token)
  const res = await system.app.request(
    '/api/forms/daily-health/submissions',
    submission(tokens[0] as string, healthReport({ feverOrRespiratory: 2, notes: '两人发热' })),
  )
  expect(res.status).toBe(201)
  await system.app.request('/api/forms/emergency/submissions', submission(tokens[1] as string, emergencyRequest()))
})
afterAll(async () => {
  await system.close()
  await rm(dataDir, { recursive: true, force: true })
})

describe('leaders', () => {
  it('gets a link of their own that opens the dashboard, and a rotated link stops the old one', async () => {
    const added = await admin('/api/admin/leaders', { method: 'POST', body: JSON.stringify({ id: 'zhang', name: '张组长' }) })
    expect(added.status).toBe(201)
    const leader = (await added.json()) as { id: string; name: string; token: string; link: string }
    expect(leader).toEqual({
      id: 'zhang',
      name: '张组长',
      token: expect.stringMatching(/^leader\.zhang\./),
      link: `http://forms.test/l/${leader.token}`,
    })

    const page = await system.app.request(`/l/${leader.token}`)
    expect(page.status).toBe(200)
    expect(page.headers.get('cache-control')).toBe('private, no-store')
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')

    const listed = (await (await admin('/api/admin/leaders')).json()) as Record<string, unknown>[]
    expect(listed).toEqual([{ id: 'zhang', name: '张组长', createdAt: expect.any(String) }])
    expect(JSON.stringify(listed)).not.toContain('tokenHash')

    const rotated = (await (await admin('/api/admin/leaders/zhang/rotate', { method: 'POST' })).json()) as { token: string }
    expect((await system.app.request(`/l/${leader.token}`)).status).toBe(404)
    expect((await system.app.request(`/l/${rotated.token}`)).status).toBe(200)

    const revoked = await admin('/api/admin/leaders/zhang/revoke', { method: 'POST' })
    expect(await revoked.json()).toEqual({ id: 'zhang', name: '张组长', revokedAt: expect.any(String) })
    expect((await system.app.request(`/l/${rotated.token}`)).status).toBe(404)
    expect((await admin('/api/admin/leaders/nobody/revoke', { method: 'POST' })).status).toBe(404)
  })

  it('refuses a bad leader, an existing id, an unknown one, and anyone without the admin token', async () => {
    expect((await admin('/api/admin/leaders', { method: 'POST', body: JSON.stringify({ id: 'Bad Id', name: 'x' }) })).status).toBe(422)
    await admin('/api/admin/leaders', { method: 'POST', body: JSON.stringify({ id: 'li', name: '李' }) })
    expect((await admin('/api/admin/leaders', { method: 'POST', body: JSON.stringify({ id: 'li', name: '李' }) })).status).toBe(422)
    expect((await admin('/api/admin/leaders/nobody/rotate', { method: 'POST' })).status).toBe(404)
    expect((await system.app.request('/api/admin/leaders')).status).toBe(401)
    // an approver's or a unit's token is not a leader's link
    expect((await system.app.request('/l/approver.li.AAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404)
    expect((await system.app.request('/l/leader.li.AAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404)
  })
})

describe('the dashboard', () => {
  it('is the office’s too, behind its sign-in', async () => {
    const anonymous = await system.app.request('/dashboard')
    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.get('location')).toContain('/admin/login')
    expect((await admin('/dashboard')).status).toBe(200)
  })

  it('shows completeness, missing units, open emergencies and 14-day trends as inline SVG, under 60 KB', async () => {
    const html = await (await admin('/dashboard')).text()
    expect(html).toContain('每日简报 · 2026-11-28')
    expect(html).toMatch(/人员健康日报 · 截止 10:00/)
    expect(html).toContain('已报 1/2')
    expect(html).toMatch(/未报：中心工程管理科/)
    expect(html).toMatch(/应急事件（未解决 \d+）/)
    // one rate chart per daily form owed and one bar chart per total that was not 0 every day, each named for screen readers
    expect(html.match(/<svg /g)?.length).toBe(2)
    expect(html).toContain('发热或呼吸道症状：近14天 0、0、0、0、0、0、0、0、0、0、0、0、0、2；今天 2')
    expect(html).toMatch(/近 14 天均为 0：[^<]*疑似或确诊/)
    expect(html).toContain('人员健康日报：近14天，今天报送率 50%')
    expect(html).toContain('发热或呼吸道症状')
    expect(html).not.toMatch(/<script/)
    expect(Buffer.byteLength(html)).toBeLessThan(60_000)
    console.info(`dashboard page: ${Buffer.byteLength(html)} bytes`)
  })
})
