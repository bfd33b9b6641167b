// The schedule function, run by an EventBridge rule every minute as the local timers run: the
// daily cycle (reminders before each deadline, the summary at it) and the information-release
// worker (registers new requests, tells the approvers). Each notice is claimed in the table
// first, so a retried or overlapping run sends nothing twice.

import { approvalPass } from '#commons/approvals/notices.ts'
import { runDailyCycle } from '#commons/daily/cycle.ts'
import { parseLambdaConfig, ScheduleConfig } from '#commons/lambda/config.ts'
import { lambdaHandler, lambdaRuntime } from '#commons/lambda/runtime.ts'
import { rebuiltOnChange, secretValue, webhooksSecret } from '#commons/lambda/secrets.ts'
import { approvalWorkerDeps } from '#commons/wiring/approval-worker.ts'
import { dailyCycleDeps } from '#commons/wiring/daily-cycle.ts'

const config = parseLambdaConfig(ScheduleConfig)
const edge = await lambdaRuntime(config)
const { clock, log, metrics } = edge
// Built again when a secret changes (read at most every SECRETS_MAX_AGE_S).
const currentDeps = rebuiltOnChange(
  () => Promise.all([webhooksSecret(edge.secrets, config.WEBHOOKS_SECRET_ARN), secretValue(edge.secrets, config.LINK_KEY_SECRET_ARN)]),
  ([hooks, linkKey]) => ({
    daily: dailyCycleDeps(edge, config, {
      targets: { office: hooks.OFFICE_WEBHOOKS, leaders: hooks.LEADERS_WEBHOOKS },
      publicUrl: config.PUBLIC_URL,
      linkKey,
    }),
    approvals: approvalWorkerDeps(edge, config, { approverTargets: hooks.APPROVER_WEBHOOKS, publicUrl: config.PUBLIC_URL }),
  }),
)
await currentDeps()

/** Registers new release requests and tells the approvers: passes until none is left (at most 10; the next minute goes on). */
async function approvalsDue(approvals: Awaited<ReturnType<typeof currentDeps>>['approvals']): Promise<void> {
  if (!approvals) return
  for (let pass = 0, more = true; more && pass < 10; pass++) ({ more } = await approvalPass(approvals))
}

/** EventBridge's scheduled event carries nothing we need: the run reads the clock. */
export const handler = lambdaHandler(edge, async (_event: unknown, _context?: unknown): Promise<void> => {
  const { daily, approvals } = await currentDeps()
  const result = await runDailyCycle(daily, clock.now())
  if (result.reminders + result.summaries + result.failed > 0) log.info('daily cycle', { ...result })
  // A failed notice is released for the next run (a minute later), so this run does not fail:
  // a chat robot that is down for hours must not fill the failures queue. The metric shows it.
  metrics.publish({ NoticesSent: result.reminders + result.summaries, NoticesFailed: result.failed })
  await approvalsDue(approvals)
})
