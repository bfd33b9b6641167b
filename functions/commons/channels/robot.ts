// What each chat robot (or plain JSON endpoint) must say about itself: how to build the request,
// and how to read its answer. The delivery logic in deliver.ts is shared.

import type { LayoutOptions } from './format.ts'
import type { AlertMessage } from './message.ts'
import type { WebhookTarget } from './webhook-config.ts'

/** A ready-to-send request: `fetch(request.url, request.init)`. */
export interface WebhookRequest {
  url: string
  init: { method: 'POST'; headers: Record<string, string>; body: string }
}

/** The robot-level result in a response body (robots answer HTTP 200 with an error code). */
export interface RobotResult {
  code: number
  message: string
}

export interface Robot {
  /** Pure: the same message, target and time always give the same request. */
  build(message: AlertMessage, target: WebhookTarget, now: Date, options?: LayoutOptions): WebhookRequest
  /** Reads the result code from a response body; absent for endpoints judged by HTTP status only. */
  readResult?(body: string): RobotResult | undefined
  /** result codes that mean "too fast", with the suggested wait in ms */
  rateLimitCodes?: ReadonlyMap<number, number>
  /** result codes that mean "busy, try again" */
  transientCodes?: ReadonlySet<number>
  /** suggested wait after HTTP 429 without Retry-After */
  defaultRetryAfterMs: number
}

export function postJson(url: string, body: string, headers: Record<string, string> = {}): WebhookRequest {
  return { url, init: { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body } }
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** Reads `{ <codeKey>: number, <messageKey>: string }` from a JSON body. */
export function readCodeField(body: string, codeKeys: string[], messageKeys: string[]): RobotResult | undefined {
  const json = parseJsonObject(body)
  if (!json) return undefined
  const code = codeKeys.map((k) => json[k]).find((v): v is number => typeof v === 'number')
  if (code === undefined) return undefined
  const message = messageKeys.map((k) => json[k]).find((v): v is string => typeof v === 'string') ?? ''
  return { code, message }
}
