// Structured one-line JSON logs. Never pass a token, key or secret in `fields`. What names or
// reaches a person (alert and notice texts, names, phones) goes under `personal`: the local
// console shows it (the local outbox is the log), the Lambda logs never do (they are kept for
// months and read by operators); there an alert or a notice is its id, channels and outcome.
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger'

interface LogFields {
  [key: string]: unknown
  /** shown on the local console only */
  personal?: Record<string, unknown>
}

export interface Logger {
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
}

/** An error as a log field: name, message and the cause's, without the stack (one readable line). */
function errorField(error: Error): Record<string, unknown> {
  return { name: error.name, message: error.message, ...(error.cause instanceof Error ? { cause: errorField(error.cause) } : {}) }
}

function line(level: string, message: string, { personal, ...fields }: LogFields = {}): string {
  const safe = Object.fromEntries(Object.entries({ ...fields, ...personal }).map(([k, v]) => [k, v instanceof Error ? errorField(v) : v]))
  return JSON.stringify({ time: new Date().toISOString(), level, message, ...safe })
}

/** The local edition's log: readable lines on the console, personal fields included. */
export const consoleLogger: Logger = {
  info: (m, f) => console.log(line('info', m, f)),
  warn: (m, f) => console.warn(line('warn', m, f)),
  error: (m, f) => console.error(line('error', m, f)),
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} }

/**
 * An error as the Lambda log shows it: name, message, stack, code or status, and its cause the
 * same way. Nothing else: an HTTP client's error carries its request (headers, the sheet rows it
 * wrote) and the response, which hold credentials and personal data.
 */
function errorForLambdaLog(error: Error): Record<string, unknown> {
  const { code, status } = error as { code?: unknown; status?: unknown }
  const primitive = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? v : undefined)
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    code: primitive(code),
    status: primitive(status),
    ...(error.cause instanceof Error ? { cause: errorForLambdaLog(error.cause) } : {}),
  }
}

/**
 * The Lambda edition's log through Powertools Logger: JSON with the service
 * (POWERTOOLS_SERVICE_NAME), the request id and cold start (after `addContext`), errors with
 * their stack and cause; `personal` is dropped.
 */
export function lambdaLogger(): { log: Logger; powertools: PowertoolsLogger } {
  const powertools = new PowertoolsLogger({
    jsonReplacerFn: (_key: string, value: unknown) => (value instanceof Error ? errorForLambdaLog(value) : value),
  })
  const withoutPersonal = ({ personal: _personal, ...fields }: LogFields = {}) => fields
  const log: Logger = {
    info: (m, f) => powertools.info(m, withoutPersonal(f)),
    warn: (m, f) => powertools.warn(m, withoutPersonal(f)),
    error: (m, f) => powertools.error(m, withoutPersonal(f)),
  }
  return { log, powertools }
}
