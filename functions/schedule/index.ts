// The schedule function, run by an EventBridge rule every minute as the local timers run: the
// daily cycle (reminders before each deadline, the summary at it) and the information-release
// worker (registers new requests, tells the approvers). Each notice is claimed in the table
// first, so a retried or overlapping run sends nothing twice.

import { createApprovalStore } from '#commons/adapters/dynamo/approvals.ts'
import { approvalPass } from '#commons/approvals/notices.ts'
import { INFO_RELEASE_FORM } from '#commons/approvals/requests.ts'
import { deliverNotice } from '#commons/channels/notice.ts'
import { parseWebhookList } from '#commons/channels/webhook-config.ts'
import { runDailyCycle } from '#commons/daily/cycle.ts'
import { createNoticeSender } from '#commons/daily/notice-sender.ts'
import { parseLambdaConfig, ScheduleConfig } from '#commons/lambda/config.ts'
import { emitMetrics } from '#commons/lambda/metrics.ts'
import { lambdaRuntime } from '#commons/lambda/runtime.ts'
import { secretValue, webhooksSecret } from '#commons/lambda/secrets.ts'
import { signUnitToken } from '#commons/units/tokens.ts'

const config = parseLambdaConfig(ScheduleConfig)
const { doc, stores, forms, clock, log, secrets } = await lambdaRuntime(config)
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

const infoRelease = forms.get(INFO_RELEASE_FORM)
const approverTargets = parseWebhookList(hooks.APPROVER_WEBHOOKS, 'APPROVER_WEBHOOKS')
const approvals = createApprovalStore(doc, config.TABLE_NAME)

/** Registers new release requests and tells the approvers: passes until none is left (at most 10; the next minute goes on). */
async function approvalsDue(): Promise<void> {
  if (!infoRelease) return
  const timeZone = config.ORG_TIMEZONE
  for (let pass = 0, more = true; more && pass < 10; pass++) {
    ;({ more } = await approvalPass({
      records: stores.records,
      approvals,
      settings: stores.settings,
      units: stores.units,
      clock,
      timeZone,
      form: infoRelease,
      approverTargets,
      deliver: (target, notice) => deliverNotice(fetch, target, notice, { now: clock.now() }),
      publicUrl: config.PUBLIC_URL,
      log,
    }))
  }
}

/** EventBridge's scheduled event carries nothing we need: the run reads the clock. */
export async function handler(): Promise<void> {
  const result = await runDailyCycle(deps, clock.now())
  if (result.reminders + result.summaries + result.failed > 0) log.info('daily cycle', { ...result })
  // A failed notice is released for the next run (a minute later), so this run does not fail:
  // a chat robot that is down for hours must not fill the failures queue. The metric shows it.
  emitMetrics({ NoticesFailed: result.failed }, 'Count')
  await approvalsDue()
}
