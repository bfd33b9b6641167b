// SMS to phones in mainland China through Alibaba Cloud SMS: the real adapter (signature V3 over
// fetch) against a local SendSms server that recomputes every signature as the service does
// (testkit/aliyun-sms-server.ts), and the real alert worker on dynalite. The service itself cannot
// run here.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { aliyunSmsSender, aliyunSmsSenders } from '#commons/adapters/aliyun-sms.ts'
import { alertChannels } from '#commons/channels/alert-channels.ts'
import { SMS_VARIABLE_MAX_CHARS, type SmsSender, type SmsSenders } from '#commons/channels/sms.ts'
import { type AliyunSmsConfig, aliyunSmsConfig } from '#commons/channels/sms-config.ts'
import { alertedOf } from '#commons/emergencies/actions.ts'
import type { Emergency } from '#commons/emergencies/emergency.ts'
import { type AlertWorkerDeps, alertPass, createRateWindow, defaultRetryPolicy } from '#commons/emergencies/worker.ts'
import { type Logger, silentLogger } from '#commons/log.ts'
import { addUnit } from '#commons/units/roster.ts'
import { parseLocalConfig } from '../../functions/local/config.ts'
import { createLocalSystem, type LocalSystem } from '../../functions/local/system.ts'
import { type AliyunSmsServer, startAliyunSmsServer } from '../../testkit/aliyun-sms-server.ts'
import { emergencyRequest, submission } from '../../testkit/fixtures.ts'
import { ACK_KEY, ACK_TTL_S, ADMIN_TOKEN, type Harness, startHarness, TIME_ZONE } from '../../testkit/harness.ts'

const KEY_ID = 'LTAI5tTestKeyId0001'
const SECRET = 'TestSecret0123456789abcdefXYZ+/='
const SIGN_NAME = '城区应急办'
const TEMPLATE_CODE = 'SMS_465500123'
// biome-ignore lint/suspicious/noTemplateCurlyInString: an SMS template's ${…} variables, as Alibaba Cloud writes them
const TEMPLATE = '应急告警（${severity}）：${unit}报告${category}：${summary}。请打开应急看板确认：https://forms.example.cn/emergencies'
const PHONES = ['13800001111', '13900002222']

let server: AliyunSmsServer
let h: Harness | undefined

beforeEach(async () => {
  server = await startAliyunSmsServer({ accessKeys: { [KEY_ID]: SECRET }, signName: SIGN_NAME, templates: { [TEMPLATE_CODE]: TEMPLATE } })
})
afterEach(async () => {
  await server.close()
  await h?.close()
  h = undefined
})

function smsConfig(over: Partial<AliyunSmsConfig> = {}): AliyunSmsConfig {
  return {
    accessKeyId: KEY_ID,
    accessKeySecret: SECRET,
    signName: SIGN_NAME,
    templateCode: TEMPLATE_CODE,
    phones: PHONES,
    apiUrl: server.url,
    ...over,
  }
}

const sender = (over: Partial<AliyunSmsConfig> = {}, now = () => new Date()): SmsSender =>
  aliyunSmsSender(smsConfig(over), { fetch: (url, init) => fetch(url, init), now, timeoutMs: 2000 })

const PARAM = { severity: '特急', unit: '城东街道办事处', category: '疑似病例/发热', summary: '幸福里小区发现一名发热人员' }

describe('the SendSms server checks requests as the service does', () => {
  it('accepts a request signed with the right secret and shows the SMS the phones get', async () => {
    const result = await sender().send({ templateParam: PARAM, outId: 'em-1.0' })

    expect(result).toEqual({ ok: true, status: 200 })
    expect(server.sent).toHaveLength(1)
    expect(server.sent[0]).toMatchObject({ phoneNumbers: PHONES, templateParam: PARAM, outId: 'em-1.0' })
    expect(server.sent[0]?.text).toBe(
      '【城区应急办】应急告警（特急）：城东街道办事处报告疑似病例/发热：幸福里小区发现一名发热人员。请打开应急看板确认：https://forms.example.cn/emergencies',
    )
  })

  it('refuses a wrong secret with SignatureDoesNotMatch: not retried, and the secret is nowhere in the error', async () => {
    const wrong = 'WrongSecret0123456789abcdefXYZ'
    const result = await sender({ accessKeySecret: wrong }).send({ templateParam: PARAM, outId: 'em-1.0' })

    expect(server.answers).toEqual([{ status: 400, code: 'SignatureDoesNotMatch' }])
    expect(result).toMatchObject({ ok: false, retryable: false })
    const error = result.ok ? '' : result.error
    expect(error).toContain('SignatureDoesNotMatch')
    for (const secret of [wrong, KEY_ID, ...PHONES]) expect(error).not.toContain(secret)
    expect(server.sent).toEqual([])
  })

  it('refuses a replayed request (the same nonce) and an altered one', async () => {
    await sender().send({ templateParam: PARAM, outId: 'em-1.0' })
    const { raw } = server.sent[0] as NonNullable<(typeof server.sent)[0]>
    const { host: _host, connection: _connection, ...headers } = raw.headers

    const replay = await fetch(`${server.url}${raw.url}`, { method: 'POST', headers })
    const altered = await fetch(`${server.url}${raw.url.replace('13800001111', '13700009999')}`, {
      method: 'POST',
      headers: { ...headers, 'x-acs-signature-nonce': 'a-fresh-nonce-0001' },
    })

    expect(replay.status).toBe(400)
    expect(await replay.json()).toMatchObject({ Code: 'SignatureNonceUsed', HostId: 'dysmsapi.aliyuncs.com' })
    expect(altered.status).toBe(400)
    expect(await altered.json()).toMatchObject({ Code: 'SignatureDoesNotMatch' })
    expect(server.sent).toHaveLength(1)
  })

  it('refuses a date more than 15 minutes off, and an x-acs header left out of the signature', async () => {
    const late = await sender({}, () => new Date(Date.now() - 16 * 60_000)).send({ templateParam: PARAM, outId: 'em-1.0' })
    const unsigned = await fetch(`${server.url}/?PhoneNumbers=13800001111`, {
      method: 'POST',
      headers: {
        authorization: `ACS3-HMAC-SHA256 Credential=${KEY_ID},SignedHeaders=host;x-acs-action,Signature=${'0'.repeat(64)}`,
        'x-acs-action': 'SendSms',
        'x-acs-version': '2017-05-25',
        'x-acs-date': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        'x-acs-signature-nonce': 'n-1',
        'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      },
    })

    expect(late).toMatchObject({ ok: false, retryable: false })
    expect(late.ok ? '' : late.error).toContain('InvalidTimeStamp.Expired')
    expect(await unsigned.json()).toMatchObject({ Code: 'IncompleteSignature' })
  })

  it('refuses a variable over 35 characters or holding a link, as the service does', async () => {
    const long = await sender().send({ templateParam: { ...PARAM, summary: '长'.repeat(36) }, outId: 'x' })
    const link = await sender().send({ templateParam: { ...PARAM, summary: '详见 http://evil.example/x' }, outId: 'y' })

    expect(long.ok ? '' : long.error).toContain('isv.PARAM_LENGTH_LIMIT')
    expect(link.ok ? '' : link.error).toContain('isv.PARAM_NOT_SUPPORT_URL')
    expect(server.sent).toEqual([])
  })
})

describe('alerts reach the emergency group’s phones', () => {
  let unit: string

  async function setUp(options: Parameters<typeof startHarness>[0] = {}) {
    h = await startHarness(options)
    unit = await h.unit('park-east', ['daily-health', 'emergency'])
    // The harness clock stands still at its own date: the server's clock follows it.
    server.skewMs = h.clock.now().getTime() - Date.now()
  }

  function workerDeps(sms: SmsSender | SmsSenders, log: Logger = silentLogger): AlertWorkerDeps {
    const harness = h as Harness
    return {
      ...harness.stores,
      emergencies: harness.emergencies,
      forms: harness.forms,
      channels: alertChannels({
        alertWebhooks: [],
        escalationWebhooks: [],
        sms: 'alert' in sms ? sms : { alert: sms },
        fetch: (url, init) => fetch(url, init),
        clock: harness.clock,
        timeZone: TIME_ZONE,
        log,
      }),
      policy: harness.alertPolicy,
      retry: { ...defaultRetryPolicy, delaysMs: [20, 50] },
      rate: createRateWindow(),
      clock: harness.clock,
      timeZone: TIME_ZONE,
      lang: 'zh',
      publicUrl: 'http://forms.test',
      ackKey: ACK_KEY,
      ackTtlS: ACK_TTL_S,
      log,
    }
  }

  const harnessSender = (over: Partial<AliyunSmsConfig> = {}) =>
    aliyunSmsSender(smsConfig(over), { fetch: (url, init) => fetch(url, init), now: () => (h as Harness).clock.now(), timeoutMs: 2000 })

  async function raise(formId: string, body: unknown, unitToken = unit): Promise<void> {
    const res = await (h as Harness).app.request(`/api/forms/${formId}/submissions`, submission(unitToken, body))
    expect(res.status).toBe(201)
  }

  const only = async (): Promise<Emergency> => {
    const all = await (h as Harness).emergencies.list()
    expect(all).toHaveLength(1)
    return all[0] as Emergency
  }

  it('sends an emergency as one signed SendSms to every phone, its id as OutId', async () => {
    await setUp()
    await raise('emergency', emergencyRequest({ severity: 'critical' }))

    await alertPass(workerDeps(harnessSender()))
    await alertPass(workerDeps(harnessSender())) // the sweep: nothing twice

    const e = await only()
    expect(server.sent).toHaveLength(1)
    expect(server.sent[0]).toMatchObject({
      phoneNumbers: PHONES,
      outId: `${e.id}.0`,
      templateParam: { severity: '特急', unit: '单位 park-east', category: '防疫物资短缺' },
    })
    expect(server.sent[0]?.text).toMatch(/^【城区应急办】应急告警（特急）：单位 park-east报告防疫物资短缺：/)
    expect(e.deliveries.find((d) => d.channel === 'sms')).toMatchObject({ state: 'delivered', attempts: 1 })
    // What the unit and the outbox page call it: never an address or a number.
    expect(alertedOf(e, 'zh')).toContainEqual({ channel: 'sms', label: '应急工作组短信', delivered: true })
  })

  it('sends each escalation too, saying which one', async () => {
    await setUp({ alertPolicy: { afterS: 60, max: 2 } })
    const deps = workerDeps(harnessSender())
    await raise('emergency', emergencyRequest({ severity: 'critical' }))
    await alertPass(deps)
    ;(h as Harness).clock.advance(61_000)
    await alertPass(deps)

    const e = await only()
    expect(server.sent.map((s) => [s.outId, s.templateParam.severity])).toEqual([
      [`${e.id}.0`, '特急'],
      [`${e.id}.1`, '特急，第1次升级'],
    ])
  })

  it('sends escalations to ALIYUN_SMS_ESCALATION_PHONES (the leaders) when given, the first alert to the group', async () => {
    await setUp({ alertPolicy: { afterS: 60, max: 1 } })
    const leaders = ['13700003333']
    const senders = aliyunSmsSenders(smsConfig({ escalationPhones: leaders }), {
      fetch: (url, init) => fetch(url, init),
      now: () => (h as Harness).clock.now(),
    })
    const deps = workerDeps(senders)
    await raise('emergency', emergencyRequest({ severity: 'critical' }))
    await alertPass(deps)
    ;(h as Harness).clock.advance(61_000)
    await alertPass(deps)

    const e = await only()
    expect(server.sent.map((s) => [s.outId, s.phoneNumbers])).toEqual([
      [`${e.id}.0`, PHONES],
      [`${e.id}.1`, leaders],
    ])
    expect(alertedOf(e, 'zh').map((a) => a.label)).toEqual(expect.arrayContaining(['应急工作组短信', '升级：短信']))
  })

  it('retries the service’s own fault and sends once; gives up a refused secret at once, logging no secret', async () => {
    await setUp()
    server.failNext(1, { status: 200, code: 'isp.SYSTEM_ERROR', message: '系统错误' })
    await raise('emergency', emergencyRequest())
    await alertPass(workerDeps(harnessSender()))
    expect(server.sent).toHaveLength(1)
    expect((await only()).deliveries.find((d) => d.channel === 'sms')).toMatchObject({ state: 'delivered', attempts: 2 })

    const wrong = 'AnotherWrongSecret0123456789xyz'
    const west = await (h as Harness).unit('park-west', ['emergency'])
    await raise('emergency', emergencyRequest(), west)
    const lines: Record<string, unknown>[] = []
    const record =
      (level: string) =>
      (message: string, fields = {}) =>
        void lines.push({ level, message, ...fields })
    await alertPass(
      workerDeps(harnessSender({ accessKeySecret: wrong }), { info: record('info'), warn: record('warn'), error: record('error') }),
    )

    const refused = (await (h as Harness).emergencies.list()).find((e) => e.unitId === 'park-west')
    const delivery = refused?.deliveries.find((d) => d.channel === 'sms')
    expect(delivery).toMatchObject({ state: 'failed', attempts: 1 })
    expect(delivery?.error).toContain('SignatureDoesNotMatch')
    expect(lines.some((l) => l.message === 'alert delivery given up' && String(l.error).includes('SignatureDoesNotMatch'))).toBe(true)
    const logged = JSON.stringify(lines)
    for (const secret of [wrong, SECRET, ...PHONES]) expect(logged).not.toContain(secret)
    expect(server.sent).toHaveLength(1)
  })

  it('makes typed words inert in the variables: no forged 【signature】, no link, at most 35 characters', async () => {
    await setUp()
    const { token } = await addUnit((h as Harness).stores.units, (h as Harness).forms, (h as Harness).clock, {
      id: 'park-west',
      name: '【某某银行】您的账户异常请访问 www.evil.example',
      forms: ['emergency'],
    })
    await raise('emergency', emergencyRequest({ description: `点击 http://evil.example/x ${'很长的描述'.repeat(20)}` }), token)

    await alertPass(workerDeps(harnessSender()))

    expect(server.sent).toHaveLength(1)
    const { templateParam, text } = server.sent[0] as NonNullable<(typeof server.sent)[0]>
    for (const value of Object.values(templateParam)) {
      expect([...value].length).toBeLessThanOrEqual(SMS_VARIABLE_MAX_CHARS)
      expect(value).not.toMatch(/[【】]|https?:\/\/|www\.evil\.example/)
    }
    expect(text.match(/【/g)).toHaveLength(1) // the approved signature alone
  })

  it('merges a burst beyond 5 SMS a minute into one message, losing no alert', async () => {
    await setUp()
    for (let i = 0; i < 8; i++) {
      const id = `unit-${i}`
      const token = await (h as Harness).unit(id, ['emergency'])
      await raise('emergency', emergencyRequest(), token)
    }

    await alertPass(workerDeps(harnessSender()))

    expect(server.sent).toHaveLength(5)
    expect(server.sent.at(-1)?.templateParam).toMatchObject({ category: '4 条告警合并发送', unit: '4 个单位' })
    const sms = (await (h as Harness).emergencies.list()).map((e) => e.deliveries.find((d) => d.channel === 'sms'))
    expect(sms.every((d) => d?.state === 'delivered')).toBe(true)
    expect(sms.filter((d) => d?.mergedInto)).toHaveLength(4)
  })
})

describe('the local system as `npm start` wires it', () => {
  async function withLocalSystem(env: Record<string, string>, run: (system: LocalSystem) => Promise<void>): Promise<void> {
    const dataDir = await mkdtemp(join(tmpdir(), 'sentinel-sms-'))
    const config = parseLocalConfig({
      DATA_DIR: dataDir,
      ADMIN_TOKEN,
      DEMO: 'off',
      ALERT_TICK_S: '0.2',
      DAILY_CYCLE_INTERVAL_S: '3600',
      ALIYUN_SMS_ACCESS_KEY_ID: KEY_ID,
      ALIYUN_SMS_ACCESS_KEY_SECRET: SECRET,
      ALIYUN_SMS_SIGN_NAME: SIGN_NAME,
      ALIYUN_SMS_TEMPLATE_CODE: TEMPLATE_CODE,
      ALIYUN_SMS_PHONES: PHONES.join(','),
      ALIYUN_SMS_API_URL: server.url,
      ...env,
    })
    const system = await createLocalSystem(config, { log: silentLogger, publicUrl: 'http://forms.test', workers: true })
    try {
      await run(system)
    } finally {
      await system.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  }

  const addEastPark = async (system: LocalSystem) =>
    (await addUnit(system.stores.units, system.forms, { now: () => new Date() }, { id: 'park-east', name: '东园', forms: ['emergency'] }))
      .token

  async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
    const end = Date.now() + 10_000
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  it('sends an emergency by SMS with ALIYUN_SMS_* set, within seconds of the submission', async () => {
    await withLocalSystem({}, async (system) => {
      const token = await addEastPark(system)
      const started = Date.now()
      const res = await system.app.request(
        '/api/forms/emergency/submissions',
        submission(token, emergencyRequest({ severity: 'critical' })),
      )
      expect(res.status).toBe(201)

      await until(() => server.sent.length > 0, 'the SMS')

      expect(server.sent).toHaveLength(1)
      expect(server.sent[0]).toMatchObject({ phoneNumbers: PHONES, templateParam: { severity: '特急', unit: '东园' } })
      console.log(`local system: submission → SMS accepted by the SendSms server ${Date.now() - started} ms`)
    })
  })

  it('keeps SMS to a unit’s alert rate: beyond it the unit’s reports reach the board only, never the phones', async () => {
    await withLocalSystem({ UNIT_ALERT_LIMIT: '2' }, async (system) => {
      const token = await addEastPark(system)
      for (let i = 1; i <= 4; i++) {
        const res = await system.app.request(
          '/api/forms/emergency/submissions',
          submission(token, emergencyRequest({ description: `第${i}起` })),
        )
        expect(res.status).toBe(201)
      }

      // The admin API's view of every emergency: each SMS delivery recorded (the held one as delivered to the board).
      const smsStates = async () => {
        const res = await system.app.request('/api/emergencies', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
        const list = (await res.json()) as { deliveries: { channel: string; state: string }[] }[]
        return list.map((e) => e.deliveries.find((d) => d.channel === 'sms')?.state)
      }
      await until(async () => {
        const states = await smsStates()
        return states.length === 4 && states.every((state) => state === 'delivered')
      }, 'every SMS delivery recorded')

      // The first two, and the first over the rate (which tells the group); the fourth is on the board only.
      expect(server.sent.map((m) => m.templateParam.summary).sort()).toEqual(['应急请求：第1起', '应急请求：第2起', '应急请求：第3起'])
    })
  })
})

describe('ALIYUN_SMS_* configuration', () => {
  const base = { DATA_DIR: '/tmp/sentinel-sms-config' }
  const complete = {
    ALIYUN_SMS_ACCESS_KEY_ID: KEY_ID,
    ALIYUN_SMS_ACCESS_KEY_SECRET: SECRET,
    ALIYUN_SMS_SIGN_NAME: SIGN_NAME,
    ALIYUN_SMS_TEMPLATE_CODE: TEMPLATE_CODE,
    ALIYUN_SMS_PHONES: '+86 138 0000 1111, 13900002222,13800001111',
  }

  it('reads a complete set: numbers as SendSms takes them, once each; the default API', () => {
    expect(aliyunSmsConfig(parseLocalConfig({ ...base, ...complete }))).toEqual({
      accessKeyId: KEY_ID,
      accessKeySecret: SECRET,
      signName: SIGN_NAME,
      templateCode: TEMPLATE_CODE,
      phones: PHONES,
      apiUrl: 'https://dysmsapi.aliyuncs.com',
    })
    expect(aliyunSmsConfig(parseLocalConfig(base))).toBeUndefined()
    expect(aliyunSmsConfig(parseLocalConfig({ ...base, ...complete, ALIYUN_SMS_ESCALATION_PHONES: '13700003333' }))).toMatchObject({
      phones: PHONES,
      escalationPhones: ['13700003333'],
    })
    // The same numbers as the group: one channel, no escalationPhones.
    expect(aliyunSmsConfig(parseLocalConfig({ ...base, ...complete, ALIYUN_SMS_ESCALATION_PHONES: PHONES.join(',') }))).not.toHaveProperty(
      'escalationPhones',
    )
  })

  it('stops the start naming what is missing or wrong, never printing the secret or a number', () => {
    const { ALIYUN_SMS_SIGN_NAME: _sign, ...missingSign } = complete
    const attempts = [
      { env: missingSign, says: 'ALIYUN_SMS_SIGN_NAME: required with the other ALIYUN_SMS_* variables' },
      { env: { ...complete, ALIYUN_SMS_PHONES: '13800001111,12345' }, says: 'ALIYUN_SMS_PHONES: entry 2 is not a mainland mobile number' },
      { env: { ...complete, ALIYUN_SMS_TEMPLATE_CODE: 'tpl-1' }, says: 'ALIYUN_SMS_TEMPLATE_CODE: the approved template code' },
      { env: { ...complete, ALIYUN_SMS_ACCESS_KEY_SECRET: 'short secret' }, says: 'ALIYUN_SMS_ACCESS_KEY_SECRET: an AccessKey secret' },
    ]
    for (const { env, says } of attempts) {
      let message = ''
      try {
        parseLocalConfig({ ...base, ...env })
      } catch (error) {
        message = (error as Error).message
      }
      expect(message).toContain(says)
      for (const value of [SECRET, 'short secret', '13800001111', '12345']) expect(message).not.toContain(value)
    }
  })
})
