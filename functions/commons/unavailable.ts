// "The database cannot be reached just now": a refused or reset connection, a timeout, throttling
// or a 5xx from the DynamoDB API (dynalite stopped, an endpoint restarting, AWS shedding load).
// Such a failure is the caller's to retry (same Idempotency-Key), so the web layer answers 503
// instead of 500. Told apart by shape alone: the domain imports no SDK.

/** Node's codes for a connection that could not be made or was lost. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
])

/** The SDK's names for timeouts (its request handler) and for DynamoDB's own "try again later". */
const RETRY_LATER_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'InternalServerError',
  'InternalFailure',
])

export function isStoreUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false
  const { code, name, $metadata, cause } = error as {
    code?: unknown
    name?: unknown
    $metadata?: { httpStatusCode?: unknown }
    cause?: unknown
  }
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true
  if (typeof name === 'string' && RETRY_LATER_NAMES.has(name)) return true
  const status = $metadata?.httpStatusCode
  if (typeof status === 'number' && status >= 500) return true
  if (error instanceof AggregateError && error.errors.some((e) => isStoreUnavailable(e, depth + 1))) return true
  return isStoreUnavailable(cause, depth + 1)
}

/** Seconds a client should wait before it retries. */
export const UNAVAILABLE_RETRY_AFTER_S = 2

export const UNAVAILABLE_MESSAGE =
  'the database cannot be reached just now; retry in a few seconds with the same Idempotency-Key (a submission is stored once however often it is retried)'
