// The daily cycle on one machine: a timer runs it every DAILY_CYCLE_INTERVAL_S (EventBridge does
// on AWS). Each run is idempotent, so a restart in the middle of the day sends nothing twice.
import type { Clock } from '#commons/clock.ts'
import { runDailyCycle } from '#commons/daily/cycle.ts'
import { createNoticeSender } from '#commons/daily/notice-sender.ts'
import type { FormRegistry } from '#commons/forms/registry.ts'
import type { Logger } from '#commons/log.ts'
import type { Stores } from '#commons/store.ts'
import { signUnitToken } from '#commons/units/tokens.ts'
import type { LocalConfig } from './config.ts'

export interface DailyTimerDeps extends Stores {
  forms: FormRegistry
  timeZone: string
  clock: Clock
  log: Logger
  linkKey: string
  publicUrl: string
}

export function startDailyCycle(config: LocalConfig, deps: DailyTimerDeps): { stop(): Promise<void> } {
  const sender = createNoticeSender({
    fetch,
    clock: deps.clock,
    log: deps.log,
    targets: {
      office: config.OFFICE_WEBHOOKS,
      leaders: config.LEADERS_WEBHOOKS,
    },
  })
  const cycleDeps = {
    ...deps,
    notices: deps.notices,
    sender,
    reminderLeadMinutes: config.REMINDER_LEAD_MIN,
    unitLink: (unit: { id: string; tokenHash: string }, expiresAt: Date) =>
      `${deps.publicUrl}/u/${signUnitToken(unit.id, unit.tokenHash, expiresAt, deps.linkKey)}`,
  }
  let running: Promise<unknown> = Promise.resolve()
  const tick = () => {
    running = runDailyCycle(cycleDeps, deps.clock.now())
      .then((r) => {
        if (r.reminders + r.summaries + r.failed > 0) deps.log.info('daily cycle', { ...r })
      })
      .catch((error: unknown) => deps.log.error('daily cycle failed; the next run retries', { error }))
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
