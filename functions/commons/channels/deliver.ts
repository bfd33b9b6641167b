// One delivery attempt to one target. Never throws: the caller (alerter, sweep) decides about
// retries from `retryable` and `retryAfterMs`, with the same message id every time.

import { dingtalk } from './dingtalk.ts'
import { feishu } from './feishu.ts'
import type { LayoutOptions } from './format.ts'
import { json } from './json.ts'
import type { AlertMessage } from './message.ts'
import type { Robot, WebhookRequest } from './robot.ts'
import { slack } from './slack.ts'
import type { WebhookTarget, WebhookType } from './webhook-config.ts'
import { wecom } from './wecom.ts'

const ROBOTS: Readonly<Record<WebhookType, Robot>> = { wecom, dingtalk, feishu, slack, json }

/** `fetch` or anything shaped like it (tests pass the real one). */
export type FetchFn = (url: string, init: RequestInit) => Promise<Response>

export type DeliveryResult = { ok: true; status: number } | { ok: false; retryable: boolean; retryAfterMs?: number; error: string }

export interface DeliverOptions extends LayoutOptions {
  /** the clock's time, for signatures; default the system time */
  now?: Date
  /** whole attempt, answer body included; default 10 s */
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 10_000
/** Robots answer a few hundred bytes; never buffer an endless body. */
const MAX_RESPONSE_BYTES = 64 * 1024
const MAX_ERROR_DETAIL_CHARS = 200
const MAX_RETRY_AFTER_MS = 60 * 60_000

/** Pure: the request `deliverOnce` would send. */
function buildWebhookRequest(target: WebhookTarget, message: AlertMessage, now: Date, options: LayoutOptions = {}): WebhookRequest {
  return ROBOTS[target.type].build(message, target, now, options)
}

export async function deliverOnce(
  fetchFn: FetchFn,
  target: WebhookTarget,
  message: AlertMessage,
  options: DeliverOptions = {},
): Promise<DeliveryResult> {
  const now = options.now ?? new Date()
  let request: WebhookRequest
  try {
    request = buildWebhookRequest(target, message, now, options)
  } catch (err) {
    return {
      ok: false,
      retryable: false,
      error: scrubSecrets(`${target.label}: could not build the request: ${describeError(err)}`, target),
    }
  }
  return sendWebhookRequest(fetchFn, target, request, { ...options, now })
}

/** One attempt with a request already built (alerts and other notices share it). Never throws. */
export async function sendWebhookRequest(
  fetchFn: FetchFn,
  target: WebhookTarget,
  request: WebhookRequest,
  options: DeliverOptions = {},
): Promise<DeliveryResult> {
  const now = options.now ?? new Date()
  const result = await attempt(fetchFn, target, request, now, options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  return result.ok ? result : { ...result, error: scrubSecrets(`${target.label}: ${result.error}`, target) }
}

async function attempt(
  fetchFn: FetchFn,
  target: WebhookTarget,
  request: WebhookRequest,
  now: Date,
  timeoutMs: number,
): Promise<DeliveryResult> {
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  // Raced rather than trusted to the signal: a fetch that ignores `signal` must not hang us.
  const timeout = new Promise<DeliveryResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort()
      resolve({ ok: false, retryable: true, error: `no answer within ${timeoutMs} ms` })
    }, timeoutMs)
  })
  const exchange = async (): Promise<DeliveryResult> => {
    try {
      // No redirects: a webhook that moves is misconfigured, and following it would post elsewhere.
      const response = await fetchFn(request.url, { ...request.init, redirect: 'manual', signal: controller.signal })
      const body = await readLimited(response)
      return judge(ROBOTS[target.type], response.status, response.headers, body, now)
    } catch (err) {
      return { ok: false, retryable: true, error: `network error: ${describeError(err)}` }
    }
  }
  try {
    return await Promise.race([exchange(), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** The body as text, at most 64 KiB of it (a proxy page or a broken server must not fill memory). */
export async function readLimited(response: Response): Promise<string> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
    if (size >= MAX_RESPONSE_BYTES) {
      await reader.cancel()
      break
    }
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The verdict on an answer: robot result code first (robots say "error" with HTTP 200), then status. */
function judge(robot: Robot, status: number, headers: Headers, body: string, now: Date): DeliveryResult {
  const result = robot.readResult?.(body)
  const detail = result ? `error ${result.code}${result.message ? ` ${clip(result.message)}` : ''}` : clip(body)
  if (result && result.code !== 0) {
    const wait = robot.rateLimitCodes?.get(result.code)
    if (wait !== undefined) {
      return { ok: false, retryable: true, retryAfterMs: retryAfter(headers, now) ?? wait, error: `rate limited (${detail})` }
    }
    const retryable = robot.transientCodes?.has(result.code) === true || status >= 500
    return { ok: false, retryable, error: `HTTP ${status}, ${detail}` }
  }
  if (status >= 200 && status < 300) {
    if (!robot.readResult || result) return { ok: true, status }
    // A 200 that is not the robot's answer (a proxy page?): unknown, so try again rather than lose it.
    return { ok: false, retryable: true, error: `HTTP ${status} without a result code: ${detail}` }
  }
  const error = `HTTP ${status}${detail ? `, ${detail}` : ''}`
  if (status === 429) {
    return { ok: false, retryable: true, retryAfterMs: retryAfter(headers, now) ?? robot.defaultRetryAfterMs, error }
  }
  if (status === 408 || status >= 500) {
    const wait = retryAfter(headers, now)
    return wait === undefined ? { ok: false, retryable: true, error } : { ok: false, retryable: true, retryAfterMs: wait, error }
  }
  return { ok: false, retryable: false, error } // 3xx and 4xx: fix the configuration or the message
}

/** Retry-After (seconds or HTTP date), or Feishu's x-ogw-ratelimit-reset (seconds), in ms. */
function retryAfter(headers: Headers, now: Date): number | undefined {
  const value = headers.get('retry-after') ?? headers.get('x-ogw-ratelimit-reset')
  if (value === null || value.trim() === '') return undefined
  const seconds = Number(value)
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now.getTime()
  if (Number.isNaN(ms)) return undefined
  return Math.min(Math.max(0, Math.round(ms)), MAX_RETRY_AFTER_MS)
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length <= MAX_ERROR_DETAIL_CHARS ? line : `${line.slice(0, MAX_ERROR_DETAIL_CHARS)}…`
}

/** A network error in one line: undici puts the reason (ECONNREFUSED…) in `cause`. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return clip(String(err))
  // undici says "fetch failed" and puts the reason (ECONNREFUSED...) in `cause`
  const cause: unknown = err.cause
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code
    return clip(typeof code === 'string' ? `${code} ${cause.message}` : cause.message)
  }
  return clip(err.message)
}

/**
 * Removes anything credential-like of `target` from `text`: the URL, the secret, every query value
 * (key, access_token) and every long path segment (Feishu hook id, Slack path), raw and decoded.
 * Some fetch implementations put the URL in their error messages; robots may echo parameters.
 */
function scrubSecrets(text: string, target: WebhookTarget): string {
  const needles = new Set<string>([target.url])
  if (target.secret !== undefined) {
    needles.add(target.secret)
    needles.add(encodeURIComponent(target.secret))
  }
  const queryAt = target.url.indexOf('?')
  if (queryAt >= 0) {
    for (const pair of target.url
      .slice(queryAt + 1)
      .split('#')[0]
      ?.split('&') ?? []) {
      const value = pair.slice(pair.indexOf('=') + 1)
      needles.add(value)
      needles.add(safeDecode(value))
    }
  }
  const path = target.url.replace(/^[a-z]+:\/\/[^/?#]*/i, '').split(/[?#]/)[0] ?? ''
  for (const segment of path.split('/')) if (segment.length >= 8) needles.add(segment)
  let out = text
  for (const needle of [...needles].filter((n) => n.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(needle).join('***')
  }
  return out
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
