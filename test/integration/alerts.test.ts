// Emergency alerts end to end: submissions through the real app on dynalite, the real alert
// worker, real HTTP webhook receivers, the real workbook. The clock is injected, so escalation
// windows pass without waiting.
import { createHmac } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { snsPublisher } from '#commons/adapters/sns.ts'
import { alertChannels } from '#commons/channels/alert-channels.ts'
import type { SnsPublisher } from '#commons/channels/targets.ts'
import { parseWebhookList } from '#commons/channels/webhook-config.ts'
import type { Emergency } from '#commons/emergencies/emergency.ts'
import { emergencyTab } from '#commons/emergencies/sheet-tab.ts'
import { type AlertWorkerDeps, alertPass, createRateWindow, defaultRetryPolicy } from '#commons/emergencies/worker.ts'
import { silentLogger } from '#commons/log.ts'
import { mirrorPass } from '#commons/sheet/mirror.ts'
import { emergencyRequest, healthReport, submission } from '../../testkit/fixtures.ts'
import { ACK_KEY, ACK_TTL_S, ADMIN_TOKEN, dataRows, type Harness, officeCookie, startHarness, TIME_ZONE } from '../../testkit/harness.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../../testkit/webhook-receiver.ts'

const origin = 'http://localhost'
const DING_SECRET = 'SEC0123456789abcdef0123456789abcdef'

let h: Harness
let receiver: WebhookReceiver
let unit: string

beforeEach(async () => {
  receiver = await startWebhookReceiver()
})
afterEach(async () => {
  await receiver.close()
  await h.close()
})

async function setUp(options: Parameters<typeof startHarness>[0] = {}) {
  h = await startHarness(options)
  unit = await h.unit('park-east', ['daily-health', 'emergency'])
}

function workerDeps(alertWebhooks: string, extra: { escalationWebhooks?: string; sns?: SnsPublisher } = {}): AlertWorkerDeps {
  return {
    ...h.stores,
    emergencies: h.emergencies,
    forms: h.forms,
    channels: alertChannels({
      alertWebhooks: parseWebhookList(alertWebhooks),
      escalationWebhooks: parseWebhookList(extra.escalationWebhooks),
      ...(extra.sns ? { sns: extra.sns } : {}),
      fetch: (url, init) => fetch(url, init),
      clock: h.clock,
      timeZone: TIME_ZONE,
      log: silentLogger,
      timeoutMs: 2000,
    }),
    policy: h.alertPolicy,
    retry: { ...defaultRetryPolicy, delaysMs: [20, 50] },
    rate: createRateWindow(),
    clock: h.clock,
    timeZone: TIME_ZONE,
    lang: 'zh',
    publicUrl: 'http://forms.test',
    ackKey: ACK_KEY,
    ackTtlS: ACK_TTL_S,
    log: silentLogger,
  }
}

async function raise(formId: string, body: unknown): Promise<string> {
  const res = await h.app.request(`/api/forms/${formId}/submissions`, submission(unit, body))
  expect(res.status).toBe(201)
  return ((await res.json()) as { id: string }).id
}

const only = async (): Promise<Emergency> => {
  const all = await h.emergencies.list()
  expect(all).toHaveLength(1)
  return all[0] as Emergency
}

const bodies = (path: string) => receiver.requests.filter((r) => r.path === path).map((r) => r.body as Record<string, unknown>)

const form = (path: string, fields: Record<string, string>) =>
  h.app.request(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams(fields).toString(),
  })

const ackPath = (body: Record<string, unknown> | undefined) => new URL(String(body?.ackUrl)).pathname

describe('delivery', () => {
  it('delivers once per alert id when the receiver fails its first deliveries, and measures the latency', async () => {
    await setUp()
    const deps = workerDeps(`json=${receiver.url}/hooks/alerts`)
    receiver.failNext(2, 503)
    const started = Date.now()
    const recordId = await raise('emergency', emergencyRequest({ severity: 'critical' }))

    const result = await alertPass(deps)
    await alertPass(deps) // a second pass (the sweep) must not deliver again

    const requests = receiver.requests
    expect(requests).toHaveLength(3)
    const e = await only()
    expect(new Set(requests.map((r) => (r.body as { id: string }).id))).toEqual(new Set([`${e.id}.0`]))
    expect(new Set(requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set([`${e.id}.0`]))
    expect(result).toMatchObject({ created: 1, delivered: 2, failed: 0 }) // outbox + json
    expect(e).toMatchObject({ recordId, status: 'open', severity: 'critical', category: 'supplies_shortage' })
    expect(e.deliveries.find((d) => d.channel.startsWith('alert json'))).toMatchObject({ state: 'delivered', attempts: 3 })
    expect(await h.stores.records.pendingAlerts(10)).toEqual([])
    console.log(
      `alert latency, submission to the receiver's 2xx, with 2 failures first: ${(requests.at(-1)?.receivedAt ?? 0) - started} ms`,
    )
  })

  it('says what happened in Chinese: category, severity, unit, details, contact and the acknowledge link', async () => {
    await setUp()
    await raise('emergency', emergencyRequest())
    await alertPass(workerDeps(`wecom=${receiver.url}/cgi-bin/webhook/send?key=k1`))

    const text = (bodies('/cgi-bin/webhook/send')[0]!.text as { content: string }).content
    expect(text.split('\n')[0]).toBe('【紧急】应急告警 · 防疫物资短缺')
    for (const part of [
      '单位 park-east',
      '东园公园南门',
      '口罩和消毒液即将用完',
      'N95 口罩',
      '赵敏',
      '13700001111',
      '一键确认：http://forms.test/ack/',
    ]) {
      expect(text).toContain(part)
    }
  })

  it('signs DingTalk requests with the robot secret, verifiable at the receiver', async () => {
    await setUp()
    await raise('emergency', emergencyRequest())
    await alertPass(workerDeps(`dingtalk=${receiver.url}/robot/send?access_token=tok&secret=${DING_SECRET}`))

    const [request] = await receiver.waitFor(1)
    const timestamp = request?.query.timestamp ?? ''
    const expected = createHmac('sha256', DING_SECRET).update(`${timestamp}\n${DING_SECRET}`).digest('base64')
    expect(request?.query.sign).toBe(expected)
    expect(Number(timestamp)).toBe(h.clock.now().getTime())
    expect(request?.query.access_token).toBe('tok')
    expect(request?.rawQuery).not.toContain(DING_SECRET)
    expect((request!.body as { markdown: { title: string } }).markdown.title).toContain('应急告警')
  })

  it('raises a critical alert from a daily health report with a suspected case', async () => {
    await setUp()
    await raise('daily-health', healthReport({ suspected: 1, feverOrRespiratory: 1, notes: '一人发热，已送医' }))
    await raise('daily-health', healthReport()) // a zero report raises nothing
    await alertPass(workerDeps(`json=${receiver.url}/hooks/alerts`))

    const [body] = bodies('/hooks/alerts')
    expect(receiver.requests).toHaveLength(1)
    expect(body).toMatchObject({
      formId: 'daily-health',
      unitId: 'park-east',
      category: 'suspected_case',
      severity: 'critical',
      escalation: 0,
    })
    expect(body?.summary).toContain('疑似')
  })

  it('keeps delivering to the other channels while one is down, and retries the one later', async () => {
    await setUp()
    const down = await startWebhookReceiver()
    await down.close() // connection refused from now on
    const deps = workerDeps(`json=${down.url}/hooks/down,json=${receiver.url}/hooks/up`)
    await raise('emergency', emergencyRequest())

    await alertPass(deps)

    expect(bodies('/hooks/up')).toHaveLength(1)
    const failing = (await only()).deliveries.find((d) => d.channel === `alert json#1 ${new URL(down.url).host}`)
    expect(failing).toMatchObject({ state: 'pending', attempts: 3 })
    expect(Date.parse(failing?.nextAttemptAt ?? '')).toBeGreaterThan(h.clock.now().getTime())
    expect(await h.stores.records.pendingAlerts(10)).toEqual([])
  })

  it('merges a burst into one message when the robot’s minute is spent, losing no alert', async () => {
    await setUp()
    const deps = workerDeps(`wecom=${receiver.url}/cgi-bin/webhook/send?key=k1`)
    for (let i = 0; i < 25; i++) await raise('emergency', emergencyRequest({ description: `第 ${i + 1} 起` }))

    await alertPass(deps)

    const sent = bodies('/cgi-bin/webhook/send').map((b) => (b.text as { content: string }).content)
    expect(sent).toHaveLength(18)
    expect(sent.at(-1)).toContain('8 条告警合并发送')
    const robot = (await h.emergencies.list()).map((e) => e.deliveries.find((d) => d.channel.startsWith('alert wecom')))
    expect(robot.every((d) => d?.state === 'delivered')).toBe(true)
    expect(robot.filter((d) => d?.mergedInto)).toHaveLength(8)

    // The minute is spent: the next alert waits for a free slot instead of being refused.
    await raise('emergency', emergencyRequest())
    await alertPass(deps)
    expect(receiver.requests).toHaveLength(18)
  })

  it('publishes to the SNS topic when one is configured', async () => {
    await setUp()
    // The one mock: AWS SNS cannot run here. It stands in for the SDK client, under the real adapter.
    const sent: { input: Record<string, unknown> }[] = []
    const client = { send: async (command: { input: Record<string, unknown> }) => void sent.push(command) }
    const sns = snsPublisher(client as unknown as Parameters<typeof snsPublisher>[0], 'arn:aws:sns:cn-north-1:123456789012:emergency')
    await raise('emergency', emergencyRequest())

    await alertPass(workerDeps('', { sns }))

    const e = await only()
    expect(sent).toHaveLength(1)
    expect(sent[0]?.input).toMatchObject({
      TopicArn: 'arn:aws:sns:cn-north-1:123456789012:emergency',
      Subject: '【紧急】应急告警 · 防疫物资短缺',
      MessageAttributes: { alertId: { DataType: 'String', StringValue: `${e.id}.0` } },
    })
    expect(String(sent[0]?.input.Message)).toContain('http://forms.test/ack/')
  })
})

describe('escalation', () => {
  it('escalates each window to the escalation channels up to the cap', async () => {
    await setUp({ alertPolicy: { afterS: 2, max: 2 } })
    const deps = workerDeps(`json=${receiver.url}/hooks/alerts`, { escalationWebhooks: `json=${receiver.url}/hooks/leaders` })
    await raise('emergency', emergencyRequest({ severity: 'critical' }))

    await alertPass(deps)
    h.clock.advance(1000)
    await alertPass(deps)
    expect(bodies('/hooks/leaders')).toHaveLength(0)
    for (let i = 0; i < 4; i++) {
      h.clock.advance(2000)
      await alertPass(deps)
    }

    const e = await only()
    expect(bodies('/hooks/alerts').map((b) => b.escalation)).toEqual([0])
    expect(bodies('/hooks/leaders').map((b) => [b.id, b.escalation])).toEqual([
      [`${e.id}.1`, 1],
      [`${e.id}.2`, 2],
    ])
    expect(e.escalations).toBe(2)
    expect(e.wakeAt).toBeUndefined()
  })

  it('stops escalating once someone acknowledges', async () => {
    await setUp({ alertPolicy: { afterS: 2, max: 5 } })
    const deps = workerDeps(`json=${receiver.url}/hooks/alerts`)
    await raise('emergency', emergencyRequest())
    await alertPass(deps)
    h.clock.advance(2000)
    await alertPass(deps)
    expect(bodies('/hooks/alerts').map((b) => b.escalation)).toEqual([0, 1])

    const ack = await form(ackPath(bodies('/hooks/alerts')[0]), { by: '王五' })
    expect(ack.status).toBe(200)
    for (let i = 0; i < 3; i++) {
      h.clock.advance(2000)
      await alertPass(deps)
    }

    expect(bodies('/hooks/alerts')).toHaveLength(2)
    expect(await only()).toMatchObject({ status: 'acknowledged', acknowledgedBy: '王五', escalations: 1 })
  })

  it('sends only the latest due escalation after downtime, not a backlog', async () => {
    await setUp({ alertPolicy: { afterS: 60, max: 5 } })
    const deps = workerDeps(`json=${receiver.url}/hooks/alerts`)
    await raise('emergency', emergencyRequest())
    await alertPass(deps)
    h.clock.advance(3.5 * 60_000)
    await alertPass(deps)
    expect(bodies('/hooks/alerts').map((b) => b.escalation)).toEqual([0, 3])
  })
})

describe('acknowledge link', () => {
  beforeEach(async () => {
    await setUp()
    await raise('emergency', emergencyRequest())
    await alertPass(workerDeps(`json=${receiver.url}/hooks/alerts`))
  })

  it('shows the emergency without changing it when opened, and acknowledges with one tap', async () => {
    const path = ackPath(bodies('/hooks/alerts')[0])

    const page = await h.app.request(`${origin}${path}`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('东园公园南门')
    expect((await only()).status).toBe('open')

    const done = await form(path, { by: '李四' })
    expect(done.status).toBe(200)
    const e = await only()
    expect(e).toMatchObject({ status: 'acknowledged', acknowledgedBy: '李四', acknowledgedAt: h.clock.now().toISOString() })
  })

  it('asks who acknowledges: an empty name is refused at the field, and nothing changes', async () => {
    const path = ackPath(bodies('/hooks/alerts')[0])

    const unnamed = await form(path, { by: '  ' })

    expect(unnamed.status).toBe(422)
    const html = await unnamed.text()
    expect(html).toContain('<p class="error-message" id="by-error">请填写您的姓名')
    expect(html).toContain('aria-invalid="true"')
    expect((await only()).status).toBe('open')
  })

  it('links the contact phone for a tap to call, and speaks English when asked', async () => {
    const path = ackPath(bodies('/hooks/alerts')[0])

    const zh = await (await h.app.request(`${origin}${path}`)).text()
    const en = await (await h.app.request(`${origin}${path}?lang=en`)).text()

    expect(zh).toContain('<a href="tel:13700001111">13700001111</a>')
    expect(zh).toContain('确认收到，停止升级')
    expect(en).toContain('<html lang="en">')
    expect(en).toContain('Acknowledge and stop escalation')
    expect(en).toContain('Supplies shortage')
    // What people typed stays as typed; no label of the page is in Chinese.
    for (const label of ['确认', '详情', '您的姓名', '联系人', '提交时间', '紧急', '防疫物资短缺']) expect(en).not.toContain(label)
  })

  it('refuses a tampered link', async () => {
    const path = ackPath(bodies('/hooks/alerts')[0])
    const last = path.at(-1) === 'A' ? 'B' : 'A'
    const tampered = `${path.slice(0, -1)}${last}`
    const otherExpiry = path.replace(/\.(\d+)\./, (_, exp: string) => `.${Number(exp) + 3600}.`)

    for (const p of [tampered, otherExpiry]) {
      expect((await h.app.request(`${origin}${p}`)).status).toBe(403)
      expect((await form(p, { by: '冒充者' })).status).toBe(403)
    }
    expect((await only()).status).toBe('open')
  })

  it('refuses an expired link', async () => {
    const path = ackPath(bodies('/hooks/alerts')[0])
    h.clock.advance((ACK_TTL_S + 1) * 1000)

    const res = await form(path, { by: '迟到者' })

    expect(res.status).toBe(403)
    expect(await res.text()).toContain('已过期')
    expect((await only()).status).toBe('open')
  })
})

describe('admin API, board and sheet', () => {
  const admin = (path: string, init: RequestInit = {}) =>
    h.app.request(path, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...init.headers } })

  it('lists emergencies by status, acknowledges and resolves them with who and when', async () => {
    await setUp()
    await raise('emergency', emergencyRequest())
    await alertPass(workerDeps(''))
    const e = await only()

    const open = (await (await admin('/api/emergencies?status=open')).json()) as Record<string, unknown>[]
    expect(open).toEqual([
      expect.objectContaining({ id: e.id, submissionId: e.recordId, unitId: 'park-east', severity: 'urgent', status: 'open' }),
    ])
    const acked = await admin(`/api/emergencies/${e.id}/ack`, { method: 'POST', body: JSON.stringify({ by: '应急组 张三' }) })
    expect(await acked.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: '应急组 张三' })
    h.clock.advance(600_000)
    for (const body of [undefined, '{}', '{"by":"  "}', JSON.stringify({ by: 'x'.repeat(51) })]) {
      const unnamed = await admin(`/api/emergencies/${e.id}/resolve`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      })
      expect(unnamed.status).toBe(422)
      expect(await unnamed.json()).toMatchObject({ error: 'validation', message: expect.stringContaining('by: your name is required') })
    }
    expect((await only()).status).toBe('acknowledged')
    const resolved = await admin(`/api/emergencies/${e.id}/resolve`, {
      method: 'POST',
      body: JSON.stringify({ by: '应急组 李四' }),
      headers: { 'content-type': 'application/json' },
    })
    expect(await resolved.json()).toMatchObject({ status: 'resolved', resolvedBy: '应急组 李四', resolvedAt: h.clock.now().toISOString() })

    expect(await (await admin('/api/emergencies?status=open')).json()).toEqual([])
    expect((await admin('/api/emergencies?status=closed')).status).toBe(422)
    const unknown = await admin('/api/emergencies/em-00000000000000000000/ack', {
      method: 'POST',
      body: '{"by":"张三"}',
      headers: { 'content-type': 'application/json' },
    })
    expect(unknown.status).toBe(404)
    expect((await h.app.request('/api/emergencies')).status).toBe(401)
  })

  it('shows open emergencies on a board that refreshes without reloading the page, and every alert in the outbox', async () => {
    await setUp()
    await raise('emergency', emergencyRequest())
    await alertPass(workerDeps(''))
    const e = await only()

    const board = await admin('/emergencies')
    expect(board.status).toBe(200)
    // A full-page Refresh would wipe a name being typed: the pages' script refreshes the list instead.
    expect(board.headers.get('refresh')).toBeNull()
    const html = await board.text()
    expect(html).toContain('data-refresh-s="15"')
    expect(html).toMatch(/<script src="\/assets\/app-[0-9a-f]+\.js" defer=""><\/script>/)
    expect(html).toContain('<a href="/emergencies">刷新</a>')
    expect(html).toContain('待确认')
    expect(html).toContain('<a href="tel:13700001111">13700001111</a>')
    // The description is the headline, not repeated in the details behind a tap.
    expect(html.split('口罩和消毒液即将用完')).toHaveLength(2)
    expect(html).toContain('<details><summary>详情</summary>')
    const outbox = await (await admin('/emergencies/outbox')).text()
    expect(outbox).toContain(`${e.id}.0`)
    expect(outbox).toContain('【紧急】应急告警')
    expect(outbox).toContain('办公室应急看板')
    expect(outbox).not.toMatch(/>(?:outbox|delivered|Acknowledge)</)
    const english = await (await admin('/emergencies?lang=en')).text()
    for (const label of ['Emergencies', '1 open', 'Acknowledge', 'Mark resolved', 'Your name', 'Details', 'Contact'])
      expect(english).toContain(label)
    for (const label of ['应急值守', '待确认', '确认收到', '您的姓名', '详情', '联系人', '刷新']) expect(english).not.toContain(label)
    const englishOutbox = await (await admin('/emergencies/outbox?lang=en')).text()
    expect(englishOutbox).toContain('Alert outbox')
    expect(englishOutbox).not.toContain('告警记录')
    expect((await h.app.request('/emergencies')).status).toBe(303) // to the sign-in page
    const unknown = await admin('/emergencies/em-00000000000000000000', {
      method: 'POST',
      headers: { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=ack',
    })
    expect(unknown.status).toBe(404)
  })

  it('acknowledges and resolves on the board in the name typed, refuses no name at the field, and remembers the name', async () => {
    await setUp()
    await raise('emergency', emergencyRequest())
    await alertPass(workerDeps(''))
    const e = await only()
    const signedIn = await officeCookie(h.app)
    const post = (fields: Record<string, string>, cookie = signedIn) =>
      h.app.request(`${origin}/emergencies/${e.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin, cookie },
        body: new URLSearchParams(fields).toString(),
      })

    const unnamed = await post({ action: 'ack', by: ' ' })
    expect(unnamed.status).toBe(422)
    expect(await unnamed.text()).toContain(`<p class="error-message" id="by-${e.id}-error">请填写您的姓名`)
    expect((await only()).status).toBe('open')

    const acked = await post({ action: 'ack', by: '值班员 刘洋' })
    expect(acked.status).toBe(303)
    expect(await only()).toMatchObject({ status: 'acknowledged', acknowledgedBy: '值班员 刘洋' })
    const remembered = acked.headers.get('set-cookie')?.split(';')[0] ?? ''
    const board = await (await h.app.request('/emergencies', { headers: { cookie: `${signedIn}; ${remembered}` } })).text()
    expect(board).toContain('value="值班员 刘洋"')

    expect((await post({ action: 'resolve', by: '组长 陈静' })).status).toBe(303)
    expect(await only()).toMatchObject({ status: 'resolved', acknowledgedBy: '值班员 刘洋', resolvedBy: '组长 陈静' })
  })

  it('shows each emergency’s status in the workbook’s 应急 tab as it changes', async () => {
    await setUp()
    const tab = emergencyTab({ ...h.stores, emergencies: h.emergencies, forms: h.forms, timeZone: TIME_ZONE })
    const refresh = () =>
      mirrorPass(
        { ...h.stores, forms: h.forms, sink: h.sink, timeZone: TIME_ZONE, log: silentLogger, computedTabs: [tab] },
        { refresh: true },
      )
    await raise('emergency', emergencyRequest({ severity: 'critical' }))
    await alertPass(workerDeps(''))
    const e = await only()

    await refresh()
    expect(await dataRows(h.sink.path, '应急')).toEqual([
      [e.id, '待确认', '特急', '防疫物资短缺', '单位 park-east', '2026-11-28 10:00:00', '', '', '', '', 0, '1/1', e.recordId],
    ])
    await admin(`/api/emergencies/${e.id}/ack`, { method: 'POST', body: JSON.stringify({ by: '张三' }) })
    await refresh()
    const [row] = await dataRows(h.sink.path, '应急')
    expect(row?.slice(1, 8)).toEqual([
      '已确认',
      '特急',
      '防疫物资短缺',
      '单位 park-east',
      '2026-11-28 10:00:00',
      '张三',
      '2026-11-28 10:00:00',
    ])
  })
})

describe('a unit sees its own emergencies', () => {
  const list = async (token: string, query = '') => {
    const res = await h.app.request(`/api/emergencies${query}`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    return (await res.json()) as Record<string, unknown>[]
  }

  it('lists only its own, with who acknowledged and when, on its token and its home page; never another unit’s', async () => {
    await setUp()
    const west = await h.unit('park-west', ['daily-health', 'emergency'])
    const eastRecord = await raise('emergency', emergencyRequest({ location: '东园南门' }))
    const westRes = await h.app.request('/api/forms/emergency/submissions', submission(west, emergencyRequest({ category: 'safety' })))
    const westRecord = ((await westRes.json()) as { id: string }).id
    await alertPass(workerDeps(`json=${receiver.url}/hooks/alerts`))
    const eastId = (await h.emergencies.list()).find((e) => e.recordId === eastRecord)?.id
    await h.app.request(`/api/emergencies/${eastId}/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ by: '应急组 张三' }),
    })

    const east = await list(unit)
    const westList = await list(west)

    expect(east).toEqual([
      expect.objectContaining({
        id: eastId,
        submissionId: eastRecord,
        unitId: 'park-east',
        status: 'acknowledged',
        severity: 'urgent',
        acknowledgedBy: '应急组 张三',
        acknowledgedAt: h.clock.now().toISOString(),
        alerted: [
          { channel: 'board', delivered: true },
          { channel: 'alert:json', delivered: true },
        ],
      }),
    ])
    // Not the channels' addresses, not the office's view.
    expect(Object.keys(east[0] ?? {})).not.toEqual(expect.arrayContaining(['deliveries']))
    expect(JSON.stringify(east)).not.toContain(receiver.url.replace('http://', ''))
    expect(westList.map((e) => e.submissionId)).toEqual([westRecord])
    expect(await list(west, '?status=acknowledged')).toEqual([])
    expect((await h.app.request('/api/emergencies', { headers: { authorization: 'Bearer park-east.wrongwrongwrongwrong' } })).status).toBe(
      401,
    )

    const eastHome = await (await h.app.request(`/u/${unit}`)).text()
    const westHome = await (await h.app.request(`/u/${west}`)).text()
    expect(eastHome).toContain('本单位的应急请求')
    expect(eastHome).toContain('已确认')
    expect(eastHome).toContain('应急组 张三 于 2026-11-28 10:00 确认')
    expect(eastHome).not.toContain('安全事件')
    expect(westHome).toContain('安全事件')
    expect(westHome).toContain('等待应急工作组确认')
    expect(westHome).not.toContain('应急组 张三')
    // A record of another unit is not found from this unit's link.
    expect((await h.app.request(`/u/${west}/records/${encodeURIComponent(eastRecord)}`)).status).toBe(404)
  })

  it('says on the confirmation whom the alert reached, in the unit’s language', async () => {
    await setUp()
    const recordId = await raise('emergency', emergencyRequest())
    const page = (lang = '') => h.app.request(`/u/${unit}/records/${encodeURIComponent(recordId)}${lang}`)

    const before = await (await page()).text()
    await alertPass(workerDeps(`wecom=${receiver.url}/cgi-bin/webhook/send?key=k1`))
    const after = await (await page()).text()
    const english = await (await page('?lang=en')).text()

    expect(before).toContain('正在通知应急工作组')
    expect(after).toContain('已通知：办公室应急看板、应急工作组企业微信群')
    expect(after).toContain('等待应急工作组确认')
    expect(after).not.toContain('key=k1')
    expect(english).toContain('Alerted: the office&#39;s emergency board, the emergency group&#39;s WeCom group')
  })
})
