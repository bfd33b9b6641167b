// Emergency alerts on one machine: the alert worker as a pump, woken by every alerting
// submission, and ticking every ALERT_TICK_S for retries and escalations (EventBridge and the
// stream do this on AWS). Configured webhooks are called for real; the outbox logs every alert.
import { SNSClient } from '@aws-sdk/client-sns'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { createDynamoEmergencyStore } from '#commons/adapters/dynamo/emergencies.ts'
import { snsPublisher } from '#commons/adapters/sns.ts'
import { alertChannels } from '#commons/channels/setup.ts'
import type { Clock } from '#commons/clock.ts'
import { emergencyTab } from '#commons/emergencies/sheet-tab.ts'
import { alertPass, createChannelLanes, createRateWindow, defaultRetryPolicy } from '#commons/emergencies/worker.ts'
import type { FormRegistry } from '#commons/forms/registry.ts'
import type { Logger } from '#commons/log.ts'
import type { ComputedTab } from '#commons/sheet/sink.ts'
import type { Stores } from '#commons/store.ts'
import type { AlertAppDeps } from '#commons/web/deps.ts'
import type { LocalConfig } from './config.ts'
import { type Pump, startPump } from './pump.ts'

const LANE_WAIT_MS = 2000

export interface LocalAlerts {
  pump: Pump
  app: AlertAppDeps
  tab: ComputedTab
}

export function startAlerts(
  config: LocalConfig,
  deps: {
    doc: DynamoDBDocumentClient
    stores: Stores
    forms: FormRegistry
    clock: Clock
    log: Logger
    publicUrl: string
    ackKey: string
    workers: boolean
    /** an emergency was created or changed: the sheet's 应急 tab follows */
    changed: () => void
  },
): LocalAlerts {
  const { clock, log } = deps
  const timeZone = config.ORG_TIMEZONE
  const emergencies = createDynamoEmergencyStore(deps.doc, config.TABLE_NAME)
  const policy = { max: config.ESCALATE_MAX, ...(config.ESCALATE_AFTER_S ? { afterS: config.ESCALATE_AFTER_S } : {}) }
  const channels = alertChannels({
    alertWebhooks: config.ALERT_WEBHOOKS,
    escalationWebhooks: config.ESCALATION_WEBHOOKS,
    ...(config.ALERT_TOPIC_ARN
      ? { sns: snsPublisher(new SNSClient({ region: config.ALERT_TOPIC_ARN.split(':')[3] }), config.ALERT_TOPIC_ARN) }
      : {}),
    fetch: (url, init) => fetch(url, init),
    clock,
    timeZone,
    log,
  })
  // A pass waits this long for its channels; a slower one (a robot that does not answer) goes on
  // in the background while later passes reach the other channels. Its end asks for a pass.
  const lanes = createChannelLanes(LANE_WAIT_MS, () => pump.wake())
  const workerDeps = {
    lanes,
    ...deps.stores,
    emergencies,
    forms: deps.forms,
    channels,
    policy,
    retry: defaultRetryPolicy,
    rate: createRateWindow(),
    clock,
    timeZone,
    lang: config.ALERT_LANG,
    publicUrl: deps.publicUrl,
    ackKey: deps.ackKey,
    ackTtlS: config.ACK_LINK_TTL_S,
    log,
    onChanged: deps.changed,
  }
  const pump = startPump(
    async () => {
      const result = await alertPass(workerDeps)
      if (result.created + result.delivered + result.failed > 0) log.info('alerts', { ...result })
      return result
    },
    { name: 'alerts', debounceMs: 0, sweepMs: deps.workers ? config.ALERT_TICK_S * 1000 : 2 ** 31 - 1, log },
  )
  if (deps.workers) pump.wake() // whatever a crash left marked or due
  return {
    pump: {
      ...pump,
      async stop() {
        await pump.stop()
        await lanes.idle()
      },
    },
    app: { emergencies, policy, ackKey: deps.ackKey, ackTtlS: config.ACK_LINK_TTL_S, lang: config.ALERT_LANG, onChanged: deps.changed },
    tab: emergencyTab({ emergencies, units: deps.stores.units, forms: deps.forms, timeZone }),
  }
}
