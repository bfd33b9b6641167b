// Information-release approval, end to end against real parts: dynalite, the real app, the real
// workbook, and a real HTTP webhook receiver for the notices.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createApprovalStore } from '#commons/adapters/dynamo/approvals.ts'
import { createDynamoClients } from '#commons/adapters/dynamo/client.ts'
import { createDynamoStores } from '#commons/adapters/dynamo/stores.ts'
import { ensureTable } from '#commons/adapters/dynamo/table.ts'
import { approvalPass, type NoticeDeps } from '#commons/approvals/notices.ts'
import { infoReleaseTab } from '#commons/approvals/requests.ts'
import { deliverNotice } from '#commons/channels/notice.ts'
import { parseWebhookList } from '#commons/channels/webhook-config.ts'
import { type FormRegistry, loadForms } from '#commons/forms/registry.ts'
import { silentLogger } from '#commons/log.ts'
import { type MirrorDeps, mirrorPass, rebuildSheet } from '#commons/sheet/mirror.ts'
import type { ApprovalStore, Stores } from '#commons/store.ts'
import { addUnit } from '#commons/units/roster.ts'
import { hashSecret } from '#commons/units/tokens.ts'
import { createApp } from '#commons/web/app.tsx'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../functions/local/embedded-dynamodb.ts'
import { createWorkbookSink } from '../../functions/local/workbook-sink.ts'
import { newKey, submission } from '../../testkit/fixtures.ts'
import { ADMIN_TOKEN, dataRows, fixedClock, LINK_KEY, officeCookie, TIME_ZONE } from '../../testkit/harness.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../../testkit/webhook-receiver.ts'

const origin = 'http://localhost'
const clock = fixedClock('2026-11-28T02:00:00Z') // 10:00 in Shanghai

let dynamo: EmbeddedDynamo
let destroyClient: () => void
let dataDir: string
let stores: Stores
let approvals: ApprovalStore
let forms: FormRegistry
let app: ReturnType<typeof createApp>
let receiver: WebhookReceiver
let noticeDeps: NoticeDeps
let mirrorDeps: MirrorDeps
let workbook: string
let unitToken: string
let approverToken: string
let changes = 0

const infoRelease = (overrides: Record<string, unknown> = {}) => ({
  title: '关于公园临时闭园的通知',
  channel: 'wechat',
  content: '根据区防控指挥部要求，东园公园自即日起临时闭园。',
  attachments: ['https://example.org/notice.pdf'],
  requesterName: '黄磊',
  requesterPhone: '13800138000',
  ...overrides,
})

const bearer = (token: string, body?: unknown): RequestInit => ({
  method: body === undefined ? 'GET' : 'POST',
  headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
})

async function request(token = unitToken, body = infoRelease()): Promise<string> {
  const res = await app.request(`/api/forms/info-release/submissions`, submission(token, body))
  expect(res.status).toBe(201)
  return ((await res.json()) as { id: string }).id
}

const decide = (id: string, action: 'approve' | 'reject', body: unknown, token = approverToken) =>
  app.request(`/api/info-releases/${encodeURIComponent(id)}/${action}`, bearer(token, body))

interface Listed {
  id: string
  version: number
  status: string
  title: string
  decision: { by: { id: string; name: string }; at: string; comment: string } | null
  values?: Record<string, unknown>
}

async function list(status?: string, token = approverToken): Promise<Listed[]> {
  const res = await app.request(`/api/info-releases${status ? `?status=${status}` : ''}`, bearer(token))
  expect(res.status).toBe(200)
  return (await res.json()) as Listed[]
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sentinel-info-release-'))
  dynamo = await startEmbeddedDynamo()
  const { client, doc } = createDynamoClients(dynamo.endpoint)
  destroyClient = () => client.destroy()
  await ensureTable(client, 'test')
  stores = createDynamoStores(doc, 'test')
  approvals = createApprovalStore(doc, 'test')
  forms = await loadForms()
  receiver = await startWebhookReceiver()
  workbook = join(dataDir, 'leaders.xlsx')
  const sink = await createWorkbookSink(workbook, silentLogger)
  const form = forms.approvalForm()
  if (!form) throw new Error('the info-release form is missing')
  mirrorDeps = {
    ...stores,
    forms,
    sink,
    timeZone: TIME_ZONE,
    log: silentLogger,
    computedTabs: [infoReleaseTab({ approvals, units: stores.units, form, timeZone: TIME_ZONE })],
  }
  noticeDeps = {
    records: stores.records,
    approvals,
    settings: stores.settings,
    units: stores.units,
    clock,
    timeZone: TIME_ZONE,
    form,
    approverTargets: parseWebhookList(`json=${receiver.url}/approvers`),
    deliver: (target, notice) => deliverNotice(fetch, target, notice, { now: new Date(), timeoutMs: 2000 }),
    publicUrl: 'http://forms.test',
    log: silentLogger,
  }
  app = createApp({
    forms,
    stores,
    clock,
    timeZone: TIME_ZONE,
    adminTokenHash: hashSecret(ADMIN_TOKEN),
    linkKey: LINK_KEY,
    publicUrl: 'http://forms.test',
    log: silentLogger,
    rebuildSheet: () => rebuildSheet(mirrorDeps),
    approvals: { store: approvals, form, changed: () => changes++ },
  })
  unitToken = (
    await addUnit(stores.units, forms, clock, {
      id: 'park-east',
      name: '东园公园管理处',
      type: 'park',
      webhook: `json=${receiver.url}/park-east`,
    })
  ).token
  const added = await app.request('/api/admin/approvers', bearer(ADMIN_TOKEN, { id: 'publicity', name: '宣传组 王芳' }))
  expect(added.status).toBe(201)
  approverToken = ((await added.json()) as { token: string }).token
})

afterAll(async () => {
  await receiver.close()
  destroyClient()
  await dynamo.close()
  await rm(dataDir, { recursive: true, force: true })
})

beforeEach(async () => {
  // Earlier tests' notices go out first, so each test sees only its own.
  await approvalPass(noticeDeps)
  receiver.reset()
})

describe('the information-release cycle', () => {
  it('lists a new request as pending, approves it once, and records who decided, when and why', async () => {
    const id = await request()

    const pending = await list('pending')
    expect(pending.find((r) => r.id === id)).toMatchObject({
      version: 1,
      status: 'pending',
      title: '关于公园临时闭园的通知',
      decision: null,
    })
    expect(pending.find((r) => r.id === id)?.values?.content).toContain('临时闭园')

    clock.advance(60_000)
    const approved = await decide(id, 'approve', { comment: '口径一致，同意发布' })
    expect(approved.status).toBe(200)
    expect(await approved.json()).toMatchObject({
      id,
      status: 'approved',
      decision: { by: { id: 'publicity', name: '宣传组 王芳' }, at: '2026-11-28T02:01:00.000Z', comment: '口径一致，同意发布' },
    })
    expect((await list('pending')).some((r) => r.id === id)).toBe(false)
    expect((await list('approved')).some((r) => r.id === id)).toBe(true)

    const detail = await app.request(`/api/info-releases/${id}`, bearer(approverToken))
    expect(((await detail.json()) as { history: unknown[] }).history).toEqual([
      { version: 1, change: 'submitted', by: { id: 'park-east', name: '黄磊' }, at: '2026-11-28T02:00:00.000Z' },
      {
        version: 1,
        change: 'approved',
        by: { id: 'publicity', name: '宣传组 王芳' },
        at: '2026-11-28T02:01:00.000Z',
        comment: '口径一致，同意发布',
      },
    ])
    expect(changes).toBeGreaterThan(0)
  })

  it('refuses to decide a request twice, whichever way the second decision goes', async () => {
    const id = await request()
    expect((await decide(id, 'approve', {})).status).toBe(200)

    const again = await decide(id, 'approve', { by: '办公室 周敏' }, ADMIN_TOKEN)
    const reversed = await decide(id, 'reject', { comment: '改主意了' })

    expect(again.status).toBe(409)
    expect(reversed.status).toBe(409)
    expect(await reversed.json()).toMatchObject({ error: 'already_decided' })
    const history = (await approvals.events(id)).map((e) => e.kind)
    expect(history).toEqual(['submitted', 'approved'])
  })

  it('lets exactly one of several concurrent decisions in', async () => {
    const id = await request()

    const answers = await Promise.all([
      ...Array.from({ length: 3 }, () => decide(id, 'approve', {})),
      ...Array.from({ length: 3 }, () => decide(id, 'reject', { by: '办公室 周敏', comment: '不同意' }, ADMIN_TOKEN)),
    ])

    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409, 409])
    expect((await approvals.events(id)).filter((e) => e.kind !== 'submitted')).toHaveLength(1)
  })

  it('refuses a unit token, for listing and for deciding, and changes nothing', async () => {
    const id = await request()

    expect((await app.request('/api/info-releases?status=pending', bearer(unitToken))).status).toBe(401)
    expect((await decide(id, 'approve', {}, unitToken)).status).toBe(401)
    expect((await decide(id, 'approve', {}, 'approver.publicity.wrongwrongwrongwrong')).status).toBe(401)

    expect((await list('pending')).find((r) => r.id === id)?.status).toBe('pending')
  })

  it('records the person the office names, and refuses an office decision that names no one', async () => {
    const id = await request()

    const unnamed = await Promise.all([
      decide(id, 'approve', {}, ADMIN_TOKEN),
      decide(id, 'approve', { by: '   ' }, ADMIN_TOKEN),
      decide(id, 'approve', { by: 'x'.repeat(51) }, ADMIN_TOKEN),
    ])
    const named = await decide(id, 'approve', { by: ' 办公室 周敏 ' }, ADMIN_TOKEN)

    for (const res of unnamed) {
      expect(res.status).toBe(422)
      expect(await res.json()).toMatchObject({ error: 'validation', message: expect.stringContaining('by: your name is required') })
    }
    expect(named.status).toBe(200)
    expect(await named.json()).toMatchObject({ status: 'approved', decision: { by: { id: 'admin', name: '办公室 周敏' } } })
    expect((await approvals.events(id)).map((e) => e.byName)).toEqual(['黄磊', '办公室 周敏'])
  })

  it('needs a comment to reject, and a known status to list', async () => {
    const id = await request()

    const res = await decide(id, 'reject', { comment: '  ' })
    const badList = await app.request('/api/info-releases?status=done', bearer(approverToken))

    expect(res.status).toBe(422)
    expect(badList.status).toBe(422)
    expect((await list('pending')).some((r) => r.id === id)).toBe(true)
  })

  it('takes a rejected request back as a new version of the same record, pending again', async () => {
    const id = await request()
    expect((await decide(id, 'reject', { comment: '请删去未经核实的数字' })).status).toBe(200)

    const key = newKey()
    const corrected = infoRelease({ content: '东园公园自即日起临时闭园，恢复开放时间另行通知。' })
    const res = await app.request(`/api/info-releases/${id}/resubmit`, submission(unitToken, corrected, key))
    const retry = await app.request(`/api/info-releases/${id}/resubmit`, submission(unitToken, corrected, key))

    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ id, version: 2 })
    expect(retry.status).toBe(200)
    expect((await stores.records.versions(id)).map((v) => v.version)).toEqual([1, 2])
    expect((await list('pending')).find((r) => r.id === id)).toMatchObject({ version: 2, values: corrected })
    // A decision taken on what was read before the new version refuses, rather than land on v2.
    expect((await decide(id, 'approve', { version: 1 })).status).toBe(409)
    expect((await approvals.events(id)).map((e) => `${e.version}:${e.kind}`)).toEqual(['1:submitted', '1:rejected', '2:submitted'])
  })

  it('registers a new version that a crash left unregistered, on the next sweep', async () => {
    const id = await request()
    expect((await decide(id, 'reject', { comment: '请修改' })).status).toBe(200)
    const [v1] = await stores.records.versions(id)
    if (!v1) throw new Error('no version 1')
    // The resubmission's write happened; the process died before it registered the version.
    await stores.records.putVersion({
      ...v1,
      version: 2,
      idempotencyKey: newKey(),
      values: infoRelease({ title: '改后' }),
      pendingMirror: false,
    })

    await approvalPass(noticeDeps)

    expect((await list('pending')).find((r) => r.id === id)).toMatchObject({ version: 2, title: '改后' })
    expect(receiver.requests.map((r) => (r.body as { id: string }).id)).toContain(`${id}.v2.submitted`)
  })

  it('takes back only a rejected request, and only from its own unit', async () => {
    const id = await request()
    const other = (await addUnit(stores.units, forms, clock, { id: 'park-west', name: '西园公园管理处', type: 'park' })).token

    const whilePending = await app.request(`/api/info-releases/${id}/resubmit`, submission(unitToken, infoRelease()))
    expect((await decide(id, 'reject', { comment: '不同意' })).status).toBe(200)
    const byAnother = await app.request(`/api/info-releases/${id}/resubmit`, submission(other, infoRelease()))

    expect(whilePending.status).toBe(409)
    expect(byAnother.status).toBe(404)
    expect((await stores.records.versions(id)).map((v) => v.version)).toEqual([1])
  })
})

describe('notices', () => {
  it('tells the approvers about a new request and the unit about the decision, over real webhooks', async () => {
    const id = await request()

    await approvalPass(noticeDeps)
    const [toApprovers] = await receiver.waitFor(1)
    expect(toApprovers?.path).toBe('/approvers')
    expect(toApprovers?.body).toMatchObject({
      id: `${id}.v1.submitted`,
      kind: 'info_release_submitted',
      link: 'http://forms.test/office/info-releases',
    })
    const text = JSON.stringify(toApprovers?.body)
    expect(text).toContain('信息发布待审批')
    expect(text).toContain('东园公园管理处')
    expect(text).not.toContain('应急') // a notice, not an alert
    expect(toApprovers?.headers['idempotency-key']).toBe(`${id}.v1.submitted`)

    expect((await decide(id, 'reject', { comment: '请补充发布依据' })).status).toBe(200)
    await approvalPass(noticeDeps)
    const requests = await receiver.waitFor(2)
    expect(requests[1]?.path).toBe('/park-east')
    expect(requests[1]?.body).toMatchObject({
      id: `${id}.v1.rejected`,
      kind: 'info_release_rejected',
      title: '【信息发布未通过】关于公园临时闭园的通知',
      link: null,
    })
    expect((requests[1]!.body as { lines: string[] }).lines).toContain('审批意见：请补充发布依据')

    await approvalPass(noticeDeps)
    expect(receiver.requests).toHaveLength(2)
  })

  it('keeps a notice the receiver failed and sends it again, with the same id', async () => {
    const id = await request()
    receiver.failNext(1, 503)

    await approvalPass(noticeDeps)
    await approvalPass(noticeDeps)

    const requests = await receiver.waitFor(2)
    expect(requests.map((r) => (r.body as { id: string }).id)).toEqual([`${id}.v1.submitted`, `${id}.v1.submitted`])
    expect(await approvals.pendingNotices(10)).toEqual([])
  })

  it('sends it again only to the channel that failed: the one that took it gets it once', async () => {
    const flaky = await startWebhookReceiver() // a receiver of its own: its failures cannot land on the other
    try {
      const deps = { ...noticeDeps, approverTargets: parseWebhookList(`json=${receiver.url}/approvers,json=${flaky.url}/approvers`) }
      const id = await request()
      flaky.failNext(2, 503)
      for (let pass = 0; pass < 4; pass++) await approvalPass(deps)
      const ids = (requests: { body: unknown }[]) => requests.map((r) => (r.body as { id: string }).id)
      expect(ids(receiver.requests)).toEqual([`${id}.v1.submitted`])
      expect(ids(flaky.requests)).toEqual([`${id}.v1.submitted`, `${id}.v1.submitted`, `${id}.v1.submitted`]) // two refused, then taken
      expect(await approvals.pendingNotices(10)).toEqual([])
    } finally {
      await flaky.close()
    }
  })
})

describe('what people see', () => {
  it('shows leaders each request with its status, approver and time on the 信息发布 tab', async () => {
    const id = await request(unitToken, infoRelease({ title: '媒体采访安排' }))
    clock.advance(60_000)
    expect((await decide(id, 'approve', { comment: '同意' })).status).toBe(200)

    await mirrorPass(mirrorDeps, { refresh: true, now: clock.now() })

    const rows = await dataRows(workbook, '信息发布')
    const row = rows.find((r) => r[0] === id)
    expect(row?.slice(1, 6)).toEqual(['东园公园管理处', '媒体采访安排', '微信公众号', 1, '已批准'])
    expect(row?.slice(7)).toEqual(['宣传组 王芳', expect.stringMatching(/^2026-11-28 \d\d:\d\d:00$/), '同意'])
    // The request itself is on its form's tab, like every submission.
    expect((await dataRows(workbook, '信息发布申请')).some((r) => r[0] === id)).toBe(true)
  })

  it('shows the unit its requests and decisions, with a way back for a rejected one', async () => {
    const id = await request(unitToken, infoRelease({ title: '网站公告草稿' }))
    expect((await decide(id, 'reject', { comment: '请与区里口径核对' })).status).toBe(200)
    // The unit's home page carries the section.
    const home = await app.request(`/u/${unitToken}`)
    expect(home.status).toBe(200)
    const html = await home.text()

    expect(html).toContain('网站公告草稿')
    expect(html).toContain('未通过')
    expect(html).toContain('请与区里口径核对')
    expect(html).toContain(`/u/${unitToken}/info-releases/${encodeURIComponent(id)}/resubmit`)
  })

  it('lets an approver decide on a page without JavaScript, from the same origin only', async () => {
    const id = await request(unitToken, infoRelease({ title: '页面审批' }))
    const page = await app.request(`/a/${approverToken}`)
    const html = await page.text()
    expect(page.status).toBe(200)
    expect(html).toContain('页面审批')
    expect(html).toContain(`action="/a/${approverToken}/requests/${encodeURIComponent(id)}"`)
    expect(html).not.toContain('<script')

    const post = (from: string) =>
      app.request(`${origin}/a/${approverToken}/requests/${encodeURIComponent(id)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: from },
        body: new URLSearchParams({ decision: 'approved', comment: '同意', version: '1' }).toString(),
      })
    expect((await post('https://evil.example')).status).toBe(403)
    const decided = await post(origin)

    expect(decided.status).toBe(303)
    expect((await list('approved')).find((r) => r.id === id)?.decision?.comment).toBe('同意')
    // Attachment links leave the page: the token in its address must not go with them.
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')
    expect((await app.request(`/a/${unitToken}`)).status).toBe(404)
  })

  it('keeps the admin token out of addresses: the office decides behind its sign-in instead', async () => {
    const id = await request(unitToken, infoRelease({ title: '办公室审批' }))
    const signedIn = { cookie: await officeCookie(app, ADMIN_TOKEN) }

    expect((await app.request(`/a/${ADMIN_TOKEN}`)).status).toBe(404)
    const anonymous = await app.request('/office/info-releases')
    const page = await app.request('/office/info-releases', { headers: signedIn })
    const post = (fields: Record<string, string>, cookie = signedIn.cookie) =>
      app.request(`${origin}/office/info-releases/requests/${encodeURIComponent(id)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin, cookie },
        body: new URLSearchParams({ decision: 'rejected', comment: '暂缓发布', version: '1', ...fields }).toString(),
      })
    const unnamed = await post({ by: ' ' })
    const decided = await post({ by: '办公室 周敏' })

    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.get('location')).toContain('/admin/login')
    expect(await page.text()).toContain('办公室审批')
    expect(unnamed.status).toBe(422)
    expect(await unnamed.text()).toMatch(/class="error-message" id="[^"]+-by-error">请填写您的姓名/)
    expect(decided.status).toBe(303)
    expect((await list('rejected')).find((r) => r.id === id)?.decision).toMatchObject({
      by: { id: 'admin', name: '办公室 周敏' },
      comment: '暂缓发布',
    })
    // The browser remembers the name for the next decision.
    const remembered = decided.headers.get('set-cookie')?.split(';')[0] ?? ''
    const next = await app.request('/office/info-releases', { headers: { cookie: `${signedIn.cookie}; ${remembered}` } })
    expect(await next.text()).toContain(`value="办公室 周敏"`)
    // In English when asked, with no Chinese label, and it stays English for the next page.
    const english = await app.request('/office/info-releases?lang=en', { headers: signedIn })
    const html = await english.text()
    for (const label of ['Information release approval', 'Your name', 'Approve', 'Reject']) expect(html).toContain(label)
    for (const label of ['信息发布审批', '您的姓名', '审批意见', '待审批', '不予批准']) expect(html).not.toContain(label)
    expect(english.headers.get('set-cookie')).toContain('lang=en')
  })

  it('names the channel radios on the resubmit page by a fieldset and its legend, as on the form page', async () => {
    const id = await request()
    expect((await decide(id, 'reject', { comment: '标题不妥' })).status).toBe(200)

    const page = await app.request(`/u/${unitToken}/info-releases/${encodeURIComponent(id)}/resubmit`)

    const html = await page.text()
    expect(html).toMatch(/<fieldset class="field"[^>]*><legend class="label">[^<]*<\/legend>(?:(?!<\/fieldset>).)*name="channel"/s)
    expect(html).not.toContain('<label class="label" for="channel">')
  })

  it('lets a unit correct a rejected request on a page without JavaScript', async () => {
    const id = await request(unitToken, infoRelease({ title: '原标题' }))
    expect((await decide(id, 'reject', { comment: '标题不妥' })).status).toBe(200)
    const path = `/u/${unitToken}/info-releases/${encodeURIComponent(id)}/resubmit`
    const form = await app.request(path)
    expect(form.status).toBe(200)
    expect(await form.text()).toContain('value="原标题"')

    const fields = new URLSearchParams({
      _key: newKey(),
      title: '新标题',
      channel: 'website',
      content: '内容',
      attachments: '',
      requesterName: '黄磊',
      requesterPhone: '13800138000',
    })
    const res = await app.request(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: fields.toString(),
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toContain(`/records/${encodeURIComponent(id)}?v=2`)
    expect((await list('pending')).find((r) => r.id === id)).toMatchObject({ version: 2, title: '新标题' })
  })
})
