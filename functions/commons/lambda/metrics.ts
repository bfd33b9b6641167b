// CloudWatch metrics through Powertools' embedded metric format: one JSON line on stdout, no SDK
// call and no extra latency. Powertools writes the line itself (not through console.log), so it
// stays a metric whatever the function's log format. The stack's alarms and dashboard read the
// same names (metricNames) and the same `service` dimension (the function's name).
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'

export const METRIC_NAMESPACE = 'SentinelForms'

/** Each metric the functions emit, with its unit. */
export const metricUnits = {
  /** mirror: age of the oldest mark a pass cleared (0 when none was waiting) */
  MirrorLagMs: MetricUnit.Milliseconds,
  /** mirror: marks found by the last pass of a drain */
  MirrorPending: MetricUnit.Count,
  /** mirror: drains that failed (the sheet refused or was unreachable) */
  SheetWriteFailures: MetricUnit.Count,
  /** alerts: deliveries that went out, failed (to be retried) or were given up */
  AlertsDelivered: MetricUnit.Count,
  AlertsFailed: MetricUnit.Count,
  AlertsGivenUp: MetricUnit.Count,
  /** schedule: reminders and summaries sent, and those that failed (retried next minute) */
  NoticesSent: MetricUnit.Count,
  NoticesFailed: MetricUnit.Count,
} as const
export type MetricName = keyof typeof metricUnits

export interface MetricsSink {
  /** Emits these values now, as one EMF line. */
  publish(values: Partial<Record<MetricName, number>>): void
}

/**
 * Metrics under the namespace, with `service` = POWERTOOLS_SERVICE_NAME (the stack sets it to
 * the function's name).
 */
export function createMetrics(options: { serviceName?: string } = {}): MetricsSink {
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE, ...options })
  return {
    publish(values) {
      for (const [name, value] of Object.entries(values)) {
        if (value !== undefined) metrics.addMetric(name, metricUnits[name as MetricName], value)
      }
      metrics.publishStoredMetrics()
    },
  }
}
