// The alert channel layer against a real HTTP receiver: request shapes per robot, signatures
// against published / independently computed vectors, answer interpretation, size limits,
// timeouts, and no secret in any error.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { deliverOnce, type FetchFn } from '#commons/channels/deliver.ts'
import { dingtalkSign } from '#commons/channels/dingtalk.ts'
import { feishuSign } from '#commons/channels/feishu.ts'
import { formatAlertSms, formatAlertText, SMS_MAX_CHARS } from '#commons/channels/format.ts'
import type { AlertMessage } from '#commons/channels/message.ts'
import { parseWebhookList, WebhookConfigError, type WebhookTarget } from '#commons/channels/webhook-config.ts'
import { type ReceivedRequest, startWebhookReceiver, type WebhookReceiver } from '../../testkit/webhook-receiver.ts'

const NOW = new Date('2026-11-28T02:00:05.123Z')
const DING_TOKEN = 'ding-access-token-5f1e9c'
const DING_SECRET = 'SECdingtalk+secret/with=odd&chars'
const FEISHU_HOOK = '0f4c2d8e-6b1a-4e55-9c3d-7a2b1e0f9d64'
const FEISHU_SECRET = 'feishuSecretQ9x7'
const WECOM_KEY = '693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa'
const SLACK_PATH = '/services/T0TEST01/B0TEST02/slackSecretPart0123456789'

function alert(over: Partial<AlertMessage> = {}): AlertMessage {
  return {
    id: 'alert-7f3c2a',
    formId: 'emergency',
    unitId: 'street-east',
    unitName: '城东街道办事处',
    category: 'suspected_case',
    categoryLabel: { zh: '疑似病例/发热', en: 'Suspected case / fever' },
    severity: 'critical',
    summary: '幸福里小区发现一名发热伴咳嗽人员，近 14 天有外地旅居史',
    details: [
      { label: '地点', value: '幸福里小区 3 栋 2 单元 501' },
      { label: '情况描述', value: '体温 38.6℃，已居家隔离，等待转运' },
      { label: '所需物资', value: 'N95 口罩 × 200；防护服 × 20' },
      { label: '联系人', value: '张三 13800001111' },
    ],
    ackUrl: 'https://forms.example.org/ack/alert-7f3c2a?t=ack-token-123',
    createdAt: '2026-11-28T02:00:00.000Z',
    escalation: 0,
    lang: 'zh',
    ...over,
  }
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8')

// Independent of the implementation (node:crypto createHmac): WebCrypto.
async function hmacBase64(key: string, data: string): Promise<string> {
  const k = await crypto.subtle.importKey('raw', new TextEncoder().encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const mac = await crypto.subtle.sign('HMAC', k, new TextEncoder().encode(data))
  return Buffer.from(mac).toString('base64')
}

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1)
  return items[0] as T
}

function target(list: string): WebhookTarget {
  return only(parseWebhookList(list))
}

function bodyOf(request: ReceivedRequest): Record<string, unknown> {
  expect(typeof request.body).toBe('object')
  return request.body as Record<string, unknown>
}

describe('parseWebhookList', () => {
  it('gives no targets for an unset or blank variable', () => {
    expect(parseWebhookList(undefined)).toEqual([])
    expect(parseWebhookList('')).toEqual([])
    expect(parseWebhookList(' , ')).toEqual([])
  })

  it('reads all five types, strips our secret parameter, keeps the rest of the URL exact', () => {
    const list = [
      `wecom=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${WECOM_KEY}`,
      ` dingtalk=https://oapi.dingtalk.com/robot/send?access_token=${DING_TOKEN}&secret=${encodeURIComponent(DING_SECRET)}`,
      `feishu=https://open.feishu.cn/open-apis/bot/v2/hook/${FEISHU_HOOK}?secret=${FEISHU_SECRET}`,
      `\n slack=https://hooks.slack.com${SLACK_PATH}`,
      'json=https://ops.example.org/hooks/sentinel?team=a%2Cb,',
    ].join(',')
    expect(parseWebhookList(list, 'ALERT_WEBHOOKS')).toEqual([
      { type: 'wecom', url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${WECOM_KEY}`, label: 'wecom#1 qyapi.weixin.qq.com' },
      {
        type: 'dingtalk',
        url: `https://oapi.dingtalk.com/robot/send?access_token=${DING_TOKEN}`,
        secret: DING_SECRET,
        label: 'dingtalk#2 oapi.dingtalk.com',
      },
      {
        type: 'feishu',
        url: `https://open.feishu.cn/open-apis/bot/v2/hook/${FEISHU_HOOK}`,
        secret: FEISHU_SECRET,
        label: 'feishu#3 open.feishu.cn',
      },
      { type: 'slack', url: `https://hooks.slack.com${SLACK_PATH}`, label: 'slack#4 hooks.slack.com' },
      { type: 'json', url: 'https://ops.example.org/hooks/sentinel?team=a%2Cb', label: 'json#5 ops.example.org' },
    ])
  })

  it('keeps a literal + in a secret, and finds the secret wherever it sits in the query', () => {
    const t = target('dingtalk=https://oapi.dingtalk.com/robot/send?secret=SEC+a/b&access_token=tok123')
    expect(t).toMatchObject({ url: 'https://oapi.dingtalk.com/robot/send?access_token=tok123', secret: 'SEC+a/b' })
    const unsigned = target('feishu=https://open.feishu.cn/open-apis/bot/v2/hook/abc')
    expect(unsigned.secret).toBeUndefined()
  })

  it('leaves a secret parameter of other types in their URL: it may be theirs', () => {
    expect(target('json=https://ops.example.org/hook?secret=theirs').url).toBe('https://ops.example.org/hook?secret=theirs')
  })

  it('names the bad entry and never echoes a token or secret', () => {
    const cases: { list: string; problem: RegExp }[] = [
      { list: `teams=https://example.org/x?token=${DING_TOKEN}`, problem: /entry 1 \(type "teams"\): unknown type/ },
      // a bare URL: its first "=" is inside the query, so what precedes it must not be echoed
      { list: `https://oapi.dingtalk.com/robot/send?access_token=${DING_TOKEN}`, problem: /entry 1 \(no type\)/ },
      {
        list: `wecom=https://a.example/x, dingtalk=oapi.dingtalk.com/robot/send?access_token=${DING_TOKEN}`,
        problem: /entry 2 \(dingtalk\): the URL is not a valid absolute URL/,
      },
      {
        list: `feishu=https://open.feishu.cn/open-apis/bot/v2/hook/${FEISHU_HOOK}?secret=`,
        problem: /entry 1 \(feishu, host open.feishu.cn\): secret is empty/,
      },
      {
        list: `dingtalk=ftp://oapi.dingtalk.com/robot/send?access_token=${DING_TOKEN}&secret=${DING_SECRET}`,
        problem: /must start with https/,
      },
      { list: 'json=https://user:a1b2c3d4@ops.example.org/hook', problem: /must not contain user:password@/ },
      {
        list: `dingtalk=https://oapi.dingtalk.com/robot/send?access_token=${DING_TOKEN}&secret=a1b2c3d4&secret=${DING_SECRET}`,
        problem: /secret is given more than once/,
      },
    ]
    for (const { list, problem } of cases) {
      let caught: unknown
      try {
        parseWebhookList(list, 'ALERT_WEBHOOKS')
      } catch (err) {
        caught = err
      }
      expect(caught, list).toBeInstanceOf(WebhookConfigError)
      const text = String((caught as Error).message)
      expect(text, list).toMatch(/^ALERT_WEBHOOKS entry \d/)
      expect(text, list).toMatch(problem)
      for (const secret of [DING_TOKEN, DING_SECRET, FEISHU_HOOK, 'a1b2c3d4', 'robot/send', '/hook']) {
        expect(text, list).not.toContain(secret)
      }
    }
  })
})

describe('signatures', () => {
  it('DingTalk: matches a published vector and an independent WebCrypto computation', async () => {
    // Published: docs.rs crate `dingding` 0.1.1, src/signature.rs, test creates_expected_signature
    // (timestamp "1700000000000", secret "secret"); openssl gives the same Base64.
    expect(dingtalkSign(1_700_000_000_000, 'secret')).toBe('OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D')
    // DingTalk's formula: urlEncode(base64(HmacSHA256(key = secret, message = timestamp + "\n" + secret)))
    const ts = 1_764_295_205_123
    const expected = encodeURIComponent(await hmacBase64(DING_SECRET, `${ts}\n${DING_SECRET}`))
    expect(dingtalkSign(ts, DING_SECRET)).toBe(expected)
  })

  it('Feishu: matches an openssl-computed vector and an independent WebCrypto computation', async () => {
    // No published Feishu vector was found; this one is from openssl (a different implementation):
    //   key=$(printf '1599360473\ntest-secret' | xxd -p | tr -d '\n')
    //   printf '' | openssl dgst -sha256 -mac HMAC -macopt hexkey:$key -binary | base64
    // 1599360473 is the example timestamp in Feishu's custom bot guide.
    expect(feishuSign(1_599_360_473, 'test-secret')).toBe('wSds2BzzFIIGf/WrhUO+NI1q/9j+FRJd3JNHKAq0NZY=')
    // Feishu's formula: base64(HmacSHA256(key = timestamp + "\n" + secret, message = empty))
    const ts = 1_764_295_205
    expect(feishuSign(ts, FEISHU_SECRET)).toBe(await hmacBase64(`${ts}\n${FEISHU_SECRET}`, ''))
    // and not DingTalk's key/message order, the classic mix-up
    expect(feishuSign(ts, FEISHU_SECRET)).not.toBe(await hmacBase64(FEISHU_SECRET, `${ts}\n${FEISHU_SECRET}`))
  })
})

describe('formatAlertText', () => {
  it('writes Chinese by default: severity, category, unit, each detail, local time, ack link last', () => {
    const lines = formatAlertText(alert()).split('\n')
    expect(lines).toEqual([
      '【特急】应急告警 · 疑似病例/发热',
      '单位：城东街道办事处',
      '摘要：幸福里小区发现一名发热伴咳嗽人员，近 14 天有外地旅居史',
      '地点：幸福里小区 3 栋 2 单元 501',
      '情况描述：体温 38.6℃，已居家隔离，等待转运',
      '所需物资：N95 口罩 × 200；防护服 × 20',
      '联系人：张三 13800001111',
      '时间：2026-11-28 10:00:00 (GMT+8)',
      '一键确认：https://forms.example.org/ack/alert-7f3c2a?t=ack-token-123',
    ])
  })

  it('marks escalations with their count, and writes English when asked', () => {
    expect(formatAlertText(alert({ escalation: 2 })).split('\n')[0]).toBe('【特急】【第2次升级】应急告警 · 疑似病例/发热')
    const en = formatAlertText(
      alert({
        lang: 'en',
        severity: 'urgent',
        escalation: 1,
        summary: 'Fever case found',
        details: [{ label: 'Location', value: 'Block 3' }],
      }),
      { timeZone: 'Asia/Tokyo' },
    )
    expect(en.split('\n')).toEqual([
      '[URGENT] [ESCALATION 1] Emergency alert · Suspected case / fever',
      'Unit: 城东街道办事处',
      'Summary: Fever case found',
      'Location: Block 3',
      'Time: 2026-11-28 11:00:00 (GMT+9)',
      'Acknowledge: https://forms.example.org/ack/alert-7f3c2a?t=ack-token-123',
    ])
    expect(formatAlertText(alert({ severity: 'general' }))).toMatch(/^【一般】/)
  })

  it('keeps every field on one line', () => {
    const text = formatAlertText(alert({ details: [{ label: '情况\n描述', value: '第一行\r\n第二行\t第三行' }] }))
    expect(text).toContain('情况 描述：第一行 第二行 第三行')
  })

  it('fits WeCom’s 2,048 bytes with Chinese text: cuts the long detail visibly, keeps the rest', () => {
    const long = alert({
      details: [
        { label: '地点', value: '幸福里小区 3 栋 2 单元 501' },
        { label: '情况描述', value: '发热伴咳嗽，'.repeat(600) },
        { label: '所需物资', value: '医用防护口罩、隔离衣、护目镜、'.repeat(80) },
        { label: '联系人', value: '张三 13800001111' },
      ],
    })
    expect(bytes(formatAlertText(long))).toBeGreaterThan(2048)
    const text = formatAlertText(long, { maxBytes: 2048 })
    expect(bytes(text)).toBeLessThanOrEqual(2048)
    expect(bytes(text)).toBeGreaterThan(1900) // uses the room it has
    expect(text).toContain('…')
    expect(text.split('\n')[0]).toBe('【特急】应急告警 · 疑似病例/发热')
    expect(text).toContain('地点：幸福里小区 3 栋 2 单元 501')
    expect(text).toContain('联系人：张三 13800001111') // short fields survive a long description
    expect(text.split('\n').at(-1)).toBe('一键确认：https://forms.example.org/ack/alert-7f3c2a?t=ack-token-123')
    expect(text).not.toContain('\uFFFD') // never cut inside a character
  })

  it('drops trailing details with a note when there are too many to show', () => {
    const many = alert({
      details: Array.from({ length: 150 }, (_, i) => ({ label: `物资${i + 1}`, value: `消毒液 ${i + 1} 箱，存放于仓库` })),
    })
    const text = formatAlertText(many, { maxBytes: 2048 })
    expect(bytes(text)).toBeLessThanOrEqual(2048)
    const lines = text.split('\n')
    expect(lines.at(-3)).toMatch(/^…（另有 \d+ 项未显示）$/) // after the details, before time and link
    expect(text).toContain('物资1：消毒液 1 箱')
    expect(text.split('\n').at(-1)).toMatch(/^一键确认：https:/)
  })
})

describe('formatAlertSms', () => {
  it('keeps an SMS short whatever the description, and keeps its acknowledge link whole', () => {
    const long = alert({ summary: '口罩短缺'.repeat(1000), unitName: '东园\n公园管理处' })
    const sms = formatAlertSms(long)
    expect(Array.from(sms).length).toBeLessThanOrEqual(SMS_MAX_CHARS)
    expect(sms.endsWith(` 一键确认 ${long.ackUrl}`)).toBe(true)
    expect(sms).toContain('东园 公园管理处：口罩短缺')
    expect(sms).not.toContain('\n')
    expect(formatAlertSms(alert({ summary: '短' }))).toContain('：短 一键确认')
  })
})

describe('delivery to a real webhook receiver', () => {
  let receiver: WebhookReceiver
  const send: FetchFn = (url, init) => fetch(url, init)

  beforeAll(async () => {
    receiver = await startWebhookReceiver()
  })
  afterEach(() => receiver.reset())
  afterAll(() => receiver.close())

  const wecomTarget = (): WebhookTarget => target(`wecom=${receiver.url}/cgi-bin/webhook/send?key=${WECOM_KEY}`)
  const dingtalkTarget = (): WebhookTarget =>
    target(`dingtalk=${receiver.url}/robot/send?access_token=${DING_TOKEN}&secret=${encodeURIComponent(DING_SECRET)}`)
  const feishuTarget = (): WebhookTarget => target(`feishu=${receiver.url}/open-apis/bot/v2/hook/${FEISHU_HOOK}?secret=${FEISHU_SECRET}`)
  const slackTarget = (): WebhookTarget => target(`slack=${receiver.url}${SLACK_PATH}`)
  const jsonTarget = (): WebhookTarget => target(`json=${receiver.url}/hooks/sentinel`)

  it('WeCom: text message within 2,048 bytes, errcode 0 is delivered', async () => {
    const result = await deliverOnce(send, wecomTarget(), alert(), { now: NOW })
    expect(result).toEqual({ ok: true, status: 200 })
    const req = only(receiver.requests)
    expect(req).toMatchObject({ method: 'POST', path: '/cgi-bin/webhook/send', query: { key: WECOM_KEY } })
    expect(req.headers['content-type']).toMatch(/^application\/json/)
    expect(req.body).toEqual({ msgtype: 'text', text: { content: formatAlertText(alert(), { maxBytes: 2048 }) } })
  })

  it('DingTalk: markdown with title, signed with timestamp and sign in the query, secret never sent', async () => {
    const result = await deliverOnce(send, dingtalkTarget(), alert({ escalation: 1 }), { now: NOW })
    expect(result).toEqual({ ok: true, status: 200 })
    const req = only(receiver.requests)
    expect(req.path).toBe('/robot/send')
    expect(req.query).toEqual({ access_token: DING_TOKEN, timestamp: String(NOW.getTime()), sign: expect.any(String) as string })
    const expectedSign = encodeURIComponent(await hmacBase64(DING_SECRET, `${NOW.getTime()}\n${DING_SECRET}`))
    expect(req.rawQuery).toBe(`access_token=${DING_TOKEN}&timestamp=${NOW.getTime()}&sign=${expectedSign}`)
    expect(req.rawQuery + req.rawBody).not.toContain('secret')
    const body = bodyOf(req)
    expect(body.msgtype).toBe('markdown')
    const markdown = body.markdown as { title: string; text: string }
    expect(markdown.title).toBe('【特急】【第1次升级】应急告警 · 疑似病例/发热')
    expect(markdown.text).toContain('**联系人**：张三 13800001111')
    expect(markdown.text).toContain('[一键确认](https://forms.example.org/ack/alert-7f3c2a?t=ack-token-123)')
  })

  it('DingTalk: user text cannot become links or markup', async () => {
    const sneaky = alert({ details: [{ label: '描述', value: '点[这里](https://evil.example) **紧急** <b>x</b>' }] })
    await deliverOnce(send, dingtalkTarget(), sneaky, { now: NOW })
    const text = (bodyOf(only(receiver.requests)).markdown as { text: string }).text
    expect(text).toContain('点［这里］(https［:］//evil［.］example) ＊＊紧急＊＊ ＜b＞x＜/b＞')
  })

  it('Feishu: post message with timestamp and sign in the body, secret never sent', async () => {
    const result = await deliverOnce(send, feishuTarget(), alert(), { now: NOW })
    expect(result).toEqual({ ok: true, status: 200 })
    const req = only(receiver.requests)
    expect(req.path).toBe(`/open-apis/bot/v2/hook/${FEISHU_HOOK}`)
    expect(req.rawQuery).toBe('')
    expect(req.rawBody).not.toContain(FEISHU_SECRET)
    const body = bodyOf(req)
    const seconds = Math.floor(NOW.getTime() / 1000)
    expect(body.timestamp).toBe(String(seconds))
    expect(body.sign).toBe(await hmacBase64(`${seconds}\n${FEISHU_SECRET}`, ''))
    expect(body.msg_type).toBe('post')
    const post = (body.content as { post: Record<string, { title: string; content: Record<string, string>[][] }> }).post
    expect(Object.keys(post)).toEqual(['zh_cn'])
    expect(post.zh_cn?.title).toBe('【特急】应急告警 · 疑似病例/发热')
    expect(post.zh_cn?.content).toContainEqual([{ tag: 'text', text: '联系人：张三 13800001111' }])
    expect(post.zh_cn?.content.at(-1)).toEqual([{ tag: 'a', text: '一键确认', href: alert().ackUrl }])
  })

  it('Feishu: an unsigned bot gets no timestamp or sign; English goes under en_us', async () => {
    await deliverOnce(send, target(`feishu=${receiver.url}/open-apis/bot/v2/hook/${FEISHU_HOOK}`), alert({ lang: 'en' }), { now: NOW })
    const body = bodyOf(only(receiver.requests))
    expect(body).not.toHaveProperty('sign')
    expect(body).not.toHaveProperty('timestamp')
    expect(Object.keys((body.content as { post: object }).post)).toEqual(['en_us'])
  })

  it('Feishu: the whole body stays within 20 KB', async () => {
    const huge = alert({ details: Array.from({ length: 40 }, (_, i) => ({ label: `说明${i}`, value: '现场情况复杂，'.repeat(100) })) })
    const result = await deliverOnce(send, feishuTarget(), huge, { now: NOW })
    expect(result.ok).toBe(true)
    const req = only(receiver.requests)
    expect(bytes(req.rawBody)).toBeLessThanOrEqual(20_000)
    expect(bytes(req.rawBody)).toBeGreaterThan(18_000)
    expect(req.rawBody).toContain('…')
    expect(req.rawBody).toContain(alert().ackUrl)
  })

  it('Slack: mrkdwn text with escaped user text and the ack link; "ok" is delivered', async () => {
    const result = await deliverOnce(send, slackTarget(), alert({ summary: 'A & B <@channel>' }), { now: NOW })
    expect(result).toEqual({ ok: true, status: 200 })
    const req = only(receiver.requests)
    expect(req.path).toBe(SLACK_PATH)
    const text = bodyOf(req).text as string
    expect(Object.keys(bodyOf(req))).toEqual(['text'])
    expect(text.split('\n')[0]).toBe('*【特急】应急告警 · 疑似病例/发热*')
    expect(text).toContain('*摘要*：A &amp; B &lt;＠channel&gt;')
    expect(text.split('\n').at(-1)).toBe(`<${alert().ackUrl}|一键确认>`)
  })

  it('json: exactly the public fields, with Idempotency-Key', async () => {
    const result = await deliverOnce(send, jsonTarget(), alert({ escalation: 3 }), { now: NOW })
    expect(result).toEqual({ ok: true, status: 200 })
    const req = only(receiver.requests)
    expect(req.headers['idempotency-key']).toBe('alert-7f3c2a')
    expect(req.headers['content-type']).toMatch(/^application\/json/)
    expect(JSON.parse(req.rawBody)).toStrictEqual({
      id: 'alert-7f3c2a',
      formId: 'emergency',
      unitId: 'street-east',
      category: 'suspected_case',
      severity: 'critical',
      summary: '幸福里小区发现一名发热伴咳嗽人员，近 14 天有外地旅居史',
      ackUrl: 'https://forms.example.org/ack/alert-7f3c2a?t=ack-token-123',
      createdAt: '2026-11-28T02:00:00.000Z',
      escalation: 3,
    })
    expect(Object.keys(bodyOf(req))).toEqual([
      'id',
      'formId',
      'unitId',
      'category',
      'severity',
      'summary',
      'ackUrl',
      'createdAt',
      'escalation',
    ])
  })

  it('json: a retry after a 503 carries the same id, body and Idempotency-Key', async () => {
    receiver.failNext(1, 503)
    const first = await deliverOnce(send, jsonTarget(), alert(), { now: NOW })
    expect(first).toMatchObject({ ok: false, retryable: true })
    const second = await deliverOnce(send, jsonTarget(), alert(), { now: new Date(NOW.getTime() + 30_000) })
    expect(second).toEqual({ ok: true, status: 200 })
    const [a, b] = await receiver.waitFor(2)
    expect(a?.rawBody).toBe(b?.rawBody)
    expect(a?.headers['idempotency-key']).toBe('alert-7f3c2a')
    expect(b?.headers['idempotency-key']).toBe('alert-7f3c2a')
  })
})

describe('answers: 200 with an error code fails; rate limits are retryable', () => {
  let receiver: WebhookReceiver
  const send: FetchFn = (url, init) => fetch(url, init)
  beforeAll(async () => {
    receiver = await startWebhookReceiver()
  })
  afterEach(() => receiver.reset())
  afterAll(() => receiver.close())

  const dingtalkTarget = (): WebhookTarget =>
    target(`dingtalk=${receiver.url}/robot/send?access_token=${DING_TOKEN}&secret=${encodeURIComponent(DING_SECRET)}`)

  function expectNoSecrets(error: string): void {
    for (const secret of [
      DING_TOKEN,
      DING_SECRET,
      encodeURIComponent(DING_SECRET),
      WECOM_KEY,
      FEISHU_HOOK,
      FEISHU_SECRET,
      'slackSecretPart0123456789',
    ]) {
      expect(error).not.toContain(secret)
    }
  }

  it('DingTalk 130101 "send too fast" at HTTP 200: retryable after the 10-minute throttle', async () => {
    receiver.failNext(1, { status: 200, body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } })
    const result = await deliverOnce(send, dingtalkTarget(), alert(), { now: NOW })
    expect(result).toEqual({ ok: false, retryable: true, retryAfterMs: 600_000, error: expect.stringContaining('130101') as string })
    if (!result.ok) expectNoSecrets(result.error)
  })

  it('DingTalk sign or keyword mismatch at HTTP 200: a permanent failure', async () => {
    receiver.failNext(1, { status: 200, body: { errcode: 310000, errmsg: `sign not match, more: [access_token=${DING_TOKEN}]` } })
    const result = await deliverOnce(send, dingtalkTarget(), alert(), { now: NOW })
    expect(result).toMatchObject({ ok: false, retryable: false })
    if (result.ok) return
    expect(result.error).toContain('310000')
    expect(result.error).toMatch(/^dingtalk#1 127\.0\.0\.1:\d+: /)
    expectNoSecrets(result.error)
  })

  it('WeCom 45009 is retryable after a minute; other errcodes are permanent; -1 (busy) is retryable', async () => {
    const wecom = target(`wecom=${receiver.url}/cgi-bin/webhook/send?key=${WECOM_KEY}`)
    receiver.failNext(1, { status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' } })
    receiver.failNext(1, { status: 200, body: { errcode: 93000, errmsg: `invalid webhook url, key=${WECOM_KEY}` } })
    receiver.failNext(1, { status: 200, body: { errcode: -1, errmsg: 'system busy' } })
    const limited = await deliverOnce(send, wecom, alert(), { now: NOW })
    const invalid = await deliverOnce(send, wecom, alert(), { now: NOW })
    const busy = await deliverOnce(send, wecom, alert(), { now: NOW })
    expect(limited).toMatchObject({ ok: false, retryable: true, retryAfterMs: 60_000 })
    expect(invalid).toMatchObject({ ok: false, retryable: false })
    expect(busy).toMatchObject({ ok: false, retryable: true })
    if (!invalid.ok) expectNoSecrets(invalid.error)
  })

  it('Feishu 11232 and 9499 are retryable, 19021 (bad signature) is permanent, code 0 is delivered', async () => {
    const bot = target(`feishu=${receiver.url}/open-apis/bot/v2/hook/${FEISHU_HOOK}?secret=${FEISHU_SECRET}`)
    receiver.failNext(1, { status: 200, body: { code: 11232, msg: 'frequency limited', data: {} } })
    receiver.failNext(1, { status: 200, body: { code: 9499, msg: 'too many request', data: {} } })
    receiver.failNext(1, {
      status: 200,
      body: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' },
    })
    receiver.failNext(1, { status: 200, body: { StatusCode: 0, StatusMessage: 'success' } }) // the older answer
    expect(await deliverOnce(send, bot, alert(), { now: NOW })).toMatchObject({ ok: false, retryable: true, retryAfterMs: 5_000 })
    expect(await deliverOnce(send, bot, alert(), { now: NOW })).toMatchObject({ ok: false, retryable: true })
    expect(await deliverOnce(send, bot, alert(), { now: NOW })).toMatchObject({ ok: false, retryable: false })
    expect(await deliverOnce(send, bot, alert(), { now: NOW })).toEqual({ ok: true, status: 200 })
  })

  it('Feishu OpenAPI-style limit (HTTP 400, code 99991400) waits x-ogw-ratelimit-reset', async () => {
    const bot = target(`feishu=${receiver.url}/open-apis/bot/v2/hook/${FEISHU_HOOK}`)
    receiver.failNext(1, {
      status: 400,
      headers: { 'x-ogw-ratelimit-reset': '52' },
      body: { code: 99991400, msg: 'request trigger frequency limit' },
    })
    expect(await deliverOnce(send, bot, alert(), { now: NOW })).toMatchObject({ ok: false, retryable: true, retryAfterMs: 52_000 })
  })

  it('HTTP status: 429 waits Retry-After, 408 and 5xx retry, other 4xx and redirects are permanent', async () => {
    const slack = target(`slack=${receiver.url}${SLACK_PATH}`)
    receiver.failNext(1, { status: 429, headers: { 'retry-after': '7' }, body: 'rate_limited' })
    receiver.failNext(1, { status: 429, body: 'rate_limited' })
    receiver.failNext(1, 408)
    receiver.failNext(1, { status: 500, body: 'internal' })
    receiver.failNext(1, { status: 400, body: 'invalid_payload' })
    receiver.failNext(1, { status: 404, body: 'channel_not_found' })
    receiver.failNext(1, { status: 302, headers: { location: '/elsewhere' } })
    const results = []
    for (let i = 0; i < 7; i++) results.push(await deliverOnce(send, slack, alert(), { now: NOW }))
    expect(results[0]).toMatchObject({ ok: false, retryable: true, retryAfterMs: 7_000 })
    expect(results[1]).toMatchObject({ ok: false, retryable: true, retryAfterMs: 1_000 })
    expect(results[2]).toMatchObject({ ok: false, retryable: true })
    expect(results[3]).toMatchObject({ ok: false, retryable: true })
    expect(results[4]).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('invalid_payload') as string })
    expect(results[5]).toMatchObject({ ok: false, retryable: false })
    expect(results[6]).toMatchObject({ ok: false, retryable: false })
    expect(receiver.requests).toHaveLength(7) // the redirect was not followed
    for (const r of results) if (!r.ok) expectNoSecrets(r.error)
  })

  it('a 200 that is not the robot’s answer is not taken as delivered', async () => {
    receiver.failNext(1, { status: 200, body: '<html>captive portal</html>' })
    const result = await deliverOnce(send, dingtalkTarget(), alert(), { now: NOW })
    expect(result).toMatchObject({ ok: false, retryable: true })
  })

  it('a receiver that never answers comes back as retryable, not as a thrown error', async () => {
    receiver.failNext(1, 'hang')
    const started = Date.now()
    const result = await deliverOnce(send, dingtalkTarget(), alert(), { now: NOW, timeoutMs: 300 })
    expect(result).toEqual({ ok: false, retryable: true, error: expect.stringMatching(/no answer within 300 ms/) as string })
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(receiver.requests).toHaveLength(1)
  })

  it('a fetch that ignores the abort signal still times out', async () => {
    const stuck: FetchFn = () => new Promise<Response>(() => {})
    const result = await deliverOnce(stuck, dingtalkTarget(), alert(), { now: NOW, timeoutMs: 100 })
    expect(result).toMatchObject({ ok: false, retryable: true })
  })

  it('network errors are retryable, and a URL echoed by fetch is scrubbed', async () => {
    const closed = await startWebhookReceiver()
    const url = closed.url
    await closed.close()
    const refused = await deliverOnce(
      send,
      target(`dingtalk=${url}/robot/send?access_token=${DING_TOKEN}&secret=${encodeURIComponent(DING_SECRET)}`),
      alert(),
      { now: NOW },
    )
    expect(refused).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('ECONNREFUSED') as string })

    // node-fetch style: "request to <url> failed, reason: ..."
    const chatty: FetchFn = (u) => Promise.reject(new Error(`request to ${u} failed, reason: socket hang up`))
    for (const t of [
      dingtalkTarget(),
      target(`wecom=${receiver.url}/cgi-bin/webhook/send?key=${WECOM_KEY}`),
      target(`feishu=${receiver.url}/open-apis/bot/v2/hook/${FEISHU_HOOK}?secret=${FEISHU_SECRET}`),
      target(`slack=${receiver.url}${SLACK_PATH}`),
    ]) {
      const result = await deliverOnce(chatty, t, alert(), { now: NOW })
      expect(result).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('socket hang up') as string })
      if (!result.ok) expectNoSecrets(result.error)
    }
  })
})
