// One unit floods the emergency channels; another unit's alert must still arrive promptly, whole
// and first. Against the local system as `npm start` wires it (dynalite, the alert pump, real
// webhook receivers), against the alert worker with a robot's minute nearly spent, and against the
// rate store shared by two processes.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAlertRateStore } from '#commons/adapters/dynamo/alert-rates.ts'
import { createDynamoClients } from '#commons/adapters/dynamo/client.ts'
import { ensureTable } from '#commons/adapters/dynamo/table.ts'
import { alertChannels } from '#commons/channels/alert-channels.ts'
import { parseWebhookList } from '#commons/channels/webhook-config.ts'
import { unitAlertRate } from '#commons/emergencies/unit-rate.ts'
import { type AlertWorkerDeps, alertPass, createRateWindow, defaultRetryPolicy } from '#commons/emergencies/worker.ts'
import { silentLogger } from '#commons/log.ts'
import { addUnit } from '#commons/units/roster.ts'
import { parseLocalConfig } from '../../functions/local/config.ts'
import { startEmbeddedDynamo } from '../../functions/local/embedded-dynamodb.ts'
import { createLocalSystem, type LocalSystem } from '../../functions/local/system.ts'
import { emergencyRequest, submission } from '../../testkit/fixtures.ts'
import { ACK_KEY, ACK_TTL_S, ADMIN_TOKEN, startHarness, TIME_ZONE } from '../../testkit/harness.ts'
import { type ReceivedRequest, startWebhookReceiver, type WebhookReceiver } from '../../testkit/webhook-receiver.ts'

const WECOM = '/cgi-bin/webhook/send'
const DINGTALK = '/robot/send'
const robotText = (r: ReceivedRequest): string => {
  const body = r.body as { text?: { content: string }; markdown?: { text: string } }
  return body.text?.content ?? body.markdown?.text ?? ''
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('a flood from one unit, on the local system', () => {
  let receiver: WebhookReceiver
  let system: LocalSystem
  let dataDir: string

  beforeAll(async () => {
    receiver = await startWebhookReceiver()
    dataDir = await mkdtemp(join(tmpdir(), 'sentinel-flood-'))
    const config = parseLocalConfig({
      DATA_DIR: dataDir,
      ADMIN_TOKEN,
      DEMO: 'off',
      ALERT_WEBHOOKS: `wecom=${receiver.url}${WECOM}?key=group,dingtalk=${receiver.url}${DINGTALK}?access_token=group,json=${receiver.url}/hooks/group`,
      ALERT_TICK_S: '0.2',
      DAILY_CYCLE_INTERVAL_S: '3600',
    })
    system = await createLocalSystem(config, { log: silentLogger, publicUrl: 'http://forms.test', workers: true })
  })

  afterAll(async () => {
    await system.close()
    await receiver.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('stores every report, holds the flood back from the robots, and another unit’s alert arrives promptly, whole and first', {
    timeout: 90_000,
  }, async () => {
    const clock = { now: () => new Date() }
    const flooder = await addUnit(system.stores.units, system.forms, clock, {
      id: 'park-flood',
      name: '北园公园管理处',
      forms: ['emergency'],
    })
    const other = await addUnit(system.stores.units, system.forms, clock, { id: 'park-east', name: '东园公园管理处', forms: ['emergency'] })
    const post = (token: string, body: unknown, headers: Record<string, string> = {}) =>
      system.app.request('/api/forms/emergency/submissions', submission(token, body, undefined, headers))

    // 100 emergencies from one unit, 20 at a time, as fast as the app takes them.
    const answers: { status: number; id: string; alerting?: { state: string; message: string } }[] = []
    const floodStart = Date.now()
    for (let batch = 0; batch < 5; batch++) {
      const sent = Array.from({ length: 20 }, (_, i) =>
        post(flooder.token, emergencyRequest({ severity: 'critical', description: `刷屏 ${batch * 20 + i + 1}` })),
      )
      for (const res of await Promise.all(sent)) answers.push({ status: res.status, ...((await res.json()) as { id: string }) })
    }
    const floodMs = Date.now() - floodStart
    console.log(`flood: 100 emergencies from one unit stored in ${floodMs} ms`)
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(201))
    const states = answers.map((a) => a.alerting?.state ?? 'alerted')
    expect(states.filter((s) => s === 'alerted')).toHaveLength(5)
    expect(states.filter((s) => s === 'over_unit_rate_first')).toHaveLength(1)
    expect(states.filter((s) => s === 'over_unit_rate_more')).toHaveLength(94)
    const held = answers.find((a) => a.alerting?.state === 'over_unit_rate_more')
    expect(held?.alerting?.message).toContain('已列入应急看板')
    const page = await system.app.request(`/u/${flooder.token}/records/${held?.id}`)
    expect(await page.text()).toContain(held?.alerting?.message)
    const english = await post(flooder.token, emergencyRequest({ description: '刷屏 101' }), { 'accept-language': 'en' })
    expect(((await english.json()) as { alerting: { message: string } }).alerting.message).toMatch(
      /^Stored and listed on the emergency board/,
    )

    const genuine = '东园南门发现两名发热游客，需要转运车辆'
    const sentAt = Date.now()
    const res = await post(other.token, emergencyRequest({ severity: 'urgent', description: genuine }))
    expect(res.status).toBe(201)
    expect((await res.json()) as object).not.toHaveProperty('alerting')

    const ofOther = (path: string) => receiver.requests.filter((r) => r.path === path && robotText(r).includes('东园公园管理处'))
    console.log(`stored the other unit's report ${Date.now() - sentAt} ms after sending`)
    await until(() => ofOther(WECOM).length > 0 && ofOther(DINGTALK).length > 0, 'the other unit’s alert on both robots')
    const latencies = [WECOM, DINGTALK].map((path) => (ofOther(path)[0]?.receivedAt ?? 0) - sentAt)
    console.log(`flood of 101 from one unit: another unit's alert reached WeCom in ${latencies[0]} ms, DingTalk in ${latencies[1]} ms`)
    // Promptly is asserted below as an order, not a time (no timing bound in tests): it is the first
    // message each robot gets after it was sent. In the review it came 52.7 s later, cut off at the
    // end of a merged message; here it took 2-7 s under a load average of 12-16.

    // Every alert settles: the flood's are recorded as held, nothing is left pending.
    const admin = { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }
    type Listed = { deliveries: { state: string; channel: string }[] }
    const listed = async () => (await (await system.app.request('/api/emergencies', admin)).json()) as Listed[]
    const settled = async () => {
      const all = await listed()
      // Four channels each (outbox, WeCom, DingTalk, JSON): an emergency just created has none planned yet.
      return all.length === 102 && all.every((e) => e.deliveries.length >= 4 && e.deliveries.every((d) => d.state !== 'pending'))
    }
    await until(settled, 'every report on the board, every delivery settled', 60_000)

    const [toJson] = receiver.requests.filter((r) => r.path === '/hooks/group' && (r.body as { unitId: string }).unitId === 'park-east')
    const ackUrl = String((toJson?.body as { ackUrl?: string } | undefined)?.ackUrl)
    for (const path of [WECOM, DINGTALK]) {
      const messages = receiver.requests.filter((r) => r.path === path)
      const [own] = ofOther(path)
      // Whole: its own message, not a merged line, with its description and its acknowledge link.
      expect(robotText(own as ReceivedRequest)).not.toContain('合并发送')
      expect(robotText(own as ReceivedRequest)).toContain(genuine)
      expect(robotText(own as ReceivedRequest)).toContain(ackUrl.replace('http://forms.test', ''))
      // First: nothing reached the robot after it was sent but it; the flood reached the robot 6 times.
      expect(messages.filter((r) => r.receivedAt >= sentAt)).toEqual([own])
      const flood = messages.filter((r) => robotText(r).includes('北园公园管理处'))
      expect(flood).toHaveLength(6)
      expect(robotText(flood.at(-1) as ReceivedRequest)).toContain('告警限额')
    }
    // Nothing lost: every report is on the board and every alert reached the JSON endpoint.
    expect(await listed()).toHaveLength(102)
    const notToJson = (await listed()).flatMap((e) => e.deliveries.filter((d) => d.channel.includes('json') && d.state !== 'delivered'))
    expect(notToJson).toEqual([])
    expect(new Set(receiver.requests.filter((r) => r.path === '/hooks/group').map((r) => (r.body as { id: string }).id)).size).toBe(102)
  })
})

describe('a merged message', () => {
  it('puts the other units’ alerts first and whole, and leaves out only the flood’s, with a note', async () => {
    const h = await startHarness()
    const receiver = await startWebhookReceiver()
    try {
      const flooder = await h.unit('park-flood', ['emergency'])
      const others = [await h.unit('park-east', ['emergency']), await h.unit('park-west', ['emergency'])]
      for (let i = 0; i < 30; i++) {
        const res = await h.app.request(
          '/api/forms/emergency/submissions',
          submission(flooder, emergencyRequest({ severity: 'critical', description: `刷屏 ${i + 1}` })),
        )
        expect(res.status).toBe(201)
      }
      for (const token of others) {
        const res = await h.app.request('/api/forms/emergency/submissions', submission(token, emergencyRequest({ severity: 'general' })))
        expect(res.status).toBe(201)
      }
      const rate = createRateWindow()
      const deps: AlertWorkerDeps = {
        ...h.stores,
        emergencies: h.emergencies,
        forms: h.forms,
        channels: alertChannels({
          alertWebhooks: parseWebhookList(`wecom=${receiver.url}${WECOM}?key=k`),
          escalationWebhooks: [],
          fetch,
          clock: h.clock,
          timeZone: TIME_ZONE,
          log: silentLogger,
        }),
        policy: h.alertPolicy,
        retry: defaultRetryPolicy,
        rate,
        clock: h.clock,
        timeZone: TIME_ZONE,
        lang: 'zh',
        publicUrl: 'http://forms.test',
        ackKey: ACK_KEY,
        ackTtlS: ACK_TTL_S,
        log: silentLogger,
      }
      // The robot's minute is spent but for one message: everything due goes merged into it.
      const channel = deps.channels.alert.find((c) => c.name.includes('wecom'))?.name ?? ''
      for (let i = 0; i < 17; i++) rate.record(channel, h.clock.now())

      await alertPass(deps)

      const [merged] = await receiver.waitFor(1)
      const lines = robotText(merged as ReceivedRequest).split('\n')
      expect(lines[0]).toContain('32 条告警合并发送')
      const alertLines = lines.filter((l) => l.includes(' 确认 http://forms.test/ack/'))
      expect(
        alertLines
          .slice(0, 2)
          .map((l) => l.match(/单位 park-(east|west)/)?.[1])
          .sort(),
      ).toEqual(['east', 'west'])
      expect(alertLines.slice(2).every((l) => l.includes('单位 park-flood'))).toBe(true)
      // Whole: every alert line ends with its complete acknowledge link, and opens the right emergency.
      for (const line of alertLines) {
        const url = line.slice(line.indexOf('http://forms.test/ack/'))
        const page = await h.app.request(url.replace('http://forms.test', ''))
        expect(page.status).toBe(200)
      }
      const shown = alertLines.length
      expect(shown).toBeGreaterThan(2)
      expect(lines.some((l) => l.includes(`另有 ${32 - shown} 项未显示`))).toBe(true)
      expect(Buffer.byteLength(robotText(merged as ReceivedRequest))).toBeLessThanOrEqual(2048)
    } finally {
      await receiver.close()
      await h.close()
    }
  })
})

describe('the alert rate store', () => {
  it('counts one unit’s alerts across two processes: each record one place, the same on a retry, none beyond the cap', async () => {
    const dynamo = await startEmbeddedDynamo()
    const processes = [createDynamoClients(dynamo.endpoint), createDynamoClients(dynamo.endpoint)]
    try {
      await ensureTable(processes[0]!.client, 'test')
      const [one, two] = processes.map(({ doc }) => unitAlertRate(createAlertRateStore(doc, 'test'), 3, silentLogger))
      const now = new Date('2026-11-28T02:03:00Z')
      const decided = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? one : two)!('park-flood', `emergency.park-flood.${i}`, now)),
      )
      expect(decided.filter((d) => d === undefined)).toHaveLength(3)
      expect(decided.filter((d) => d?.kind === 'first')).toHaveLength(1)
      expect(decided.filter((d) => d?.kind === 'more')).toHaveLength(4)
      // A retry of a record keeps its decision, from either process.
      const again = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? two : one)!('park-flood', `emergency.park-flood.${i}`, now)),
      )
      expect(again).toEqual(decided)
      // Another unit counts on its own; the window lasts 10 minutes from its first alert, then counts afresh.
      expect(await one!('park-east', 'emergency.park-east.0', now)).toBeUndefined()
      expect((await two!('park-flood', 'emergency.park-flood.9', new Date('2026-11-28T02:12:59Z')))?.kind).toBe('more')
      expect(await two!('park-flood', 'emergency.park-flood.10', new Date('2026-11-28T02:13:00Z'))).toBeUndefined()
      expect(await one!('park-flood', 'emergency.park-flood.1', new Date('2026-11-28T02:13:01Z'))).toBeUndefined()
    } finally {
      for (const { client } of processes) client.destroy()
      await dynamo.close()
    }
  })
})
