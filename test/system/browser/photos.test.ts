// Photos and a position from a phone in Chromium: a 12-megapixel photo is reduced on the phone
// before it leaves it, queued with the report while offline (IndexedDB), kept across a browser
// restart on a persistent profile, and stored once with its photo when the signal returns.

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BrowserApp, choosePhoto, fillForm, persistentPhone, screenshot, startBrowserApp } from '../../../testkit/browser.ts'
import { healthFormFields } from '../../../testkit/fixtures.ts'
import { officeCookie } from '../../../testkit/harness.ts'

let app: BrowserApp
let profiles: string

beforeAll(async () => {
  app = await startBrowserApp()
  profiles = await mkdtemp(join(tmpdir(), 'sentinel-profile-'))
})
afterAll(async () => {
  await app?.close()
  await rm(profiles, { recursive: true, force: true })
})

const emergency: [string, string][] = [
  ['category', 'wildlife_dieoff'],
  ['severity', 'urgent'],
  ['location', '北园湿地东侧'],
  ['description', '发现 3 只死亡野鸭'],
  ['contactName', '黄磊'],
  ['contactPhone', '13700001111'],
]

/** Width and height from a JPEG's start-of-frame marker. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } {
  let i = 2
  while (i < bytes.length) {
    const marker = bytes[i + 1] ?? 0
    const length = ((bytes[i + 2] ?? 0) << 8) + (bytes[i + 3] ?? 0)
    if (marker >= 0xc0 && marker <= 0xc2)
      return { height: ((bytes[i + 5] ?? 0) << 8) + (bytes[i + 6] ?? 0), width: ((bytes[i + 7] ?? 0) << 8) + (bytes[i + 8] ?? 0) }
    i += 2 + length
  }
  throw new Error('no start-of-frame marker')
}

const recordsOf = async (unitId: string) =>
  (await app.h.stores.records.currentOfAll()).filter((r) => r.unitId === unitId && r.formId === 'emergency')

describe('a report with a photo and a position', () => {
  it('sends a 12 MP photo reduced on the phone, and shows the position with its accuracy (warned over 100 m)', async () => {
    const token = await app.h.unit('photo-online', ['emergency'])
    const context = await app.phone({
      permissions: ['geolocation'],
      geolocation: { latitude: 39.9042, longitude: 116.4074, accuracy: 350 },
    })
    const page = await context.newPage()
    await page.goto(`${app.url}/u/${token}/forms/emergency`)
    await fillForm(page, emergency)
    const original = await choosePhoto(page, 'photos')
    await expect.poll(() => page.locator('[data-photo-field="photos"] .thumbs img').count()).toBe(1)
    await page.getByRole('button', { name: '获取当前位置' }).click()
    await expect.poll(() => page.locator('[data-location-status]').textContent()).toContain('±350 米，超过 100 米')
    expect(await page.locator('input[name="position.lat"]').inputValue()).toBe('39.904200')
    await screenshot(page, 'photo-location-form')

    await page.getByRole('button', { name: '提交' }).click()
    await page.waitForURL(/\/records\//)
    const [record] = await recordsOf('photo-online')
    expect(record?.values.position).toEqual({ lat: 39.9042, lng: 116.4074, accuracy: 350 })
    const keys = record?.values.photos as string[]
    expect(keys).toHaveLength(1)
    const stored = await app.h.app.request(`/photos/${keys[0]}`, { headers: { cookie: await officeCookie(app.h.app) } })
    expect(stored.headers.get('content-type')).toBe('image/jpeg')
    const bytes = new Uint8Array(await stored.arrayBuffer())
    expect(jpegSize(bytes)).toEqual({ width: 1600, height: 1200 })
    expect(original).toBeGreaterThan(bytes.length)
    expect(bytes.length).toBeLessThan(500 * 1024)
    // the record page shows the photo as a thumbnail, from the unit's own link
    await expect.poll(() => page.locator('.thumbs img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1600)
    await screenshot(page, 'photo-record')
  })

  it('keeps a photo queued offline across a browser restart, then stores it once with the photo', async () => {
    const token = await app.h.unit('photo-offline', ['emergency'])
    const profile = join(profiles, 'offline')
    let context = await persistentPhone(profile)
    let page = context.pages()[0] ?? (await context.newPage())
    await page.goto(`${app.url}/u/${token}/forms/emergency`)
    await context.setOffline(true)
    await fillForm(page, emergency)
    await choosePhoto(page, 'photos')
    await expect.poll(() => page.locator('[data-photo-field="photos"] .thumbs img').count()).toBe(1)
    await page.getByRole('button', { name: '提交' }).click()
    await expect.poll(() => page.locator('#sync').textContent()).toContain('网络不通')
    await context.close()
    expect(await recordsOf('photo-offline')).toHaveLength(0)

    // The browser restarts, still offline in the test's eyes until the page is open again.
    context = await persistentPhone(profile)
    page = context.pages()[0] ?? (await context.newPage())
    await page.goto(`${app.url}/u/${token}`)
    await expect.poll(() => page.locator('#sync').textContent()).toContain('已提交')
    const records = await recordsOf('photo-offline')
    expect(records).toHaveLength(1)
    const keys = records[0]?.values.photos as string[]
    expect(keys).toHaveLength(1)
    const photo = await app.h.app.request(`/photos/${keys[0]}`, { headers: { cookie: await officeCookie(app.h.app) } })
    expect(photo.status).toBe(200)
    await context.close()
  })

  it('opens forms with no signal from the service worker’s cache, queues two reports across a restart, and stores each once', async () => {
    const token = await app.h.unit('photo-field', ['daily-health', 'emergency'])
    const profile = join(profiles, 'field')
    let context = await persistentPhone(profile)
    let page = context.pages()[0] ?? (await context.newPage())
    // The unit's home, once online: the worker caches it and every form it links to.
    await page.goto(`${app.url}/u/${token}`)
    await expect
      .poll(() => page.evaluate(async () => (await caches.open('sentinel-pages')).keys().then((keys) => keys.length)))
      .toBeGreaterThanOrEqual(4)
    await context.setOffline(true)
    await page.goto(`${app.url}/u/${token}/forms/emergency`)
    await fillForm(page, emergency)
    await choosePhoto(page, 'photos')
    await expect.poll(() => page.locator('[data-photo-field="photos"] .thumbs img').count()).toBe(1)
    await page.getByRole('button', { name: '提交' }).click()
    await expect.poll(() => page.locator('#sync').textContent()).toContain('网络不通')
    // a form never opened before opens too: the home asked for it
    await page.goto(`${app.url}/u/${token}/forms/daily-health`)
    await fillForm(page, healthFormFields)
    await page.getByRole('button', { name: '提交' }).click()
    await expect.poll(() => page.locator('#sync').textContent()).toContain('网络不通')
    await context.close()

    context = await persistentPhone(profile)
    await context.setOffline(true)
    page = context.pages()[0] ?? (await context.newPage())
    await page.goto(`${app.url}/u/${token}`)
    await expect.poll(() => page.locator('#waiting h2').textContent()).toBe('2 份待发送')
    await screenshot(page, 'home-waiting')
    // the queue is in IndexedDB (with the photo's Blob), not localStorage
    const kept = await page.evaluate(
      () =>
        new Promise<{ queued: number; photos: number; legacy: string | null }>((resolve) => {
          const open = indexedDB.open('sentinel-forms')
          open.onsuccess = () => {
            const tx = open.result.transaction(['queue', 'photos'])
            const queued = tx.objectStore('queue').count()
            const photos = tx.objectStore('photos').count()
            tx.oncomplete = () => resolve({ queued: queued.result, photos: photos.result, legacy: localStorage.getItem('sf:queue') })
          }
        }),
    )
    expect(kept).toEqual({ queued: 2, photos: 1, legacy: null })
    expect(await recordsOf('photo-field')).toHaveLength(0)

    await context.setOffline(false)
    await page.evaluate(() => window.dispatchEvent(new Event('online')))
    await expect.poll(async () => (await app.h.stores.records.currentOfAll()).filter((r) => r.unitId === 'photo-field').length).toBe(2)
    await expect.poll(() => page.locator('#waiting').count()).toBe(0)
    const [report] = await recordsOf('photo-field')
    expect(report?.values.photos).toHaveLength(1)
    expect(await app.h.stores.records.versions(`daily-health.2026-11-28.photo-field`)).toHaveLength(1)
    await context.close()
  })

  it('loses nothing when the service worker is updated between opening the forms and sending', async () => {
    const token = await app.h.unit('photo-update', ['daily-health', 'emergency'])
    const context = await app.phone()
    const page = await context.newPage()
    await page.goto(`${app.url}/u/${token}`)
    await expect
      .poll(() => page.evaluate(async () => (await caches.open('sentinel-pages')).keys().then((keys) => keys.length)))
      .toBeGreaterThanOrEqual(4)
    // A new deploy: the worker's script changes; the browser installs it and it takes over.
    app.override('/sw.js', async (original) => new Response(`${await original.text()}\n// deploy 2\n`, original))
    const updated = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration()
      const changed = new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve()))
      await registration?.update()
      await changed
      const script = await (await fetch('/sw.js')).text()
      return script.endsWith('// deploy 2\n')
    })
    expect(updated).toBe(true)

    await context.setOffline(true)
    await page.goto(`${app.url}/u/${token}/forms/emergency`)
    await fillForm(page, emergency)
    await choosePhoto(page, 'photos')
    await expect.poll(() => page.locator('[data-photo-field="photos"] .thumbs img').count()).toBe(1)
    await page.getByRole('button', { name: '提交' }).click()
    await expect.poll(() => page.locator('#sync').textContent()).toContain('网络不通')
    await page.goto(`${app.url}/u/${token}`)
    await expect.poll(() => page.locator('#waiting h2').textContent()).toBe('1 份待发送')

    await context.setOffline(false)
    await page.evaluate(() => window.dispatchEvent(new Event('online')))
    await expect.poll(async () => (await recordsOf('photo-update')).length).toBe(1)
    expect((await recordsOf('photo-update'))[0]?.values.photos).toHaveLength(1)
  })
})
