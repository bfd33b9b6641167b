// The schedule function: the daily cycle (reminders before each deadline, the summary at it),
// run by an EventBridge rule every minute as the local timer runs it. Each notice is claimed in
// the table first, so a retried or overlapping run sends nothing twice.
import { parseWebhookList } from '#commons/alerts/channels.ts'
import { runDailyCycle } from '#commons/daily-cycle.ts'
import { parseLambdaConfig, ScheduleConfig } from '#commons/lambda/config.ts'
import { emitMetrics } from '#commons/lambda/metrics.ts'
import { lambdaRuntime } from '#commons/lambda/runtime.ts'
import { secretValue, webhooksSecret } from '#commons/lambda/secrets.ts'
import { createNoticeSender } from '#commons/notice-sender.ts'
import { signUnitToken } from '#commons/tokens.ts'

const config = parseLambdaConfig(ScheduleConfig)
const { stores, forms, clock, log, secrets } = await lambdaRuntime(config)
const [hooks, linkKey] = await Promise.all([
  webhooksSecret(secrets, config.WEBHOOKS_SECRET_ARN),
  secretValue(secrets, config.LINK_KEY_SECRET_ARN),
])
const sender = createNoticeSender({
  fetch,
  clock,
  log,
  targets: {
    office: parseWebhookList(hooks.OFFICE_WEBHOOKS, 'OFFICE_WEBHOOKS'),
    leaders: parseWebhookList(hooks.LEADERS_WEBHOOKS, 'LEADERS_WEBHOOKS'),
  },
})
const deps = {
  ...stores,
  forms,
  timeZone: config.ORG_TIMEZONE,
  sender,
  reminderLeadMinutes: config.REMINDER_LEAD_MIN,
  unitLink: (unit: { id: string; tokenHash: string }, expiresAt: Date) =>
    `${config.PUBLIC_URL}/u/${signUnitToken(unit.id, unit.tokenHash, expiresAt, linkKey)}`,
}

/** EventBridge's scheduled event carries nothing we need: the run reads the clock. */
export async function handler(): Promise<void> {
  const result = await runDailyCycle(deps, clock.now())
  if (result.reminders + result.summaries + result.failed > 0) log.info('daily cycle', { ...result })
  // A failed notice is released for the next run (a minute later), so this run does not fail:
  // a chat robot that is down for hours must not fill the failures queue. The metric shows it.
  emitMetrics({ NoticesFailed: result.failed }, 'Count')
}
