// Reports from the field, in Chromium: the first visit to a form on a slow 3G link (400 kbps,
// 400 ms round trip, DevTools' network throttling), a form opened again with no signal from the
// service worker's cache, and a 12-megapixel photo as it leaves the phone.
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { choosePhoto, startBrowserApp } from '../testkit/browser.ts'

export type FieldBench = {
  'first visit on slow 3G, ms': number
  'cached form offline, ms': number
  'photo chosen, bytes': number
  'photo uploaded, bytes': number
}

const SLOW_3G = { offline: false, latency: 400, downloadThroughput: 400_000 / 8, uploadThroughput: 400_000 / 8 }

export async function benchField(): Promise<FieldBench> {
  const app = await startBrowserApp()
  try {
    const token = await app.h.unit('bench-field', ['emergency', 'daily-health'])
    const context = await app.phone()
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.emulateNetworkConditions', SLOW_3G)
    // Usable: the form is there and the script has enhanced it (the photo button shows).
    let started = performance.now()
    await page.goto(`${app.url}/u/${token}/forms/emergency`)
    await page.locator('label.button[for="photos"]:not([hidden])').waitFor()
    const firstVisit = Math.round(performance.now() - started)

    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
    await page.goto(`${app.url}/u/${token}`)
    await page.waitForFunction(async () => (await (await caches.open('sentinel-pages')).keys()).length >= 4)
    await context.setOffline(true)
    started = performance.now()
    await page.goto(`${app.url}/u/${token}/forms/daily-health`)
    await page.locator('label[for="staffTotal"]').waitFor()
    const cachedOffline = Math.round(performance.now() - started)
    await context.setOffline(false)

    await page.goto(`${app.url}/u/${token}/forms/emergency`)
    const chosen = await choosePhoto(page, 'photos')
    await page.locator('[data-photo-field="photos"] .thumbs img').waitFor()
    for (const [name, value] of Object.entries({ location: '北园', description: '测试', contactName: '黄磊', contactPhone: '13700001111' }))
      await page.locator(`[name="${name}"]`).fill(value)
    await page.locator('input[name=category][value=other]').check()
    await page.locator('input[name=severity][value=general]').check()
    await page.getByRole('button', { name: '提交' }).click()
    await page.waitForURL(/\/records\//)
    const dir = join(app.h.dataDir, 'photos', 'bench-field')
    const [file] = await readdir(dir)
    const uploaded = (await stat(join(dir, file ?? ''))).size
    return {
      'first visit on slow 3G, ms': firstVisit,
      'cached form offline, ms': cachedOffline,
      'photo chosen, bytes': chosen,
      'photo uploaded, bytes': uploaded,
    }
  } finally {
    await app.close()
  }
}
