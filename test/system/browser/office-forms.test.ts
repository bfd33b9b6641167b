// The office's forms page in Chromium on a phone: download a form's workbook, edit it, upload
// it, look at the preview as a unit sees it on a phone, publish with a name; a bad workbook is
// refused with its sheet, row and column named. Screenshots go to test-artifacts/.
import ExcelJS from 'exceljs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BrowserApp, screenshot, seriousViolations, startBrowserApp } from '../../../testkit/browser.ts'
import { ADMIN_TOKEN } from '../../../testkit/harness.ts'

let app: BrowserApp
beforeAll(async () => {
  app = await startBrowserApp()
})
afterAll(() => app?.close())

async function signedIn(): Promise<Page> {
  const context = await app.phone()
  const page = await context.newPage()
  await page.goto(`${app.url}/admin/login`)
  await page.locator('#token').fill(ADMIN_TOKEN)
  await page.getByRole('button', { name: /登录/ }).click()
  await page.waitForURL(/\/office$/)
  return page
}

/** The workbook the page offers for a form, edited by `edit` as the office would in Excel. */
async function editedWorkbook(page: Page, formId: string, edit: (fields: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const download = await page.request.get(`${app.url}/office/forms/${formId}/workbook.xlsx`)
  expect(download.headers()['content-type']).toContain('spreadsheetml')
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load((await download.body()) as unknown as ArrayBuffer)
  const fields = workbook.getWorksheet('fields')
  if (!fields) throw new Error('no fields sheet')
  edit(fields)
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

describe('the office publishes a form from a workbook', () => {
  it('uploads an edited workbook, previews it at phone size, and publishes it', async () => {
    const page = await signedIn()
    await page.getByRole('navigation').getByRole('link', { name: '表单' }).click()
    await page.waitForURL(/\/office\/forms$/)
    expect(await seriousViolations(page)).toEqual([])
    await screenshot(page, 'office-forms-zh')

    const buffer = await editedWorkbook(page, 'wildlife-daily', (fields) => {
      const row = fields.getRow(fields.rowCount + 1)
      row.values = ['carcassesCollected', 'integer', '收集尸体数', 'Carcasses collected', '', '', 'no', 'no', 0, 500]
    })
    await page.locator('#workbook').setInputFiles({ name: 'wildlife-daily.xlsx', mimeType: 'application/octet-stream', buffer })
    await page.getByRole('button', { name: '上传并预览' }).click()
    await page.waitForURL(/\/office\/forms\/preview$/)
    await expect.poll(() => page.locator('h1').textContent()).toContain('第 2 版')
    expect(await page.locator('main').textContent()).toContain('新增字段：收集尸体数')
    const frame = page.frameLocator('iframe')
    await expect.poll(() => frame.locator('label[for="carcassesCollected"]').textContent()).toContain('收集尸体数')
    expect(await seriousViolations(page)).toEqual([])
    await screenshot(page, 'office-forms-preview-zh')

    await page.locator('#by').fill('刘洋')
    await page.getByRole('button', { name: '发布第 2 版' }).click()
    await page.waitForURL(/\/office\/forms\?published=/)
    expect(await page.getByRole('status').textContent()).toContain('已发布 野生动物疫源疫病监测日报 第 2 版')
    expect(app.h.forms.get('wildlife-daily')?.version).toBe(2)
    expect((await app.h.forms.history('wildlife-daily'))?.at(-1)?.publishedBy).toBe('刘洋')
  })

  it('refuses a bad workbook, naming its sheet, row and column, and publishes nothing', async () => {
    const page = await signedIn()
    await page.goto(`${app.url}/office/forms`)
    const buffer = await editedWorkbook(page, 'site-daily', (fields) => {
      fields.getRow(2).getCell(2).value = 'number'
    })
    await page.locator('#workbook').setInputFiles({ name: 'site-daily.xlsx', mimeType: 'application/octet-stream', buffer })
    await page.getByRole('button', { name: '上传并预览' }).click()
    const alert = page.getByRole('alert')
    await expect.poll(() => alert.textContent()).toContain('工作表 "fields" 第 2 行 "type" 列：须为以下之一：integer, text')
    expect(await seriousViolations(page)).toEqual([])
    await screenshot(page, 'office-forms-refused-zh')
    expect(app.h.forms.get('site-daily')?.version).toBe(1)
  })
})
