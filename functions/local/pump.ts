// Runs a worker pass on demand (debounced) and on a periodic sweep, one pass at a time.
// A pass that leaves work runs again at once; a failing pass is retried by the next sweep.
import type { Logger } from '#commons/log.ts'

export interface Pump {
  /** ask for a pass soon (after the debounce) */
  wake(): void
  /** run passes until nothing is left; resolves when idle */
  drain(): Promise<void>
  stop(): Promise<void>
}

export interface PumpOptions {
  name: string
  debounceMs: number
  sweepMs: number
  log: Logger
  /** called as each periodic sweep starts */
  onSweep?: () => void
}

export function startPump(pass: () => Promise<{ more: boolean }>, options: PumpOptions): Pump {
  let running: Promise<void> | undefined
  let again = false
  let stopped = false
  let debounce: NodeJS.Timeout | undefined

  async function loop(): Promise<void> {
    do {
      again = false
      try {
        const result = await pass()
        if (result.more) again = true
      } catch (error) {
        options.log.error(`${options.name} pass failed; the sweep retries`, { error })
        return
      }
    } while (again && !stopped)
  }

  function run(): Promise<void> {
    if (running) {
      again = true
      return running
    }
    running = loop().finally(() => {
      running = undefined
    })
    return running
  }

  const sweep = setInterval(() => {
    options.onSweep?.()
    void run()
  }, options.sweepMs)
  sweep.unref()

  return {
    wake() {
      if (stopped || debounce) return
      debounce = setTimeout(() => {
        debounce = undefined
        void run()
      }, options.debounceMs)
      debounce.unref()
    },
    async drain() {
      while (running) await running
      await run()
    },
    async stop() {
      stopped = true
      clearInterval(sweep)
      if (debounce) clearTimeout(debounce)
      await running
    },
  }
}
