// Requests an invocation started without waiting for them (a sheet refresh asked of the
// mirror). Lambda freezes the instance as soon as the handler returns, and a request still in
// the instance then leaves late or never: the handler waits for these before it returns.

export interface InFlight {
  /** `request` must not reject (it handles its own failure). */
  track(request: Promise<void>): void
  /** resolves when every tracked request has finished */
  settled(): Promise<void>
}

export function createInFlight(): InFlight {
  const pending = new Set<Promise<void>>()
  return {
    track(request) {
      pending.add(request)
      void request.then(() => pending.delete(request))
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending])
    },
  }
}
