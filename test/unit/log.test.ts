// The two editions' logs: Powertools JSON on Lambda (request id, cold start, errors with stack
// and cause, no personal data), readable lines with the local outbox's texts on the console.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMetrics } from '#commons/lambda/metrics.ts'
import { consoleLogger, lambdaLogger } from '#commons/log.ts'
import { capturedJsonLines } from '../../testkit/log-capture.ts'

const context = {
  functionName: 'SentinelForms-AlertsFunction',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:ap-east-1:123456789012:function:SentinelForms-AlertsFunction',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  callbackWaitsForEmptyEventLoop: true,
  logGroupName: '/aws/lambda/SentinelForms-AlertsFunction',
  logStreamName: '2026/11/30/[$LATEST]abc',
  getRemainingTimeInMillis: () => 60_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

describe('the Lambda log (Powertools)', () => {
  it('writes JSON with the service, the request id and cold start, and never the personal fields', async () => {
    // Lambda sets it for on-demand instances; Powertools reports cold starts only there.
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand')
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'alerts')
    const { log, powertools } = lambdaLogger()

    const [first, second] = await capturedJsonLines(() => {
      powertools.addContext(context)
      log.info('alert', { id: 'alert-7f3c2a', escalation: 0, personal: { text: '联系人：张三 13800001111，发现发热人员' } })
      powertools.addContext(context)
      log.info('alert', { id: 'alert-7f3c2b', escalation: 1 })
    })

    expect(first).toMatchObject({
      level: 'INFO',
      message: 'alert',
      service: 'alerts',
      function_request_id: context.awsRequestId,
      cold_start: true,
      id: 'alert-7f3c2a',
      escalation: 0,
    })
    expect(JSON.stringify(first)).not.toMatch(/张三|13800001111|发热|personal/)
    expect(second).toMatchObject({ id: 'alert-7f3c2b', cold_start: false })
  })

  it('logs an error with its stack and its cause, and not the request an HTTP client attached to it', async () => {
    const { log } = lambdaLogger()
    const refused = Object.assign(new Error('403 PERMISSION_DENIED'), {
      status: 403,
      config: { headers: { authorization: 'Bearer ya29.secret' }, data: { values: [['张三', '13800001111']] } },
    })
    const error = new Error('the sheet refused the batch', { cause: refused })

    const [line] = await capturedJsonLines(() => log.error('mirror pass failed', { error, records: 3 }))

    expect(line).toMatchObject({ level: 'ERROR', records: 3, error: { name: 'Error', message: 'the sheet refused the batch' } })
    const logged = line?.error as { stack: string; cause: { message: string } }
    expect(logged.stack).toMatch(/at /)
    expect(logged.cause).toMatchObject({ message: '403 PERMISSION_DENIED', status: 403 })
    expect(JSON.stringify(line)).not.toMatch(/ya29|张三|13800001111/)
  })
})

describe('the local console log', () => {
  it('shows the personal fields (the local outbox is the log) on one readable line', () => {
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line))

    consoleLogger.info('alert', { id: 'alert-7f3c2a', personal: { text: '联系人：张三' } })

    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'info', message: 'alert', id: 'alert-7f3c2a', text: '联系人：张三' })
  })
})

describe('the metrics (Powertools EMF)', () => {
  it('writes one EMF line in the namespace with the service dimension the alarms select', async () => {
    const metrics = createMetrics({ serviceName: 'mirror' })

    const [line] = await capturedJsonLines(() => metrics.publish({ MirrorLagMs: 1500, SheetWriteFailures: 0 }))

    expect(line).toMatchObject({ service: 'mirror', MirrorLagMs: 1500, SheetWriteFailures: 0 })
    const [directive] = (line?._aws as { CloudWatchMetrics: unknown[] } | undefined)?.CloudWatchMetrics ?? []
    expect(directive).toEqual({
      Namespace: 'SentinelForms',
      Dimensions: [['service']],
      Metrics: [
        { Name: 'MirrorLagMs', Unit: 'Milliseconds' },
        { Name: 'SheetWriteFailures', Unit: 'Count' },
      ],
    })
  })
})
