// Emergency alerts on one machine: the alert worker as a pump, woken by every alerting
// submission, and ticking every ALERT_TICK_S for retries and escalations (EventBridge and the
// stream do this on AWS). Configured webhooks are called for real; the outbox logs every alert.
import { SNSClient } from '@aws-sdk/client-sns'
import { aliyunSmsSenders } from '#commons/adapters/aliyun-sms.ts'
import { snsPublisher } from '#commons/adapters/sns.ts'
import { aliyunSmsConfig } from '#commons/channels/sms-config.ts'
import { alertPass } from '#commons/emergencies/worker.ts'
import { alertWorkerDeps } from '#commons/wiring/alert-worker.ts'
import type { Edge } from '#commons/wiring/edge.ts'
import { createChannelLanes } from './channel-lanes.ts'
import type { LocalConfig } from './config.ts'
import { type Pump, startPump } from './pump.ts'

const LANE_WAIT_MS = 2000

export function startAlerts(
  config: LocalConfig,
  edge: Edge,
  parts: {
    publicUrl: string
    ackKey: string
    workers: boolean
    /** an emergency was created or changed: the sheet's 应急 tab follows */
    changed: () => void
  },
): Pump {
  const { log } = edge
  // A pass waits this long for its channels; a slower one (a robot that does not answer) goes on
  // in the background while later passes reach the other channels. Its end asks for a pass.
  const sms = aliyunSmsConfig(config)
  const lanes = createChannelLanes(LANE_WAIT_MS, () => pump.wake())
  const deps = alertWorkerDeps(edge, config, {
    webhooks: { alert: config.ALERT_WEBHOOKS, escalation: config.ESCALATION_WEBHOOKS },
    // Published with the standard AWS credentials chain, in the topic's region.
    sns: config.ALERT_TOPIC_ARN
      ? snsPublisher(new SNSClient({ region: config.ALERT_TOPIC_ARN.split(':')[3] }), config.ALERT_TOPIC_ARN)
      : undefined,
    sms: sms ? aliyunSmsSenders(sms, { fetch: edge.fetch, now: () => edge.clock.now() }) : undefined,
    publicUrl: parts.publicUrl,
    ackKey: parts.ackKey,
    onChanged: parts.changed,
    lanes,
  })
  const pump = startPump(
    async () => {
      const result = await alertPass(deps)
      if (result.created + result.delivered + result.failed > 0) log.info('alerts', { ...result })
      return result
    },
    { name: 'alerts', debounceMs: 0, sweepMs: parts.workers ? config.ALERT_TICK_S * 1000 : 2 ** 31 - 1, log },
  )
  if (parts.workers) pump.wake() // whatever a crash left marked or due
  return {
    ...pump,
    async stop() {
      await pump.stop()
      await lanes.idle()
    },
  }
}
