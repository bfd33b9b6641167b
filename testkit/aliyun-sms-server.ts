// Alibaba Cloud SMS (dysmsapi 2017-05-25 SendSms) on plain node:http, checking each request as the
// service's gateway does, written from the documentation and independently of the adapter
// (functions/commons/adapters/aliyun-sms.ts), so a canonicalisation mistake there fails here:
//
// - signature V3 (ACS3-HMAC-SHA256), recomputed from the request as received: the raw query
//   decoded and encoded again per RFC 3986, names sorted; every x-acs-* header, host and
//   content-type present must be signed; x-acs-content-sha256 must be the body's hash;
// - x-acs-date within 15 minutes of the server's clock; x-acs-signature-nonce never seen before;
// - SendSms itself: approved signature and template, the template's variables exactly, each at
//   most 35 characters, no URL in a variable, at most 1,000 mainland mobiles.
//
// Gateway errors come as the service sends them: HTTP 4xx with {"RequestId","HostId","Code",
// "Message","Recommend"}; SendSms refusals as HTTP 200 with {"Code":"isv.…","Message","RequestId"}.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

interface SentSms {
  phoneNumbers: string[]
  signName: string
  templateCode: string
  templateParam: Record<string, string>
  outId?: string
  /** what the phones show: 【signature】 and the template with its variables filled in */
  text: string
  /** the request as received, for replaying it */
  raw: { method: string; url: string; headers: Record<string, string> }
}

export interface AliyunSmsServer {
  url: string
  /** every SendSms accepted */
  sent: SentSms[]
  /** every answer given, in order: HTTP status and Code */
  answers: { status: number; code: string }[]
  /** the next `n` requests that pass the gateway get this fault instead of being sent */
  failNext(n: number, fault: { status: number; code: string; message?: string }): void
  /** moves the server's clock (the date check) */
  skewMs: number
  close(): Promise<void>
}

export interface AliyunSmsServerOptions {
  accessKeys: Record<string, string>
  signName: string
  /** approved templates: code → content with ${name} variables */
  templates: Record<string, string>
}

const HOST_ID = 'dysmsapi.aliyuncs.com'
const DATE_WINDOW_MS = 15 * 60_000
const VARIABLE_MAX_CHARS = 35
const MAX_PHONES = 1000

const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')
/** RFC 3986 unreserved characters stay; everything else is %XX of its UTF-8 bytes. */
const rfc3986 = (text: string) =>
  [...Buffer.from(text, 'utf8')]
    .map((b) => {
      const c = String.fromCharCode(b)
      return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`
    })
    .join('')

function decodeQuery(raw: string): [string, string][] {
  if (raw === '') return []
  return raw.split('&').map((pair) => {
    const eq = pair.indexOf('=')
    const [k, v] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)]
    return [decodeURIComponent(k), decodeURIComponent(v)]
  })
}

export async function startAliyunSmsServer(options: AliyunSmsServerOptions): Promise<AliyunSmsServer> {
  const sent: SentSms[] = []
  const answers: { status: number; code: string }[] = []
  const nonces = new Map<string, number>()
  const faults: { status: number; code: string; message?: string }[] = []
  const state = { skewMs: 0 }

  const reply = (res: ServerResponse, status: number, body: Record<string, unknown>) => {
    answers.push({ status, code: String(body.Code) })
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' })
    res.end(JSON.stringify({ RequestId: randomUUID().toUpperCase(), ...body }))
  }
  const gatewayError = (res: ServerResponse, status: number, code: string, message: string) =>
    reply(res, status, { HostId: HOST_ID, Code: code, Message: message, Recommend: `https://api.aliyun.com/troubleshoot?q=${code}` })

  function handle(req: IncomingMessage, body: Buffer, res: ServerResponse) {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(',') : (value ?? '')
    const url = req.url ?? '/'
    const queryAt = url.indexOf('?')
    const path = queryAt < 0 ? url : url.slice(0, queryAt)
    const rawQuery = queryAt < 0 ? '' : url.slice(queryAt + 1)

    const auth = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '')
    const required = ['x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256']
    if (!auth || required.some((h) => !headers[h]))
      return gatewayError(res, 400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.')
    const [, keyId, signedList, presented] = auth as unknown as [string, string, string, string]
    const secret = options.accessKeys[keyId]
    if (secret === undefined) return gatewayError(res, 404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.')
    if (headers['x-acs-action'] !== 'SendSms')
      return gatewayError(res, 404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.')
    if (headers['x-acs-version'] !== '2017-05-25')
      return gatewayError(res, 400, 'InvalidVersion', 'Specified parameter Version is not valid.')

    const date = headers['x-acs-date'] as string
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(date))
      return gatewayError(res, 400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.')
    if (Math.abs(Date.parse(date) - (Date.now() + state.skewMs)) > DATE_WINDOW_MS)
      return gatewayError(res, 400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.')

    const signed = signedList.split(';')
    const mustSign = Object.keys(headers).filter((h) => h === 'host' || h === 'content-type' || h.startsWith('x-acs-'))
    if (mustSign.some((h) => !signed.includes(h)) || [...signed].sort().join(';') !== signedList)
      return gatewayError(res, 400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.')
    if (headers['x-acs-content-sha256'] !== sha256Hex(body))
      return gatewayError(res, 400, 'SignatureDoesNotMatch', 'Specified signature does not match our calculation.')

    let query: [string, string][]
    try {
      query = decodeQuery(rawQuery)
    } catch {
      return gatewayError(res, 400, 'InvalidParameter', 'The query string is not well encoded.')
    }
    const canonicalQuery = query
      .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
      .sort((a, b) => {
        const [ka, kb] = [a.split('=')[0] as string, b.split('=')[0] as string]
        return ka < kb ? -1 : ka > kb ? 1 : 0
      })
      .join('&')
    const canonicalHeaders = signed.map((h) => `${h}:${(headers[h] ?? '').trim()}\n`).join('')
    const canonicalRequest = `${req.method}\n${path}\n${canonicalQuery}\n${canonicalHeaders}\n${signedList}\n${headers['x-acs-content-sha256']}`
    const expected = createHmac('sha256', secret)
      .update(`ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`)
      .digest('hex')
    if (!timingSafeEqual(Buffer.from(expected), Buffer.from(presented)))
      return gatewayError(res, 400, 'SignatureDoesNotMatch', 'Specified signature does not match our calculation.')

    // A nonce is remembered for the whole date window: a replay within it is refused.
    const now = Date.now()
    for (const [n, at] of nonces) if (now - at > DATE_WINDOW_MS) nonces.delete(n)
    const nonce = headers['x-acs-signature-nonce'] as string
    if (nonces.has(nonce)) return gatewayError(res, 400, 'SignatureNonceUsed', 'Specified signature nonce was used already.')
    nonces.set(nonce, now)

    const fault = faults.shift()
    if (fault) {
      if (fault.status === 200) return reply(res, 200, { Code: fault.code, Message: fault.message ?? fault.code })
      return gatewayError(res, fault.status, fault.code, fault.message ?? fault.code)
    }

    // SendSms: its parameters from the query, or a form body.
    const params = new Map(query)
    if ((headers['content-type'] ?? '').includes('x-www-form-urlencoded'))
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.set(k, v)
    const refuse = (code: string, message: string) => reply(res, 200, { Code: code, Message: message })
    const phones = (params.get('PhoneNumbers') ?? '').split(',').filter((p) => p !== '')
    if (phones.length === 0) return gatewayError(res, 400, 'MissingPhoneNumbers', 'PhoneNumbers is mandatory for this action.')
    if (phones.length > MAX_PHONES) return refuse('isv.MOBILE_COUNT_OVER_LIMIT', '手机号码数量超过限制')
    if (phones.some((p) => !/^(?:\+?86|0086)?1[3-9]\d{9}$/.test(p))) return refuse('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号')
    if (params.get('SignName') !== options.signName) return refuse('isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名')
    const templateCode = params.get('TemplateCode') ?? ''
    const template = options.templates[templateCode]
    if (template === undefined) return refuse('isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板')
    let templateParam: Record<string, unknown>
    try {
      const parsed: unknown = JSON.parse(params.get('TemplateParam') ?? '{}')
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object')
      templateParam = parsed as Record<string, unknown>
    } catch {
      return refuse('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值')
    }
    if (Object.values(templateParam).some((v) => typeof v !== 'string'))
      return refuse('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值')
    const variables = [...template.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1] as string)
    if (variables.some((v) => !(v in templateParam) || templateParam[v] === ''))
      return refuse('isv.TEMPLATE_MISSING_PARAMETERS', '模板缺少变量')
    const values = templateParam as Record<string, string>
    if (variables.some((v) => [...(values[v] as string)].length > VARIABLE_MAX_CHARS))
      return refuse('isv.PARAM_LENGTH_LIMIT', '参数超出长度限制')
    if (variables.some((v) => /https?:\/\/|www\.|[a-z0-9-]+\.(?:com|cn|net|org)\b/i.test(values[v] as string)))
      return refuse('isv.PARAM_NOT_SUPPORT_URL', '不支持URL')

    sent.push({
      phoneNumbers: phones,
      signName: options.signName,
      templateCode,
      templateParam: values,
      ...(params.has('OutId') ? { outId: params.get('OutId') as string } : {}),
      text: `【${options.signName}】${template.replace(/\$\{(\w+)\}/g, (_, v: string) => values[v] ?? '')}`,
      raw: { method: req.method ?? 'POST', url, headers },
    })
    return reply(res, 200, { Code: 'OK', Message: 'OK', BizId: `${900000 + sent.length}^0` })
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => handle(req, Buffer.concat(chunks), res))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    answers,
    failNext: (n, fault) => {
      for (let i = 0; i < n; i++) faults.push(fault)
    },
    get skewMs() {
      return state.skewMs
    },
    set skewMs(ms: number) {
      state.skewMs = ms
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
