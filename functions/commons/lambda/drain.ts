// A worker pass repeated while it reports more work and the invocation has time left; the
// sweep or the stream's retry picks up whatever remains.

export interface DrainResult<R> {
  last: R
  passes: number
  /** false when time ran out with work left */
  finished: boolean
}

export async function drainPasses<R extends { more: boolean }>(
  pass: (first: boolean) => Promise<R>,
  remainingMs: () => number,
  reserveMs: number,
): Promise<DrainResult<R>> {
  let last = await pass(true)
  let passes = 1
  while (last.more && remainingMs() > reserveMs) {
    last = await pass(false)
    passes++
  }
  return { last, passes, finished: !last.more }
}

/** The Lambda context's clock, or a generous one when invoked without a context. */
export const remainingOf = (context: unknown): (() => number) => {
  const get = (context as { getRemainingTimeInMillis?: () => number } | undefined)?.getRemainingTimeInMillis
  return typeof get === 'function' ? () => get.call(context) : () => Number.POSITIVE_INFINITY
}
