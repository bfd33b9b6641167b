// Every form filled and submitted in Chromium on a phone-sized screen, with and without
// JavaScript, checked by axe-core; screenshots go to test-artifacts/.

import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addUnit } from '#commons/units/roster.ts'
import { type BrowserApp, fillForm, screenshot, seriousViolations, startBrowserApp } from '../../../testkit/browser.ts'

let app: BrowserApp
const ALL_FORMS = ['daily-health', 'wildlife-daily', 'site-daily', 'emergency']

beforeAll(async () => {
  app = await startBrowserApp()
})
afterAll(() => app?.close())

const health: [string, string][] = [
  ['staffTotal', '40'],
  ['onDuty', '30'],
  ['remote', '8'],
  ['returnedFromOutside', '2'],
  ['homeObservation', '0'],
  ['feverOrRespiratory', '0'],
  ['suspected', '0'],
  ['confirmed', '0'],
  ['partnerStaff', '12'],
  ['partnerAbnormal', '0'],
  ['publicAreaDisinfected', 'yes'],
  ['reporterName', '张伟'],
  ['reporterPhone', '13800138000'],
]

const wildlife: [string, string][] = [
  ['patrols', '3'],
  ['abnormalFound', 'yes'],
  ['species', '野鸭'],
  ['deadCount', '0'],
  ['sickCount', '2'],
  ['location', '北湖东岸'],
  ['samplingSent', 'yes'],
  ['measures', '隔离观察，已通知林业站'],
  ['enforcementChecks', '1'],
  ['facilitiesDisinfected', 'yes'],
  ['reporterName', '李娜'],
  ['reporterPhone', '010-62345678'],
]

const site: [string, string][] = [
  ['site', '北湖湿地二期'],
  ['contractor', '市政建设第三工程公司'],
  ['workersOnSite', '56'],
  ['newArrivals', '4'],
  ['returnedFromOutside', '3'],
  ['healthChecked', '56'],
  ['abnormal', '0'],
  ['reporterName', '王强'],
  ['reporterPhone', '13911112222'],
]

const emergency: [string, string][] = [
  ['category', 'supplies_shortage'],
  ['severity', 'critical'],
  ['location', '东园公园南门'],
  ['description', '口罩和消毒液即将用完'],
  ['supplies.item', 'N95 口罩'],
  ['supplies.quantity', '200'],
  ['contactName', '赵敏'],
  ['contactPhone', '13700001111'],
]

async function expectAccessible(page: Page) {
  expect(await seriousViolations(page)).toEqual([])
}

async function submitAndConfirm(page: Page) {
  await page.getByRole('button', { name: /提交|Submit/ }).click()
  await page.waitForURL(/\/records\//)
  await expect.poll(() => page.locator('h1').textContent()).toMatch(/已提交|Submitted/)
}

describe('forms on a phone in Chromium', () => {
  it('shows the unit home with today, what is due, and the emergency form one tap away', async () => {
    const token = await app.h.unit('home-unit', ALL_FORMS)
    const page = await (await app.phone()).newPage()
    await page.goto(`${app.url}/u/${token}`)
    await expect.poll(() => page.locator('main').textContent()).toContain('今天 2026-11-28')
    const text = (await page.locator('main').textContent()) ?? ''
    expect(text).toContain('单位 home-unit')
    expect(text).toContain('截止 10:00')
    expect(text).toContain('未报')
    await expectAccessible(page)
    await screenshot(page, 'home-zh')
    await page.locator('header a.sos').click()
    expect(new URL(page.url()).pathname).toBe(`/u/${token}/forms/emergency`)
  })

  it('fills and submits the staff health daily report, then shows what was stored and its version', async () => {
    const token = await app.h.unit('health-unit', ALL_FORMS)
    const page = await (await app.phone()).newPage()
    // A CSP refusal or a script error shows up here: the strict policy must not stop the script.
    const problems: string[] = []
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()))
    page.on('pageerror', (error) => problems.push(error.message))
    await page.goto(`${app.url}/u/${token}/forms/daily-health`)
    expect(await page.evaluate(() => document.getElementById('sync') !== null)).toBe(true) // the script ran
    expect(await page.locator('#staffTotal').getAttribute('inputmode')).toBe('numeric')
    expect(await page.locator('#reporterName').getAttribute('autocomplete')).toBe('name')
    expect(await page.locator('#reporterPhone').getAttribute('autocomplete')).toBe('tel')
    await expectAccessible(page)
    await screenshot(page, 'form-daily-health')
    await fillForm(page, health)
    await submitAndConfirm(page)
    const text = (await page.locator('main').textContent()) ?? ''
    expect(text).toContain('已保存为第 1 版')
    expect(text).toContain('张伟')
    expect(text).toContain('2026-11-28 24:00 前可修改')
    await expectAccessible(page)
    await screenshot(page, 'confirmation-daily-health')
    expect(await app.h.stores.records.versions('daily-health.2026-11-28.health-unit')).toHaveLength(1)
    expect(problems).toEqual([])

    await page.goto(`${app.url}/u/${token}`)
    expect(await page.locator('main').textContent()).toContain('按时已报')
  })

  it('fills and submits the wildlife daily report with an abnormal finding', async () => {
    const token = await app.h.unit('wildlife-unit', ALL_FORMS)
    const page = await (await app.phone()).newPage()
    await page.goto(`${app.url}/u/${token}/forms/wildlife-daily`)
    await expectAccessible(page)
    await fillForm(page, wildlife)
    await submitAndConfirm(page)
    expect(await page.locator('main').textContent()).toContain('野鸭')
    const [stored] = await app.h.stores.records.versions('wildlife-daily.2026-11-28.wildlife-unit')
    expect(stored?.values).toMatchObject({ abnormalFound: true, sickCount: 2, species: '野鸭' })
  })

  it('fills and submits the construction site daily report, and the home page names the sites still owed', async () => {
    const { token } = await addUnit(app.h.stores.units, app.h.forms, app.h.clock, {
      id: 'site-unit',
      name: '工程建设处',
      type: 'engineering',
      forms: ALL_FORMS,
      sites: ['北湖湿地二期', '南山隧道'],
    })
    const page = await (await app.phone()).newPage()
    await page.goto(`${app.url}/u/${token}/forms/site-daily`)
    await expectAccessible(page)
    await fillForm(page, site)
    await submitAndConfirm(page)
    const records = await app.h.stores.records.currentOfDay('site-daily', '2026-11-28')
    expect(records.filter((r) => r.unitId === 'site-unit').map((r) => r.values.workersOnSite)).toEqual([56])
    await page.goto(`${app.url}/u/${token}`)
    const home = (await page.locator('main').textContent()) ?? ''
    expect(home).toContain('北湖湿地二期')
    expect(home).toContain('未报工地：南山隧道')
    await screenshot(page, 'home-sites')
  })

  it('raises an emergency request with supplies in one tap from the home page', async () => {
    const token = await app.h.unit('emergency-unit', ALL_FORMS)
    const page = await (await app.phone()).newPage()
    await page.goto(`${app.url}/u/${token}`)
    await page.getByRole('link', { name: '发起应急请求' }).click()
    await expectAccessible(page)
    await screenshot(page, 'form-emergency')
    await fillForm(page, emergency)
    await submitAndConfirm(page)
    const id = /records\/([^?]+)/.exec(page.url())?.[1] ?? ''
    const [stored] = await app.h.stores.records.versions(id)
    expect(stored?.values.supplies).toEqual([{ item: 'N95 口罩', quantity: 200 }])
    expect(stored?.alert).toEqual({ category: 'supplies_shortage', severity: 'critical' })
  })

  it('shows an error summary that links to each field and keeps what was typed', async () => {
    const token = await app.h.unit('error-unit', ALL_FORMS)
    const page = await (await app.phone()).newPage()
    await page.goto(`${app.url}/u/${token}/forms/daily-health`)
    await fillForm(page, [
      ['staffTotal', 'abc'],
      ['onDuty', '3'],
    ])
    await page.getByRole('button', { name: '提交' }).click()
    const summary = page.locator('.error-summary')
    await summary.waitFor()
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('error-summary')
    expect(await page.title()).toMatch(/^错误：/)
    await expectAccessible(page)
    await screenshot(page, 'form-errors')
    await summary.getByRole('link', { name: /填报人/ }).click()
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reporterName')
    await summary.getByRole('link', { name: /公共区域已消毒/ }).click()
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('publicAreaDisinfected')
    expect(await page.locator('#staffTotal').inputValue()).toBe('abc')
    expect(await app.h.stores.records.versions('daily-health.2026-11-28.error-unit')).toHaveLength(0)
  })

  it('works with JavaScript off: errors, then a stored report', async () => {
    const token = await app.h.unit('nojs-unit', ALL_FORMS)
    const page = await (await app.phone({ javaScriptEnabled: false })).newPage()
    await page.goto(`${app.url}/u/${token}/forms/daily-health`)
    await fillForm(page, [['date', '2026-11-29'], ...health.filter(([name]) => name !== 'reporterName')])
    await page.getByRole('button', { name: '提交' }).click()
    await page.locator('.error-summary').waitFor()
    const summary = (await page.locator('.error-summary').textContent()) ?? ''
    expect(summary).toContain('填报人：必填')
    expect(summary).toContain('填报日期：不能填报未来日期')
    expect(await page.locator('#date').getAttribute('aria-invalid')).toBe('true')
    await fillForm(page, [
      ['date', '2026-11-28'],
      ['reporterName', '张伟'],
    ])
    await submitAndConfirm(page)
    expect(await page.locator('main').textContent()).toContain('已保存为第 1 版')
    await screenshot(page, 'confirmation-no-javascript')
    expect(await app.h.stores.records.versions('daily-health.2026-11-28.nojs-unit')).toHaveLength(1)
  })

  it('keeps the draft on the phone across a reload, with the same key', async () => {
    const token = await app.h.unit('draft-unit', ALL_FORMS)
    const page = await (await app.phone()).newPage()
    await page.goto(`${app.url}/u/${token}/forms/daily-health`)
    await fillForm(page, health.slice(0, 4))
    await page.getByRole('group', { name: '公共区域已消毒' }).getByLabel('是').check()
    const key = await page.locator('input[name=_key]').inputValue()
    await page.reload()
    await expect.poll(() => page.locator('#sync').textContent()).toContain('已恢复本机保存的草稿')
    expect(await page.locator('#staffTotal').inputValue()).toBe('40')
    expect(await page.locator('#returnedFromOutside').inputValue()).toBe('2')
    expect(await page.locator('#publicAreaDisinfected').isChecked()).toBe(true)
    expect(await page.locator('input[name=_key]').inputValue()).toBe(key)
  })

  it('drops a draft left from another day', async () => {
    const token = await app.h.unit('stale-unit', ALL_FORMS)
    const context = await app.phone()
    await context.clock.install({ time: new Date('2026-11-28T21:00:00+08:00') })
    const page = await context.newPage()
    await page.goto(`${app.url}/u/${token}/forms/daily-health`)
    await fillForm(page, [['staffTotal', '40']])
    await context.clock.setSystemTime(new Date('2026-11-29T08:00:00+08:00'))
    await page.reload()
    expect(await page.locator('#staffTotal').inputValue()).toBe('')
    expect(await page.locator('#sync').textContent()).toBe('')
  })

  it('stores a double tap once', async () => {
    const token = await app.h.unit('tap-unit', ALL_FORMS)
    const page = await (await app.phone()).newPage()
    await page.goto(`${app.url}/u/${token}/forms/daily-health`)
    await fillForm(page, health)
    await page.getByRole('button', { name: '提交' }).dblclick()
    await page.waitForURL(/\/records\//)
    expect(await app.h.stores.records.versions('daily-health.2026-11-28.tap-unit')).toHaveLength(1)
  })

  it('passes axe-core on every unit page: each form, and the pages for a missing form or a bad link', async () => {
    const token = await app.h.unit(
      'axe-unit',
      app.h.forms.all.map((f) => f.id),
    )
    const page = await (await app.phone()).newPage()
    const paths = [
      ...app.h.forms.all.map((f) => `/u/${token}/forms/${f.id}`),
      `/u/${token}/forms/no-such-form`,
      '/u/axe-unit.not-the-secret',
    ]
    for (const path of paths) {
      await page.goto(`${app.url}${path}`)
      expect({ path, violations: await seriousViolations(page) }).toEqual({ path, violations: [] })
    }
  })

  it('switches to English and stays in English', async () => {
    const token = await app.h.unit('english-unit', ALL_FORMS)
    const page = await (await app.phone()).newPage()
    await page.goto(`${app.url}/u/${token}`)
    await page.getByRole('link', { name: 'English' }).click()
    await page.getByRole('link', { name: 'Staff health daily report' }).click()
    expect(await page.locator('h1').textContent()).toBe('Staff health daily report')
    expect(await page.locator('html').getAttribute('lang')).toBe('en')
    await expectAccessible(page)
    await screenshot(page, 'form-daily-health-en')
    await page.locator('header a.sos').click()
    expect(await page.locator('h1').textContent()).toBe('Emergency request')
  })
})
