// The Alibaba Cloud SMS edge (阿里云短信服务): dysmsapi 2017-05-25 SendSms over plain fetch, signed
// with Alibaba Cloud's signature V3, ACS3-HMAC-SHA256 (help.aliyun.com, 「V3版本请求体&签名机制」):
//
//   CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HashedPayload
//     CanonicalQueryString: every parameter, names sorted, names and values percent-encoded (RFC 3986)
//     CanonicalHeaders: host, x-acs-* and content-type, lower-case names sorted, `name:trimmed value\n` each
//     HashedPayload: hex SHA-256 of the body (also sent as x-acs-content-sha256)
//   StringToSign = "ACS3-HMAC-SHA256" \n hex(SHA-256(CanonicalRequest))
//   Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<a;b;c>,Signature=hex(HMAC-SHA256(secret, StringToSign))
//
// x-acs-date must be within 15 minutes of the service's clock and x-acs-signature-nonce new each
// time (replays are refused), so every attempt is signed afresh. SendSms is not idempotent (the
// service says so): a retry after a lost answer may send the SMS twice; OutId carries the alert id.
// test/unit/aliyun-signature.test.ts reproduces the two signatures the documentation works out.
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { type DeliveryResult, describeError, type FetchFn, readLimited } from '../channels/deliver.ts'
import type { SmsSender, SmsSenders, SmsTemplateParam } from '../channels/sms.ts'
import type { AliyunSmsConfig } from '../channels/sms-config.ts'

const ALGORITHM = 'ACS3-HMAC-SHA256'
const ACTION = 'SendSms'
const VERSION = '2017-05-25'
const DEFAULT_TIMEOUT_MS = 10_000
const MAX_ERROR_CHARS = 200

/** RFC 3986 percent-encoding: encodeURIComponent, plus the five characters it leaves alone. */
function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex')

interface UnsignedRequest {
  method: 'GET' | 'POST'
  path: string
  query: [string, string][]
  /** lower-case names */
  headers: Record<string, string>
}

/** The Authorization header of signature V3 for `request`, whose headers include x-acs-content-sha256. */
export function acs3Authorization(request: UnsignedRequest, accessKeyId: string, accessKeySecret: string): string {
  const signed = Object.keys(request.headers)
    .filter((name) => name === 'host' || name === 'content-type' || name.startsWith('x-acs-'))
    .sort()
  const canonicalQuery = [...request.query]
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
  const canonicalRequest = [
    request.method,
    request.path,
    canonicalQuery,
    signed.map((name) => `${name}:${(request.headers[name] ?? '').trim()}\n`).join(''),
    signed.join(';'),
    request.headers['x-acs-content-sha256'] ?? sha256Hex(''),
  ].join('\n')
  const signature = createHmac('sha256', accessKeySecret)
    .update(`${ALGORITHM}\n${sha256Hex(canonicalRequest)}`, 'utf8')
    .digest('hex')
  return `${ALGORITHM} Credential=${accessKeyId},SignedHeaders=${signed.join(';')},Signature=${signature}`
}

/** Codes that mean "too fast", with how long to wait: the API's flow control and the per-number limits. */
const RATE_LIMITED = new Map([
  ['Throttling', 5_000],
  ['Throttling.User', 5_000],
  ['Throttling.Api', 5_000],
  ['isv.BUSINESS_LIMIT_CONTROL', 60_000],
])
/** Codes that mean "try again": the service's own faults, and a nonce it saw (the next attempt has a new one). */
const TRANSIENT = new Set([
  'isp.SYSTEM_ERROR',
  'isp.GATEWAY_ERROR',
  'isp.UNKNOWN',
  'ServiceUnavailable',
  'InternalError',
  'SignatureNonceUsed',
])

function readAnswer(body: string): { code: string; message: string } | undefined {
  try {
    const json: unknown = JSON.parse(body)
    if (typeof json !== 'object' || json === null) return undefined
    const { Code, Message } = json as { Code?: unknown; Message?: unknown }
    return typeof Code === 'string' ? { code: Code, message: typeof Message === 'string' ? Message : '' } : undefined
  } catch {
    return undefined
  }
}

/** The senders for `config`: its phones, and its escalation phones when it has them. */
export function aliyunSmsSenders(config: AliyunSmsConfig, deps: { fetch: FetchFn; now: () => Date; timeoutMs?: number }): SmsSenders {
  const { escalationPhones, ...alert } = config
  return {
    alert: aliyunSmsSender(alert, deps),
    ...(escalationPhones ? { escalation: aliyunSmsSender({ ...alert, phones: escalationPhones }, deps) } : {}),
  }
}

/** The SendSms sender for `config`. `now` signs the date; every attempt has its own nonce. */
export function aliyunSmsSender(config: AliyunSmsConfig, deps: { fetch: FetchFn; now: () => Date; timeoutMs?: number }): SmsSender {
  const api = new URL(config.apiUrl)
  const label = `aliyun ${api.host}`
  // What must never reach a log or the outbox page, whatever the service or the network echoes.
  const scrub = (text: string) =>
    [config.accessKeySecret, encodeURIComponent(config.accessKeySecret), config.accessKeyId, ...config.phones].reduce(
      (out, needle) => out.split(needle).join('***'),
      text,
    )
  const fail = (retryable: boolean, error: string, retryAfterMs?: number): DeliveryResult => ({
    ok: false,
    retryable,
    error: `${label}: ${scrub(error).replace(/\s+/g, ' ').slice(0, MAX_ERROR_CHARS)}`,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  })

  function signedRequest(templateParam: SmsTemplateParam, outId: string): { url: string; init: RequestInit } {
    const query: [string, string][] = [
      ['PhoneNumbers', config.phones.join(',')],
      ['SignName', config.signName],
      ['TemplateCode', config.templateCode],
      ['TemplateParam', JSON.stringify(templateParam)],
      ['OutId', outId],
    ]
    const headers: Record<string, string> = {
      host: api.host,
      'x-acs-action': ACTION,
      'x-acs-version': VERSION,
      'x-acs-date': deps
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      'x-acs-signature-nonce': randomBytes(16).toString('hex'),
      'x-acs-content-sha256': sha256Hex(''),
      accept: 'application/json',
    }
    const path = api.pathname === '' ? '/' : api.pathname
    const authorization = acs3Authorization({ method: 'POST', path, query, headers }, config.accessKeyId, config.accessKeySecret)
    // fetch sets Host from the URL itself (the same value as signed).
    const { host: _host, ...sent } = headers
    const url = `${api.origin}${path}?${query.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')}`
    return { url, init: { method: 'POST', headers: { ...sent, authorization }, redirect: 'manual' } }
  }

  return {
    label,
    async send({ templateParam, outId }) {
      const { url, init } = signedRequest(templateParam, outId)
      let status: number
      let body: string
      try {
        const response = await deps.fetch(url, { ...init, signal: AbortSignal.timeout(deps.timeoutMs ?? DEFAULT_TIMEOUT_MS) })
        status = response.status
        body = await readLimited(response)
      } catch (error) {
        return fail(true, `network error: ${describeError(error)}`)
      }
      const answer = readAnswer(body)
      if (status === 200 && answer?.code === 'OK') return { ok: true, status }
      const detail = answer ? `${answer.code} ${answer.message}` : body
      const error = `HTTP ${status}, ${detail}`
      const wait = answer ? RATE_LIMITED.get(answer.code) : undefined
      if (wait !== undefined || status === 429) return fail(true, `rate limited (${error})`, wait ?? 5_000)
      if ((answer && TRANSIENT.has(answer.code)) || status === 408 || status >= 500) return fail(true, error)
      // A 200 without a code is not the service's answer (a proxy page?): unknown, so try again.
      if (status === 200 && !answer) return fail(true, `HTTP 200 without a result code: ${body}`)
      // SignatureDoesNotMatch, InvalidAccessKeyId.NotFound, isv.SMS_TEMPLATE_ILLEGAL…: fix the configuration.
      return fail(false, error)
    },
  }
}
