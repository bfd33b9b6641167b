// The office's emergency and approval pages in Chromium on a phone-sized screen: the board keeps a
// name being typed across its refresh, and every page passes axe-core in Chinese and in English.
// Screenshots go to test-artifacts/.

import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signAckToken } from '#commons/emergencies/ack-link.ts'
import { emergencyFrom, plan } from '#commons/emergencies/emergency.ts'
import { type BrowserApp, screenshot, seriousViolations, startBrowserApp } from '../../../testkit/browser.ts'
import { emergencyRequest, submission } from '../../../testkit/fixtures.ts'
import { ACK_KEY, ADMIN_TOKEN, officeCookie } from '../../../testkit/harness.ts'

let app: BrowserApp
let unit: string

beforeAll(async () => {
  app = await startBrowserApp({ approvals: true })
  unit = await app.h.unit('park-east', ['emergency', 'info-release'])
})
afterAll(() => app?.close())

/** An emergency raised the way the alert worker raises it: from the stored, marked submission. */
async function raise(overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await app.h.app.request('/api/forms/emergency/submissions', submission(unit, emergencyRequest(overrides)))
  expect(res.status).toBe(201)
  const [version] = await app.h.stores.records.versions(((await res.json()) as { id: string }).id)
  if (!version?.alert) throw new Error('the emergency request carries no alert mark')
  const channels = { alert: ['outbox', 'alert wecom#1 qyapi.weixin.qq.com'], escalation: ['outbox'] }
  const emergency = plan(emergencyFrom({ ...version, alert: version.alert }), app.h.clock.now(), app.h.alertPolicy, channels)
  await app.h.emergencies.create(emergency)
  return emergency.id
}

/** The office's sign-in session, as a cookie for a browser context. */
async function signedIn(context: BrowserContext): Promise<BrowserContext> {
  const [name = '', value = ''] = (await officeCookie(app.h.app)).split('=')
  await context.addCookies([{ name, value, url: app.url }])
  return context
}

const office = async (locale = 'zh-CN') => signedIn(await app.phone({ locale }))

/** Calls of fetch made by the page since it loaded. */
const fetches = (page: Page) => page.evaluate(() => (window as unknown as { fetches: number }).fetches)

describe('the emergency board', () => {
  it('keeps a name being typed across its refresh, then refreshes the list in place once the field is left', async () => {
    const first = await raise({ location: '东园南门' })
    const page = await (await office()).newPage()
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(error.message))
    await page.clock.install()
    // Counts the board's requests, and marks this page: a reload would lose the mark.
    await page.addInitScript(() => {
      const w = window as unknown as { fetches: number; fetch: typeof fetch }
      w.fetches = 0
      const real = w.fetch.bind(window)
      w.fetch = (...args: Parameters<typeof fetch>) => {
        w.fetches++
        return real(...args)
      }
    })
    await page.goto(`${app.url}/emergencies`)
    await expect.poll(() => page.locator('#board-auto').isVisible()).toBe(true)
    const name = page.locator(`#by-${first}`)
    await name.fill('值班员 刘')
    const second = await raise({ location: '西门停车场', category: 'safety' })

    // Two turns of the refresh pass while the field has focus, then while it only holds the text.
    await page.clock.runFor(16_000)
    await page.locator('h1').click()
    await page.clock.runFor(16_000)
    expect(await fetches(page)).toBe(0)
    expect(await name.inputValue()).toBe('值班员 刘')
    expect(await page.locator(`#${second}`).count()).toBe(0)

    await name.fill('')
    await page.locator('h1').click()
    await page.clock.runFor(16_000)
    await expect.poll(() => page.locator(`#${second}`).count()).toBe(1)
    expect(await fetches(page)).toBe(1) // the list came by the script: the page did not reload
    expect(await page.title()).toBe('应急值守 (2)')

    await page.locator(`#by-${first}`).fill('值班员 刘洋')
    await page.locator(`#${first}`).getByRole('button', { name: '确认收到' }).click()
    await page.waitForURL(/\/emergencies#/)
    expect(await app.h.emergencies.get(first)).toMatchObject({ status: 'acknowledged', acknowledgedBy: '值班员 刘洋' })
    // The browser remembers the name for the next card.
    expect(await page.locator(`#by-${second}`).inputValue()).toBe('值班员 刘洋')
    expect(problems).toEqual([])
  })

  it('reloads by a link when JavaScript is off, and asks for a name rather than recording none', async () => {
    const id = await raise()
    const context = await signedIn(await app.phone({ javaScriptEnabled: false }))
    const page = await context.newPage()
    await page.goto(`${app.url}/emergencies`)
    expect(await page.locator('#board-auto').isVisible()).toBe(false)
    await page.getByRole('link', { name: '刷新' }).click()
    await page.waitForURL(`${app.url}/emergencies`)
    // The browser itself refuses an empty required field; the server refuses one too (integration tests).
    expect(await page.locator(`#by-${id}`).getAttribute('required')).not.toBeNull()
    expect(await page.locator(`#by-${id}`).getAttribute('autocomplete')).toBe('name')
    expect(await page.locator(`#${id} a[href^="tel:"]`).first().getAttribute('href')).toBe('tel:13700001111')
  })
})

describe('office pages in both languages, on a phone', () => {
  it('passes axe-core on the board, the acknowledge page, the outbox and the approval page, in Chinese and in English', async () => {
    const id = await raise({ description: '口罩和消毒液即将用完，请尽快调拨。'.repeat(3) })
    await app.h.app.request(
      '/api/forms/info-release/submissions',
      submission(unit, {
        title: '关于公园临时闭园的通知',
        channel: 'wechat',
        content: '根据区防控指挥部要求，东园公园自即日起临时闭园。',
        requesterName: '黄磊',
        requesterPhone: '13800138000',
      }),
    )
    const ack = `/ack/${signAckToken(id, new Date(app.h.clock.now().getTime() + 3_600_000), ACK_KEY)}`
    const pages: [string, string, Record<'zh' | 'en', string>][] = [
      ['board', '/emergencies', { zh: '应急值守', en: 'Emergencies' }],
      ['ack', ack, { zh: '确认应急告警', en: 'Acknowledge an emergency' }],
      ['outbox', '/emergencies/outbox', { zh: '告警记录', en: 'Alert outbox' }],
      ['approvals', '/office/info-releases', { zh: '信息发布审批', en: 'Information release approval' }],
    ]
    for (const lang of ['zh', 'en'] as const) {
      // English by the browser's language, as a phone set to English asks for it.
      const page = await (await office(lang === 'zh' ? 'zh-CN' : 'en-US')).newPage()
      for (const [name, path, heading] of pages) {
        await page.goto(`${app.url}${path}`)
        expect(await page.locator('h1').first().textContent(), `${name} ${lang}`).toBe(heading[lang])
        expect(await page.locator('html').getAttribute('lang')).toBe(lang === 'zh' ? 'zh-CN' : 'en')
        await page
          .locator('details')
          .first()
          .evaluate((d) => d.setAttribute('open', ''), undefined, { timeout: 1000 })
          .catch(() => {})
        expect(await seriousViolations(page), `${name} ${lang}`).toEqual([])
        await screenshot(page, `office-${name}-${lang}`)
      }
    }
  })
})

describe('a unit on a phone', () => {
  it('sees whom its emergency request alerted and, on its home page, who acknowledged it: both languages, axe-clean', async () => {
    const id = await raise({ location: '北门' })
    const e = await app.h.emergencies.get(id)
    await app.h.emergencies.update(id, (current) => ({
      ...current,
      deliveries: current.deliveries.map((d) => ({ ...d, state: 'delivered' as const })),
    }))
    await app.h.app.request(`/api/emergencies/${id}/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ by: '值班员 刘洋' }),
    })
    for (const lang of ['zh', 'en'] as const) {
      const page = await (await app.phone()).newPage()
      await page.goto(`${app.url}/u/${unit}/records/${encodeURIComponent(e?.recordId ?? '')}?lang=${lang}`)
      expect(await page.locator('main').textContent()).toContain(
        lang === 'zh' ? '已通知：办公室应急看板' : "Alerted: the office's emergency board",
      )
      expect(await seriousViolations(page)).toEqual([])
      await screenshot(page, `unit-emergency-confirmation-${lang}`)
      await page.goto(`${app.url}/u/${unit}`)
      expect(await page.locator('main').textContent()).toContain(
        lang === 'zh' ? '值班员 刘洋 于 2026-11-28 10:00 确认' : 'acknowledged by 值班员 刘洋 at 2026-11-28 10:00',
      )
      expect(await seriousViolations(page)).toEqual([])
      await screenshot(page, `unit-home-emergencies-${lang}`)
    }
  })
})
