// A weak signal in Chromium: the browser context goes offline, or a reply is cut off on its
// way back. Whatever happens on the wire, the report is stored exactly once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BrowserApp, fillForm, screenshot, startBrowserApp } from '../../../testkit/browser.ts'
import { healthFormFields } from '../../../testkit/fixtures.ts'

let app: BrowserApp

beforeAll(async () => {
  app = await startBrowserApp()
})
afterAll(() => app?.close())

const versionsOf = (unitId: string) => app.h.stores.records.versions(`daily-health.2026-11-28.${unitId}`)

describe('a report sent on a weak signal', () => {
  it('is queued while offline, shown as queued, and stored exactly once when the signal returns', async () => {
    const token = await app.h.unit('offline-unit', ['daily-health', 'emergency'])
    const context = await app.phone()
    const page = await context.newPage()
    await page.goto(`${app.url}/u/${token}/forms/daily-health`)
    await context.setOffline(true)
    await fillForm(page, healthFormFields)
    const submit = page.getByRole('button', { name: '提交' })
    await submit.click()
    await expect.poll(() => page.locator('#sync').textContent()).toContain('网络不通')
    await submit.click() // tapped again, impatiently
    await screenshot(page, 'offline-queued')
    expect(await versionsOf('offline-unit')).toHaveLength(0)

    await context.setOffline(false)
    await page.waitForURL(/\/records\//)
    expect(await page.locator('main').textContent()).toContain('已保存为第 1 版')
    const versions = await versionsOf('offline-unit')
    expect(versions).toHaveLength(1)
    expect(versions[0]?.values.reporterName).toBe('陈静')
  })

  it('is sent from the next page opened when the phone was closed while offline', async () => {
    const token = await app.h.unit('closed-unit', ['daily-health', 'emergency'])
    const context = await app.phone()
    const page = await context.newPage()
    await page.goto(`${app.url}/u/${token}/forms/daily-health`)
    await context.setOffline(true)
    await fillForm(page, healthFormFields)
    await page.getByRole('button', { name: '提交' }).click()
    await expect.poll(() => page.locator('#sync').textContent()).toContain('网络不通')
    await page.close()

    await context.setOffline(false)
    const next = await context.newPage()
    await next.goto(`${app.url}/u/${token}`)
    await expect.poll(() => next.locator('#sync').textContent()).toContain('已提交')
    expect(await next.locator('#sync a').getAttribute('href')).toMatch(/\/records\/daily-health\.2026-11-28\.closed-unit\?v=1$/)
    expect(await versionsOf('closed-unit')).toHaveLength(1)
  })

  it('is stored once when the reply is cut off on its way back and the phone retries', async () => {
    const token = await app.h.unit('cutoff-unit', ['daily-health', 'emergency'])
    const context = await app.phone()
    const page = await context.newPage()
    // The request reaches the real server and is stored; only the answer is lost.
    let cut = 0
    await page.route(`**/u/${token}/forms/daily-health`, async (route) => {
      if (route.request().method() !== 'POST' || cut > 0) return route.continue()
      cut++
      await route.fetch({ maxRedirects: 0 })
      await route.abort('connectionreset')
    })
    await page.goto(`${app.url}/u/${token}/forms/daily-health`)
    await fillForm(page, healthFormFields)
    await page.getByRole('button', { name: '提交' }).click()
    await expect.poll(() => page.locator('#sync').textContent()).toContain('网络不通')
    expect(await versionsOf('cutoff-unit')).toHaveLength(1)

    await page.waitForURL(/\/records\//)
    expect(await page.locator('main').textContent()).toContain('已保存为第 1 版')
    expect(await versionsOf('cutoff-unit')).toHaveLength(1)
  })
})
