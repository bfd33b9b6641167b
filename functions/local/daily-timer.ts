// The daily cycle on one machine: a timer runs it every DAILY_CYCLE_INTERVAL_S (EventBridge does
// on AWS). Each run is idempotent, so a restart in the middle of the day sends nothing twice.
import { runDailyCycle } from '#commons/daily/cycle.ts'
import { dailyCycleDeps } from '#commons/wiring/daily-cycle.ts'
import type { Edge } from '#commons/wiring/edge.ts'
import type { LocalConfig } from './config.ts'

export function startDailyCycle(config: LocalConfig, edge: Edge, parts: { linkKey: string; publicUrl: string }): { stop(): Promise<void> } {
  const { clock, log } = edge
  const deps = dailyCycleDeps(edge, config, {
    targets: { office: config.OFFICE_WEBHOOKS, leaders: config.LEADERS_WEBHOOKS },
    publicUrl: parts.publicUrl,
    linkKey: parts.linkKey,
  })
  let running: Promise<unknown> = Promise.resolve()
  const tick = () => {
    running = runDailyCycle(deps, clock.now())
      .then((r) => {
        if (r.reminders + r.summaries + r.failed > 0) log.info('daily cycle', { ...r })
      })
      .catch((error: unknown) => log.error('daily cycle failed; the next run retries', { error }))
  }
  tick()
  const timer = setInterval(tick, config.DAILY_CYCLE_INTERVAL_S * 1000)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
