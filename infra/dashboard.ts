// The system's CloudWatch dashboard and the functions' own metrics as the alarms read them:
// namespace SentinelForms, dimension `service` = the function's name (Powertools sets it from
// POWERTOOLS_SERVICE_NAME, which infra/function.ts sets).
import { Duration } from 'aws-cdk-lib'
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2'
import { GraphWidget, type IWidget, Metric, TextWidget } from 'aws-cdk-lib/aws-cloudwatch'
import type { ITopic } from 'aws-cdk-lib/aws-sns'
import type { IQueue } from 'aws-cdk-lib/aws-sqs'
import { METRIC_NAMESPACE, type MetricName } from '../functions/commons/lambda/metrics.ts'
import type { FunctionName } from './bundling.ts'
import type { SentinelFunction } from './function.ts'

export function sentinelMetric(service: FunctionName, metricName: MetricName, period: Duration, statistic: 'Sum' | 'Maximum'): Metric {
  return new Metric({ namespace: METRIC_NAMESPACE, metricName, dimensionsMap: { service }, period, statistic })
}

interface DashboardParts {
  httpApi: HttpApi
  failures: IQueue
  alertTopic: ITopic
  functions: Record<FunctionName, SentinelFunction>
}

/** Submissions and errors, the mirror, alerts, notices, dead letters, and every function's errors and throttles. */
export function dashboardWidgets({ httpApi, failures, alertTopic, functions }: DashboardParts): IWidget[][] {
  const period = Duration.minutes(5)
  const all = Object.entries(functions) as [FunctionName, SentinelFunction][]
  const graph = (title: string, left: Metric[], right: Metric[] = []) => new GraphWidget({ title, left, right, width: 8, height: 6 })
  return [
    [
      new TextWidget({
        markdown:
          '**Sentinel Forms.** Each alarm, what it means and what to do: docs/deploy-aws.md, "Alarms"; dead letters: "Dead-letter redrive".',
        width: 24,
        height: 1,
      }),
    ],
    [
      graph(
        'Requests and server errors (HTTP API)',
        [httpApi.metricCount({ period, label: 'requests' }), httpApi.metricClientError({ period, label: '4xx' })],
        [httpApi.metricServerError({ period, label: '5xx' })],
      ),
      graph(
        'Mirror: lag and backlog',
        [sentinelMetric('mirror', 'MirrorLagMs', period, 'Maximum').with({ label: 'lag ms (max)' })],
        [
          sentinelMetric('mirror', 'MirrorPending', period, 'Maximum').with({ label: 'pending marks' }),
          sentinelMetric('mirror', 'SheetWriteFailures', period, 'Sum').with({ label: 'sheet write failures' }),
        ],
      ),
      graph('Stream lag (IteratorAge, ms)', [
        functions.mirror.fn.metric('IteratorAge', { period, statistic: 'Maximum', label: 'mirror' }),
        functions.alerts.fn.metric('IteratorAge', { period, statistic: 'Maximum', label: 'alerts' }),
      ]),
    ],
    [
      graph(
        'Alerts: delivered, failed, given up',
        [
          sentinelMetric('alerts', 'AlertsDelivered', period, 'Sum').with({ label: 'delivered' }),
          sentinelMetric('alerts', 'AlertsFailed', period, 'Sum').with({ label: 'failed (retried)' }),
          sentinelMetric('alerts', 'AlertsGivenUp', period, 'Sum').with({ label: 'given up' }),
        ],
        [alertTopic.metricNumberOfNotificationsFailed({ period, label: 'SNS deliveries failed' })],
      ),
      graph('Notices: sent and failed', [
        sentinelMetric('schedule', 'NoticesSent', period, 'Sum').with({ label: 'sent' }),
        sentinelMetric('schedule', 'NoticesFailed', period, 'Sum').with({ label: 'failed' }),
      ]),
      graph('Dead letters', [
        failures.metricNumberOfMessagesSent({ period, statistic: 'Sum', label: 'arrived' }),
        failures.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: 'waiting' }),
      ]),
    ],
    [
      graph(
        'Function errors',
        all.map(([name, f]) => f.fn.metricErrors({ period, label: name })),
      ),
      graph(
        'Function throttles',
        all.map(([name, f]) => f.fn.metricThrottles({ period, label: name })),
      ),
      graph(
        'Function duration (p99, ms)',
        all.map(([name, f]) => f.fn.metricDuration({ period, statistic: 'p99', label: name })),
      ),
    ],
  ]
}
