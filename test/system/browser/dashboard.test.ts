// The leaders' dashboard in Chromium: on a phone (390 px) and a desktop screen, checked by
// axe-core, and printed on one A4 page for the daily meeting. Fourteen days of reports from a
// few units make the trends; screenshots go to test-artifacts/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addUnit } from '#commons/units/roster.ts'
import { type BrowserApp, screenshot, seriousViolations, startBrowserApp } from '../../../testkit/browser.ts'
import { emergencyRequest, healthReport, submission, wildlifeReport } from '../../../testkit/fixtures.ts'
import { ADMIN_TOKEN } from '../../../testkit/harness.ts'

let app: BrowserApp
const UNITS = [
  ['office', '领导小组办公室', 'office'],
  ['works', '中心工程管理科', 'engineering'],
  ['east', '东园公园管理处', 'park'],
  ['north', '北园公园管理处', 'park'],
  ['res', '资源管理科', 'resource'],
  ['pr', '宣传科', 'section'],
] as const

beforeAll(async () => {
  app = await startBrowserApp()
  const { h } = app
  h.clock.set('2026-11-14T00:00:00Z')
  const tokens = new Map<string, string>()
  for (const [id, name, type] of UNITS) tokens.set(id, (await addUnit(h.stores.units, h.forms, h.clock, { id, name, type })).token)
  const post = async (token: string, formId: string, body: Record<string, unknown>) => {
    const res = await h.app.request(`/api/forms/${formId}/submissions`, submission(token, body))
    expect(res.status, await res.clone().text()).toBe(201)
  }
  // two weeks: most units on time (09:xx), some late (11:xx), some missing, a few fevers
  for (let day = 0; day < 14; day++) {
    const date = `2026-11-${String(15 + day).padStart(2, '0')}`
    for (const [i, [id, , type]] of UNITS.entries()) {
      if ((i + day) % 5 === 4) continue
      h.clock.set(`${date}T${(i * day) % 3 === 2 ? '03' : '01'}:${String(10 + i).padStart(2, '0')}:00Z`)
      const token = tokens.get(id) as string
      await post(token, 'daily-health', healthReport({ feverOrRespiratory: (i * day) % 7 === 3 ? 1 : 0, notes: '一人发热，已居家观察' }))
      if (type === 'park' || type === 'resource') await post(token, 'wildlife-daily', wildlifeReport())
    }
  }
  h.clock.set('2026-11-28T04:30:00Z')
  await post(tokens.get('north') as string, 'emergency', emergencyRequest({ severity: 'critical' }))
})
afterAll(() => app?.close())

const signedIn = { extraHTTPHeaders: { authorization: `Bearer ${ADMIN_TOKEN}` } }

describe('the leaders’ dashboard', () => {
  it('reads on a phone, with no serious accessibility finding', async () => {
    const page = await (await app.phone(signedIn)).newPage()
    await page.goto(`${app.url}/dashboard`)
    await expect(page.locator('h1').textContent()).resolves.toContain('每日简报')
    expect(await page.locator('svg[role=img]').count()).toBeGreaterThanOrEqual(3)
    // nothing wider than the phone
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await screenshot(page, 'dashboard-phone')
    expect(await seriousViolations(page)).toEqual([])
  })

  it('uses a desktop screen’s width', async () => {
    const context = await app.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', ...signedIn })
    const page = await context.newPage()
    await page.goto(`${app.url}/dashboard`)
    await screenshot(page, 'dashboard-desktop')
    expect(await seriousViolations(page)).toEqual([])
    await context.close()
  })

  it('prints on one A4 page for the daily meeting', async () => {
    const page = await (await app.phone(signedIn)).newPage()
    await page.goto(`${app.url}/dashboard`)
    await page.emulateMedia({ media: 'print' })
    await screenshot(page, 'dashboard-print')
    const pdf = await page.pdf({ format: 'A4', printBackground: true })
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []
    expect(pages).toHaveLength(1)
  })
})
