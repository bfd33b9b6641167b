// The alert function: the same alert pass as the local server, woken by the table stream
// (records still marked for an alert) and every minute by an EventBridge rule (retries and
// escalations that fall due). Deliveries carry the same alert id on every retry.
import { LambdaClient } from '@aws-sdk/client-lambda'
import { SNSClient } from '@aws-sdk/client-sns'
import { snsPublisher } from '#commons/adapters/sns.ts'
import { alertChannels } from '#commons/channels/setup.ts'
import { parseWebhookList } from '#commons/channels/webhook-config.ts'
import { alertPass, createRateWindow, defaultRetryPolicy } from '#commons/emergencies/worker.ts'
import { emergencyParts } from '#commons/lambda/alert-settings.ts'
import { AlertsConfig, parseLambdaConfig } from '#commons/lambda/config.ts'
import { drainPasses, remainingOf } from '#commons/lambda/drain.ts'
import { requestRefresh } from '#commons/lambda/mirror-requests.ts'
import { lambdaRuntime } from '#commons/lambda/runtime.ts'
import { secretValue, webhooksSecret } from '#commons/lambda/secrets.ts'
import { type BatchResponse, batchResponse, isStreamEvent, markedRecords } from '#commons/lambda/stream.ts'

const config = parseLambdaConfig(AlertsConfig)
const { doc, stores, forms, clock, log, secrets } = await lambdaRuntime(config)
const [hooks, ackKey] = await Promise.all([
  webhooksSecret(secrets, config.WEBHOOKS_SECRET_ARN),
  secretValue(secrets, config.ACK_KEY_SECRET_ARN),
])
const timeZone = config.ORG_TIMEZONE
const deps = {
  ...stores,
  ...emergencyParts(config, doc, config.TABLE_NAME),
  forms,
  channels: alertChannels({
    alertWebhooks: parseWebhookList(hooks.ALERT_WEBHOOKS, 'ALERT_WEBHOOKS'),
    escalationWebhooks: parseWebhookList(hooks.ESCALATION_WEBHOOKS, 'ESCALATION_WEBHOOKS'),
    sns: snsPublisher(new SNSClient({}), config.ALERT_TOPIC_ARN),
    fetch: (url, init) => fetch(url, init),
    clock,
    timeZone,
    log,
  }),
  retry: defaultRetryPolicy,
  // Per instance: with one stream poller and a minute rule, one or two instances are warm.
  rate: createRateWindow(),
  clock,
  timeZone,
  lang: config.ALERT_LANG,
  publicUrl: config.PUBLIC_URL,
  ackKey,
  ackTtlS: config.ACK_LINK_TTL_S,
  log,
  onChanged: requestRefresh(new LambdaClient({}), config.MIRROR_FUNCTION_NAME, log),
}

async function drain(context: unknown) {
  const result = await drainPasses(() => alertPass(deps), remainingOf(context), 15_000)
  if (result.last.created + result.last.delivered + result.last.failed > 0) log.info('alerts', { ...result.last, passes: result.passes })
  return result
}

export async function handler(event: unknown, context?: unknown): Promise<BatchResponse | undefined> {
  if (isStreamEvent(event)) {
    const marked = markedRecords(event, 'alertQ')
    if (marked.length === 0) return batchResponse([], false)
    try {
      const { finished } = await drain(context)
      return batchResponse(marked, !finished)
    } catch (error) {
      // The marks stay; Lambda retries from the first record, the minute rule after that.
      log.error('alert pass failed', { error, records: marked.length })
      return batchResponse(marked, true)
    }
  }
  // The minute rule: retries and escalations due. A failure throws, for the retry and the queue.
  await drain(context)
}
