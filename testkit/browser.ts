// The real app on a random port (harness: dynalite, real stores) driven by Debian's Chromium
// through playwright-core. One browser per test file; each test opens its own context.
import { mkdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { type ServerType, serve } from '@hono/node-server'
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core'
import { type Harness, startHarness } from './harness.ts'

const PHONE_VIEWPORT = { width: 390, height: 844 }
const ARTIFACTS_DIR = join(process.cwd(), 'test-artifacts')

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * A phone-sized browser on a profile kept in `userDataDir`: closing it and launching it again on
 * the same folder is a browser restart (IndexedDB, localStorage and service workers stay).
 */
export async function persistentPhone(userDataDir: string, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    viewport: PHONE_VIEWPORT,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...options,
  })
  context.setDefaultTimeout(8_000)
  return context
}

export interface BrowserApp {
  h: Harness
  /** http://127.0.0.1:port */
  url: string
  browser: Browser
  /** answers GET `path` with `answer(the app's own answer)` from now on (a new deploy of one file) */
  override(path: string, answer: (original: Response) => Promise<Response>): void
  /** a fresh phone-sized context (no shared storage with other tests) */
  phone(options?: BrowserContextOptions): Promise<BrowserContext>
  close(): Promise<void>
}

export async function startBrowserApp(options: Parameters<typeof startHarness>[0] = {}): Promise<BrowserApp> {
  // Listening first: the app's address (its upload targets, its links) is the server's.
  let app: { fetch: (request: Request) => Response | Promise<Response> } | undefined
  const overrides = new Map<string, (original: Response) => Promise<Response>>()
  const server: ServerType = serve({
    fetch: async (request) => {
      if (!app) return new Response('starting', { status: 503 })
      const override = overrides.get(new URL(request.url).pathname)
      return override ? override(await app.fetch(request)) : app.fetch(request)
    },
    port: 0,
    hostname: '127.0.0.1',
  })
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  const h = await startHarness({ publicUrl: `http://127.0.0.1:${port}`, ...options })
  app = h.app
  // playwright gives every launch a fresh temporary profile (user data dir) of its own.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  const contexts: BrowserContext[] = []
  await mkdir(ARTIFACTS_DIR, { recursive: true })
  return {
    h,
    url: `http://127.0.0.1:${port}`,
    browser,
    override: (path, answer) => overrides.set(path, answer),
    async phone(options = {}) {
      const context = await browser.newContext({
        viewport: PHONE_VIEWPORT,
        isMobile: true,
        hasTouch: true,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
        ...options,
      })
      context.setDefaultTimeout(8_000)
      contexts.push(context)
      return context
    },
    async close() {
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)))
      await browser.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await h.close()
    },
  }
}

/** Saves a full-page screenshot under test-artifacts/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true })
}

let axeSource: string | undefined

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: unknown[] }[]
}

/** Runs axe-core in the page and returns its serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
  // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays on.
  await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe
    return (await axe.run()).violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }))
  })
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

/** Types values into a form by field name, as a person would: radios by value, repeated names (list rows) in order. */
export async function fillForm(page: Page, fields: [string, string][]): Promise<void> {
  const used = new Map<string, number>()
  for (const [name, value] of fields) {
    const radio = page.locator(`input[type=radio][name="${name}"][value="${value}"]`)
    if ((await radio.count()) > 0) {
      await radio.check()
      continue
    }
    const index = used.get(name) ?? 0
    used.set(name, index + 1)
    await page.locator(`[name="${name}"]`).nth(index).fill(value)
  }
}

/**
 * Chooses a 4000×3000 photo (12 MP, made in the page: gradients and grain, a JPEG as a camera
 * writes it) in the form's photo input, as a person picking it from the gallery would.
 */
export async function choosePhoto(page: Page, field: string): Promise<number> {
  return page.evaluate(async (name) => {
    const canvas = document.createElement('canvas')
    canvas.width = 4000
    canvas.height = 3000
    const g = canvas.getContext('2d') as CanvasRenderingContext2D
    const sky = g.createLinearGradient(0, 0, 0, 3000)
    sky.addColorStop(0, '#7fb2e5')
    sky.addColorStop(1, '#3d6b2f')
    g.fillStyle = sky
    g.fillRect(0, 0, 4000, 3000)
    for (let i = 0; i < 4000; i++) {
      g.fillStyle = `hsl(${(i * 37) % 360} 40% ${30 + (i % 40)}%)`
      g.fillRect((i * 7919) % 4000, (i * 104729) % 3000, 40, 30)
    }
    const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b as Blob), 'image/jpeg', 0.95))
    const input = document.querySelector<HTMLInputElement>(`[data-photo-field="${name}"] input[type=file]`) as HTMLInputElement
    const files = new DataTransfer()
    files.items.add(new File([blob], 'IMG_0001.JPG', { type: 'image/jpeg' }))
    input.files = files.files
    input.dispatchEvent(new Event('change', { bubbles: true }))
    return blob.size
  }, field)
}
