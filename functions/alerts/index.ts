// The alert function: the same alert pass as the local server, woken by the table stream
// (records still marked for an alert) and every minute by an EventBridge rule (retries and
// escalations that fall due). Deliveries carry the same alert id on every retry.
import { LambdaClient } from '@aws-sdk/client-lambda'
import { SNSClient } from '@aws-sdk/client-sns'
import { aliyunSmsSenders } from '#commons/adapters/aliyun-sms.ts'
import { snsPublisher } from '#commons/adapters/sns.ts'
import { alertPass } from '#commons/emergencies/worker.ts'
import { AlertsConfig, parseLambdaConfig } from '#commons/lambda/config.ts'
import { drainPasses, remainingOf } from '#commons/lambda/drain.ts'
import { requestRefresh } from '#commons/lambda/mirror-requests.ts'
import { lambdaHandler, lambdaRuntime } from '#commons/lambda/runtime.ts'
import { aliyunSmsSecret, rebuiltOnChange, secretValue, webhooksSecret } from '#commons/lambda/secrets.ts'
import { type BatchResponse, batchResponse, isStreamEvent, markedRecords } from '#commons/lambda/stream.ts'
import { alertWorkerDeps } from '#commons/wiring/alert-worker.ts'

const config = parseLambdaConfig(AlertsConfig)
const edge = await lambdaRuntime(config)
const { log, metrics } = edge
const sns = snsPublisher(new SNSClient({}), config.ALERT_TOPIC_ARN)
const onChanged = requestRefresh(new LambdaClient({}), config.MIRROR_FUNCTION_NAME, log, edge.inFlight)
// Built again when a secret changes. Its rate window is per instance (and starts afresh then):
// with one stream poller and a minute rule, one or two instances are warm.
const currentDeps = rebuiltOnChange(
  () =>
    Promise.all([
      webhooksSecret(edge.secrets, config.WEBHOOKS_SECRET_ARN),
      secretValue(edge.secrets, config.ACK_KEY_SECRET_ARN),
      config.ALIYUN_SMS_SECRET_ARN ? aliyunSmsSecret(edge.secrets, config.ALIYUN_SMS_SECRET_ARN) : undefined,
    ]),
  ([hooks, ackKey, sms]) =>
    alertWorkerDeps(edge, config, {
      webhooks: { alert: hooks.ALERT_WEBHOOKS, escalation: hooks.ESCALATION_WEBHOOKS },
      sns,
      sms: sms ? aliyunSmsSenders(sms, { fetch: edge.fetch, now: () => edge.clock.now() }) : undefined,
      publicUrl: config.PUBLIC_URL,
      ackKey,
      onChanged,
    }),
)
await currentDeps()

async function drain(context: unknown) {
  const deps = await currentDeps()
  const result = await drainPasses(() => alertPass(deps), remainingOf(context), 15_000)
  const { created, delivered, failed, gaveUp } = result.last
  metrics.publish({ AlertsDelivered: delivered, AlertsFailed: failed, AlertsGivenUp: gaveUp })
  if (created + delivered + failed > 0) log.info('alerts', { created, delivered, failed, gaveUp, passes: result.passes })
  return result
}

export const handler = lambdaHandler(edge, async (event: unknown, context?: unknown): Promise<BatchResponse | undefined> => {
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
})
