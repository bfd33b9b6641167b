// How a sheet sink retries: again on what may pass (rate limits, server errors, timeouts), with
// exponential backoff and jitter, honouring the wait the service asks for, within a budget per
// batch. Shared by the Google and the Feishu sinks; each says what its failures mean.
import type { Logger } from '../log.ts'

/** A batch the sheet did not take: the caller keeps its marks and retries later. */
export class SheetWriteError extends Error {
  override name = 'SheetWriteError'
  constructor(
    message: string,
    /** the HTTP status as the sheet's health reads it (403 refused, 404 not there), if it answered */
    readonly status: number | undefined,
    options: { cause: unknown; fix?: string },
  ) {
    super(message, { cause: options.cause })
    this.fix = options.fix
  }
  /** what the office should do about a refusal, when the sink knows better than the Google default */
  readonly fix: string | undefined
}

/** What one failed request tells the retry loop. */
export interface Failure {
  status: number | undefined
  /** the wait the service asked for */
  retryAfterMs: number | undefined
  transient: boolean
  /** a short reason for the log and the error (defaults to `HTTP <status>`) */
  why?: string
  fix?: string
}

/** How a sheet sink paces and retries its writes: every option has the sink's own default. */
export interface SinkPacing {
  /** per HTTP request */
  timeoutMs?: number
  /** retries per batch before it fails and the marks stay for the next pass */
  maxRetries?: number
  /** time a batch may spend on failed requests and the waits after them, then it gives up (fit it inside the caller's own timeout) */
  retryBudgetMs?: number
  /** first backoff step; doubles per retry up to maxBackoffMs */
  baseBackoffMs?: number
  maxBackoffMs?: number
  /** least time between two write requests (the service's quota) */
  minWriteIntervalMs?: number
  /** request body budget per batch write */
  maxRequestBytes?: number
  /** injectable for tests: how the sink waits, and what time it is */
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

export interface RetryPolicy {
  /** names the sheet in errors: 'Google Sheet', 'Feishu sheet' */
  sheet: string
  log: Logger
  maxRetries: number
  retryBudgetMs: number
  baseBackoffMs: number
  maxBackoffMs: number
  sleep: (ms: number) => Promise<void>
  now: () => number
}

/** A retry loop for one batch: every step run through it spends from the same budget. */
export function retrying(policy: RetryPolicy, failureOf: (error: unknown) => Failure) {
  const { sheet, log, maxBackoffMs, baseBackoffMs, retryBudgetMs, sleep, now } = policy
  const budget = { retries: policy.maxRetries, spentMs: 0 }
  return async <T>(what: string, step: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      const started = now()
      try {
        return await step()
      } catch (error) {
        budget.spentMs += now() - started
        const { status, retryAfterMs, transient, why, fix } = failureOf(error)
        const exp = Math.min(maxBackoffMs, baseBackoffMs * 2 ** attempt)
        const waitMs = Math.max(retryAfterMs ?? 0, exp / 2 + Math.random() * (exp / 2))
        const reason = why ?? `HTTP ${status ?? 'timeout'}`
        const fail = (text: string) =>
          new SheetWriteError(`${sheet} ${what} failed (${text}); the marks stay for the next pass`, status, {
            cause: error,
            ...(fix ? { fix } : {}),
          })
        if (!transient) throw fail(why ?? `HTTP ${status ?? 'error'}`)
        if (budget.retries <= 0 || budget.spentMs + waitMs > retryBudgetMs) throw fail(`gave up after retries, last ${reason}`)
        budget.retries--
        budget.spentMs += waitMs
        log.warn('sheet request retried', { what, status: status ?? 'timeout', attempt: attempt + 1, waitMs: Math.round(waitMs) })
        await sleep(waitMs)
      }
    }
  }
}
