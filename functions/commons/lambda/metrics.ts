// CloudWatch metrics through the embedded metric format: one JSON log line, no SDK call and no
// extra latency. The stack's alarms watch these names.
export const METRIC_NAMESPACE = 'SentinelForms'

export function emitMetrics(values: Record<string, number>, unit: 'Milliseconds' | 'Count', write = console.log): void {
  write(
    JSON.stringify({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          { Namespace: METRIC_NAMESPACE, Dimensions: [[]], Metrics: Object.keys(values).map((Name) => ({ Name, Unit: unit })) },
        ],
      },
      ...values,
    }),
  )
}
