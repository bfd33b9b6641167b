// Page weight: each unit page as a phone first loads it, HTML (CSS inline) plus the script,
// raw and gzipped. The bar is a form page under 30 KB in all; this prints numbers, not asserts.
import { gzipSync } from 'node:zlib'
import { startHarness } from '../testkit/harness.ts'
import { printTable, report } from './report.ts'

const BUDGET_BYTES = 30 * 1024

type Weight = {
  page: string
  html: number
  css: number
  js: number
  total: number
  gzipped: number
  underBudget: boolean
}

const bytes = (s: string) => Buffer.byteLength(s)
const inlineCss = (html: string) => /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? ''
const scriptSrc = (html: string) => /<script src="([^"]+)"/.exec(html)?.[1]

export async function benchPageWeight(): Promise<Weight[]> {
  const h = await startHarness()
  try {
    const forms = h.forms.all.map((f) => f.id)
    const token = await h.unit('weight-unit', forms)
    const base = `/u/${token}`
    const invalid = await h.app.request(`http://localhost${base}/forms/daily-health`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: '_key=bench-weight-invalid',
    })
    const posted = await h.app.request(`http://localhost${base}/forms/emergency`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: new URLSearchParams({
        _key: 'bench-weight-emergency',
        category: 'other',
        severity: 'general',
        location: '南门',
        description: '测试',
        contactName: '赵敏',
        contactPhone: '13700001111',
      }).toString(),
    })
    const pages: [string, string][] = [
      ['unit home', await (await h.app.request(base)).text()],
      ...(await Promise.all(
        forms.map(async (id): Promise<[string, string]> => [`form ${id}`, await (await h.app.request(`${base}/forms/${id}`)).text()]),
      )),
      ['form with every error (daily-health)', await invalid.text()],
      ['confirmation (emergency)', await (await h.app.request(posted.headers.get('location') ?? base)).text()],
    ]
    const scripts = new Map<string, string>()
    const rows: Weight[] = []
    for (const [page, html] of pages) {
      const src = scriptSrc(html)
      if (src && !scripts.has(src)) scripts.set(src, await (await h.app.request(src)).text())
      const js = src ? (scripts.get(src) ?? '') : ''
      const total = bytes(html) + bytes(js)
      rows.push({
        page,
        html: bytes(html) - bytes(inlineCss(html)),
        css: bytes(inlineCss(html)),
        js: bytes(js),
        total,
        gzipped: gzipSync(html).length + (js ? gzipSync(js).length : 0),
        underBudget: total < BUDGET_BYTES,
      })
    }
    return rows
  } finally {
    await h.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchPageWeight()
  printTable(`page weight in bytes (budget ${BUDGET_BYTES} in all; CSS inline, JS cached after the first page)`, rows)
  await report('page-weight', rows)
}
