import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dataRows, type Harness, startHarness } from '../../testkit/harness.ts'

let h: Harness
let token: string

beforeAll(async () => {
  h = await startHarness()
  token = await h.unit('park-east', ['daily-health', 'wildlife-daily', 'emergency'])
})
afterAll(() => h.close())

const origin = 'http://localhost'
const form = (fields: [string, string][]) => new URLSearchParams(fields).toString()
const postForm = (path: string, body: string, headers: Record<string, string> = {}) =>
  h.app.request(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, ...headers },
    body,
  })

const healthFields = (overrides: Record<string, string> = {}): [string, string][] =>
  Object.entries({
    _key: `page-key-${Math.random().toString(36).slice(2)}`,
    date: '2026-11-28',
    staffTotal: '40',
    onDuty: '30',
    remote: '8',
    returnedFromOutside: '2',
    homeObservation: '0',
    feverOrRespiratory: '0',
    suspected: '0',
    confirmed: '0',
    partnerStaff: '12',
    partnerAbnormal: '0',
    publicAreaDisinfected: 'yes',
    notes: '',
    reporterName: '张伟',
    reporterPhone: '13800138000',
    ...overrides,
  })

describe('unit pages', () => {
  it('shows the unit home with its forms, today and the emergency button', async () => {
    const res = await h.app.request(`/u/${token}`)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('单位 park-east')
    expect(html).toContain('2026-11-28')
    expect(html).toContain('发起应急请求')
    expect(html).toContain('野生动物疫源疫病监测日报')
    expect(html).toContain('未报')
  })

  it('refuses an unknown link without saying which part was wrong', async () => {
    const res = await h.app.request('/u/park-east.notthesecretnotthesecret')
    expect(res.status).toBe(404)
    expect(await res.text()).toContain('链接无效')
  })

  it('renders a form page that works without JavaScript: labels, numeric keyboards, only a deferred same-origin script', async () => {
    const html = await (await h.app.request(`/u/${token}/forms/daily-health`)).text()
    expect(html).toContain('<form method="post"')
    expect(html).toContain('<label class="label" for="staffTotal">在册人数</label>')
    expect(html).toMatch(/id="staffTotal"[^>]*inputmode="numeric"/)
    expect(html).toMatch(/type="tel"[^>]*autocomplete="tel"/)
    // Progressive enhancement only: one deferred same-origin script, nothing inline.
    expect(html.match(/<script[^>]*>/g)).toEqual([expect.stringMatching(/^<script src="\/assets\/app-[0-9a-f]{12}\.js" defer="">$/)])
    const script = /src="([^"]+)"/.exec(html.match(/<script[^>]*>/)?.[0] ?? '')?.[1] ?? ''
    const js = await h.app.request(script)
    expect(js.headers.get('content-type')).toContain('javascript')
    expect(Buffer.byteLength(html) + Buffer.byteLength(await js.text())).toBeLessThan(30 * 1024)
  })

  it('stores a plain form post and shows the confirmation with the version', async () => {
    const post = await postForm(`/u/${token}/forms/daily-health`, form(healthFields()))
    expect(post.status).toBe(303)
    const location = post.headers.get('location') ?? ''
    expect(location).toMatch(/^\/u\/.+\/records\/daily-health\.2026-11-28\.park-east\?v=1$/)
    const confirmation = await (await h.app.request(location)).text()
    expect(confirmation).toContain('已保存为第 1 版')
    expect(confirmation).toContain('张伟')
    await h.mirror()
    expect((await dataRows(h.sink.path, '人员健康日报')).map((r) => r[0])).toContain('daily-health.2026-11-28.park-east')
  })

  it('stores a double-tapped post once', async () => {
    const fields = healthFields({ onDuty: '31' })
    const [a, b] = await Promise.all([
      postForm(`/u/${token}/forms/daily-health`, form(fields)),
      postForm(`/u/${token}/forms/daily-health`, form(fields)),
    ])
    expect(a.headers.get('location')).toBe(b.headers.get('location'))
    const versions = await h.stores.records.versions('daily-health.2026-11-28.park-east')
    expect(versions.filter((v) => v.values.onDuty === 31)).toHaveLength(1)
  })

  it("pre-fills today's report for correction", async () => {
    const html = await (await h.app.request(`/u/${token}/forms/daily-health`)).text()
    expect(html).toMatch(/id="onDuty"[^>]*value="31"/)
  })

  it('re-renders with an error summary linking to each field, in Chinese by default', async () => {
    const res = await postForm(`/u/${token}/forms/daily-health`, form(healthFields({ staffTotal: 'abc', reporterName: '' })))
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('请修改以下问题')
    expect(html).toContain('<a href="#staffTotal">在册人数：请填写整数</a>')
    expect(html).toContain('<a href="#reporterName">填报人：必填</a>')
    expect(html).toMatch(/id="staffTotal"[^>]*aria-invalid="true"/)
    expect(html).toContain('value="abc"') // what was typed is kept
  })

  it('speaks English when asked, and remembers it', async () => {
    const res = await postForm(`/u/${token}/forms/daily-health?lang=en`, form(healthFields({ staffTotal: '' })))
    const html = await res.text()
    expect(html).toContain('There is a problem')
    expect(html).toContain('Staff on roll：Required')
    const cookie = res.headers.get('set-cookie') ?? ''
    expect(cookie).toContain('lang=en')
    const next = await h.app.request(`/u/${token}`, { headers: { cookie: cookie.split(';')[0] ?? '' } })
    expect(await next.text()).toContain('Raise an emergency request')
  })

  it('refuses a post over 64 KiB with a page in the language asked for, by ?lang= or Accept-Language', async () => {
    const tooBig = form(healthFields({ notes: 'x'.repeat(70_000) }))

    const byQuery = await postForm(`/u/${token}/forms/daily-health?lang=en`, tooBig)
    const byHeader = await postForm(`/u/${token}/forms/daily-health`, tooBig, { 'accept-language': 'en-GB,en;q=0.9' })
    const unasked = await postForm(`/u/${token}/forms/daily-health`, tooBig)

    for (const res of [byQuery, byHeader]) {
      expect(res.status).toBe(413)
      const html = await res.text()
      expect(html).toContain('<html lang="en">')
      expect(html).toContain('What you sent is too large')
    }
    expect(unasked.status).toBe(413)
    expect(await unasked.text()).toContain('提交内容过大')
  })

  it('escapes what people typed', async () => {
    const post = await postForm(`/u/${token}/forms/daily-health`, form(healthFields({ reporterName: '<script>alert(1)</script>' })))
    const html = await (await h.app.request(post.headers.get('location') ?? '')).text()
    expect(html).not.toContain('<script>alert(1)</script>')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })

  it('takes the emergency form with supplies rows', async () => {
    const res = await postForm(
      `/u/${token}/forms/emergency`,
      form([
        ['_key', 'emergency-page-key-1'],
        ['category', 'supplies_shortage'],
        ['severity', 'critical'],
        ['location', '南门'],
        ['description', '口罩告急'],
        ['supplies.item', 'N95 口罩'],
        ['supplies.quantity', '200'],
        ['supplies.item', ''],
        ['supplies.quantity', ''],
        ['contactName', '赵敏'],
        ['contactPhone', '13700001111'],
      ]),
    )
    expect(res.status).toBe(303)
    const id = /records\/([^?]+)/.exec(res.headers.get('location') ?? '')?.[1] ?? ''
    const [stored] = await h.stores.records.versions(id)
    expect(stored?.values.supplies).toEqual([{ item: 'N95 口罩', quantity: 200 }])
    expect(stored?.alert).toEqual({ category: 'supplies_shortage', severity: 'critical' })
  })

  it('refuses a form post from another origin', async () => {
    const res = await postForm(`/u/${token}/forms/daily-health`, form(healthFields()), { origin: 'https://evil.example' })
    expect(res.status).toBe(403)
  })

  it('sends secure headers', async () => {
    const res = await h.app.request(`/u/${token}`)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
  })
})
