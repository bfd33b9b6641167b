// The office's pages in Chromium on a phone-sized screen, in Chinese and English, checked by
// axe-core: the hub, the units (add, edit, new link, retire) with the link's QR poster printed to
// PDF, the approvers and the deadlines. Screenshots and the poster PDF go to test-artifacts/.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { renderSVG } from 'uqr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emergencyFrom } from '#commons/emergencies/emergency.ts'
import type { Lang } from '#commons/i18n.ts'
import { type BrowserApp, screenshot, seriousViolations, startBrowserApp } from '../../../testkit/browser.ts'
import { emergencyRequest, submission } from '../../../testkit/fixtures.ts'
import { ADMIN_TOKEN } from '../../../testkit/harness.ts'

let app: BrowserApp

beforeAll(async () => {
  app = await startBrowserApp({ approvals: true })
  const { h } = app
  // the day's business: an open emergency, a release waiting, a missing unit with a contact
  const reporter = await h.unit('park-east', ['daily-health', 'emergency', 'info-release'])
  const sent = await h.app.request('/api/forms/emergency/submissions', submission(reporter, emergencyRequest()))
  const { id } = (await sent.json()) as { id: string }
  const version = (await h.stores.records.versions(id))[0]
  if (!version?.alert) throw new Error('the emergency request raised no alert')
  await h.emergencies.create(emergencyFrom({ ...version, alert: version.alert }))
  const release = {
    title: '关于公园临时闭园的通知',
    channel: 'wechat',
    content: '因防疫需要，东园公园自即日起临时闭园。',
    attachments: [],
    requesterName: '刘洋',
    requesterPhone: '13800138000',
  }
  expect((await h.app.request('/api/forms/info-release/submissions', submission(reporter, release))).status).toBe(201)
  await h.app.request('/api/admin/units', {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'park-west', name: '西园公园管理处', type: 'park', contact: { name: '黄磊', phone: '010-60000004' } }),
  })
})
afterAll(() => app?.close())

const locales: Record<Lang, string> = { zh: 'zh-CN', en: 'en-GB' }

async function signedIn(lang: Lang): Promise<{ context: BrowserContext; page: Page }> {
  const context = await app.phone({ locale: locales[lang] })
  const page = await context.newPage()
  await page.goto(`${app.url}/`)
  await page.getByRole('link', { name: lang === 'zh' ? '办公室登录' : 'Office sign-in' }).click()
  await page.waitForURL(/\/admin\/login/)
  await page.locator('#token').fill(ADMIN_TOKEN)
  await page.getByRole('button', { name: /登录/ }).click()
  await page.waitForURL(/\/office$/)
  return { context, page }
}

/** The page's own words (navigation, headings of forms, labels, buttons) are in one language. */
async function expectOneLanguage(page: Page, lang: Lang) {
  const words = await page.locator('nav, label, legend, th, button, .hint, .error-summary, .error-message').allInnerTexts()
  const other = lang === 'zh' ? /\b[A-Za-z]{4,}\b/ : /[\u4e00-\u9fff]/
  // data (unit and form names typed by people, robot types) may be either; the words around them may not
  const foreign = words.filter((text) => other.test(text.replace(/wecom|dingtalk|feishu|slack|json|type=url|https/g, '')))
  expect(foreign).toEqual([])
}

async function check(page: Page, name: string, lang: Lang) {
  expect(await seriousViolations(page)).toEqual([])
  await expectOneLanguage(page, lang)
  await screenshot(page, `office-${name}-${lang}`)
}

describe.each(['zh', 'en'] as const)('office pages (%s)', (lang) => {
  it('the hub shows open emergencies, waiting releases and the missing units, with the office navigation', async () => {
    const { page } = await signedIn(lang)
    await expect.poll(() => page.locator('h1').textContent()).toBe(lang === 'zh' ? '办公室首页' : 'Office home')
    const main = page.locator('main')
    await expect.poll(() => main.textContent()).toContain(lang === 'zh' ? '待确认 1 条' : '1 open')
    await expect.poll(() => main.textContent()).toContain(lang === 'zh' ? '待审批 1 条' : '1 waiting for approval')
    expect(await page.locator('a[href="tel:010-60000004"]').count()).toBeGreaterThan(0)
    const nav = page.getByRole('navigation')
    for (const href of [
      '/office',
      '/emergencies',
      '/office/info-releases',
      '/office/units',
      '/office/approvers',
      '/office/leaders',
      '/office/deadlines',
      '/emergencies/outbox',
    ]) {
      expect(await nav.locator(`a[href="${href}"]`).count()).toBe(1)
    }
    expect(await nav.locator('a[aria-current="page"]').getAttribute('href')).toBe('/office')
    await check(page, 'hub', lang)
    await nav.getByRole('button', { name: lang === 'zh' ? '退出登录' : 'Sign out' }).click()
    await page.waitForURL(/\/admin\/login/)
    await page.goto(`${app.url}/office`)
    await page.waitForURL(/\/admin\/login/)
  })

  it('adds a unit, hands out its link as a QR poster that prints on one page, and the link works', async () => {
    const { page } = await signedIn(lang)
    await page
      .getByRole('navigation')
      .getByRole('link', { name: lang === 'zh' ? '单位' : 'Units' })
      .click()
    await page.waitForURL(/\/office\/units$/)
    await check(page, 'units', lang)
    await page.getByRole('link', { name: lang === 'zh' ? '添加单位' : 'Add a unit' }).click()
    await check(page, 'unit-new', lang)
    const id = `north-${lang}`
    await page.locator('#id').fill(id)
    await page.locator('#name').fill('北园公园管理处')
    await page.locator('#type').selectOption('park')
    await page.locator('#contactName').fill('赵敏')
    await page.locator('#contactPhone').fill('13700001111')
    await page.getByRole('button', { name: lang === 'zh' ? '添加并生成链接' : 'Add and make its link' }).click()
    await page.locator('.poster').waitFor()
    const link = ((await page.locator('#unit-link').textContent()) ?? '').trim()
    expect(link.startsWith(`${app.url}/u/${id}.`)).toBe(true) // PUBLIC_URL: the browser app's own address
    expect(link).toMatch(new RegExp(`/u/${id}\\.[A-Za-z0-9_-]{32}$`))
    // the QR code is the link itself
    const modules = await page.locator('.poster .qr svg path').getAttribute('d')
    const expected = /<path[^>]* d="([^"]+)"/.exec(renderSVG(link, { ecc: 'M', border: 2, pixelSize: 8 }))?.[1]
    expect(expected).toBeTruthy()
    expect(modules === expected).toBe(true) // no diff of two thousand characters when it fails
    await expect
      .poll(() => page.locator('.poster').textContent())
      .toMatch(lang === 'zh' ? /每天 \d\d:\d\d 前填报：人员健康日报/ : /Every day by \d\d:\d\d: Staff health daily/) // the other language's run may have moved the deadline
    await check(page, 'unit-link', lang)

    await page.emulateMedia({ media: 'print' })
    expect(await page.locator('header').isVisible()).toBe(false)
    expect(await page.getByRole('navigation').isVisible()).toBe(false)
    expect(await page.locator('.poster').isVisible()).toBe(true)
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true })
    await writeFile(join(process.cwd(), 'test-artifacts', `unit-poster-${lang}.pdf`), pdf)
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1)
    await page.emulateMedia({ media: 'screen' })

    const unitPage = await (await app.phone()).newPage()
    const response = await unitPage.goto(link)
    expect(response?.status()).toBe(200)
  })

  it('edits a unit with field-level errors, makes a new link and retires it', async () => {
    const { page } = await signedIn(lang)
    const id = `north-${lang}`
    await page.goto(`${app.url}/office/units/${id}`)
    await check(page, 'unit-edit', lang)
    await page.locator('#webhook').fill('wechat=https://example.org/hook?key=k123')
    await page.getByRole('button', { name: lang === 'zh' ? '保存' : 'Save' }).click()
    const summary = page.locator('.error-summary')
    await expect.poll(() => summary.textContent()).toContain(lang === 'zh' ? '本单位的群机器人：' : "The unit's chat robot: ")
    expect(await summary.textContent()).toContain('wecom')
    expect(await page.locator('main').textContent()).not.toContain('k123')
    expect(await page.locator('#webhook').getAttribute('aria-invalid')).toBe('true')
    await check(page, 'unit-edit-error', lang)
    await page.locator('#webhook').fill('')
    await page.locator('#name').fill('北园公园管理处（新）')
    await page.getByRole('button', { name: lang === 'zh' ? '保存' : 'Save' }).click()
    await page.waitForURL(/\/office\/units\?saved=/)
    expect(await page.getByRole('status').textContent()).toContain('北园公园管理处（新）')

    await page.goto(`${app.url}/office/units/${id}`)
    await page.getByRole('button', { name: lang === 'zh' ? '生成新链接' : 'Make a new link' }).click()
    await page.locator('.poster').waitFor()
    const link = ((await page.locator('#unit-link').textContent()) ?? '').trim()

    await page.goto(`${app.url}/office/units/${id}`)
    await page.locator('#confirm').check()
    await page.getByRole('button', { name: lang === 'zh' ? '停用' : 'Retire', exact: true }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toContain(lang === 'zh' ? '已于' : 'was retired on')
    await check(page, 'unit-retired', lang)
    const unitPage = await (await app.phone()).newPage()
    expect((await unitPage.goto(link))?.status()).toBe(404)
    await page.goto(`${app.url}/office`)
    expect(await page.locator('main').textContent()).not.toContain('北园公园管理处（新）')
  })

  it('adds an approver (link shown once with its QR code) and sets a deadline', async () => {
    const { page } = await signedIn(lang)
    await page
      .getByRole('navigation')
      .getByRole('link', { name: lang === 'zh' ? '审批人' : 'Approvers' })
      .click()
    await check(page, 'approvers', lang)
    await page.locator('#id').fill('Not Valid')
    const approverName = lang === 'zh' ? '王宣' : 'Wang Xuan'
    await page.locator('#name').fill(approverName)
    await page.getByRole('button', { name: lang === 'zh' ? '添加并生成链接' : 'Add and make the link' }).click()
    await expect.poll(() => page.locator('#id').getAttribute('aria-invalid')).toBe('true')
    await check(page, 'approvers-error', lang)
    await page.locator('#id').fill(`pr-${lang}`)
    await page.getByRole('button', { name: lang === 'zh' ? '添加并生成链接' : 'Add and make the link' }).click()
    await expect.poll(() => page.locator('main').textContent()).toContain(`/a/approver.pr-${lang}.`)
    expect(await page.locator('main svg').count()).toBe(1)
    await check(page, 'approver-link', lang)
    const linkPath = async () => new URL(((await page.locator('#holder-link').textContent()) ?? '').trim()).pathname
    const first = await linkPath()
    expect(first).toMatch(new RegExp(`^/a/approver\\.pr-${lang}\\.[A-Za-z0-9_-]{32}$`))

    // a new link: the first stops working; then revoked: the new one stops too
    await page.goto(`${app.url}/office/approvers`)
    await page
      .getByRole('button', {
        name:
          lang === 'zh' ? `为 ${approverName} 生成新链接（旧链接立即失效）` : `New link for ${approverName} (the old one stops working)`,
      })
      .click()
    await expect.poll(() => page.locator('main').textContent()).toContain(`/a/approver.pr-${lang}.`)
    const second = await linkPath()
    expect(second).not.toBe(first)
    const approverPage = await (await app.phone()).newPage()
    expect((await approverPage.goto(`${app.url}${first}`))?.status()).toBe(404)
    expect((await approverPage.goto(`${app.url}${second}`))?.status()).toBe(200)
    await page.goto(`${app.url}/office/approvers`)
    await page
      .getByRole('button', {
        name:
          lang === 'zh' ? `撤销 ${approverName} 的审批权限（链接立即失效）` : `Revoke ${approverName}'s link (it stops working at once)`,
      })
      .click()
    await page.waitForURL(/\/office\/approvers$/)
    await check(page, 'approvers-revoked', lang)
    expect((await approverPage.goto(`${app.url}${second}`))?.status()).toBe(404)

    // a leader's link, made and stopped from the same kind of page
    await page
      .getByRole('navigation')
      .getByRole('link', { name: lang === 'zh' ? '领导' : 'Leaders', exact: true })
      .click()
    await page.locator('#id').fill(`zhang-${lang}`)
    await page.locator('#name').fill('张组长')
    await page.getByRole('button', { name: lang === 'zh' ? '添加并生成链接' : 'Add and make the link' }).click()
    await expect.poll(() => page.locator('main').textContent()).toContain(`/l/leader.zhang-${lang}.`)
    await check(page, 'leader-link', lang)
    const leaderLink = await linkPath()
    expect((await approverPage.goto(`${app.url}${leaderLink}`))?.status()).toBe(200)
    await page.goto(`${app.url}/office/leaders`)
    await page
      .getByRole('button', {
        name: lang === 'zh' ? '撤销 张组长 的简报链接（立即失效）' : "Revoke 张组长's link (it stops working at once)",
      })
      .click()
    await page.waitForURL(/\/office\/leaders$/)
    await check(page, 'leaders-revoked', lang)
    expect((await approverPage.goto(`${app.url}${leaderLink}`))?.status()).toBe(404)

    await page
      .getByRole('navigation')
      .getByRole('link', { name: lang === 'zh' ? '截止时间' : 'Deadlines' })
      .click()
    await check(page, 'deadlines', lang)
    const time = lang === 'zh' ? '09:30' : '09:45'
    await page.locator('#time-daily-health').fill(time)
    await page.getByRole('button', { name: lang === 'zh' ? '保存' : 'Save' }).click()
    await page.waitForURL(/\/office\/deadlines\?saved/)
    expect(await page.locator('#time-daily-health').inputValue()).toBe(time)
    await page.goto(`${app.url}/office`)
    expect(await page.locator('main').textContent()).toContain(lang === 'zh' ? `截止 ${time}` : `due ${time}`)
  })
})

it('follows ?lang= on an office page and keeps it on the next', async () => {
  const { page } = await signedIn('zh')
  await page.goto(`${app.url}/office/units?lang=en`)
  expect(await page.locator('h1').textContent()).toBe('Units')
  await page.getByRole('navigation').getByRole('link', { name: 'Deadlines' }).click()
  expect(await page.locator('h1').textContent()).toBe('Deadlines')
})
