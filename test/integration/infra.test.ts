// The CDK stack: resources, their properties and the IAM statements each function gets, and
// cdk-nag's AwsSolutions and Serverless packs on the synthesized app. Bundling is skipped except
// in one test, which checks that CDK's bundle is the one the handler tests and the bench use.
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { App, Validations } from 'aws-cdk-lib'
import { Match, Template } from 'aws-cdk-lib/assertions'
import { Queue } from 'aws-cdk-lib/aws-sqs'
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag'
import { beforeAll, describe, expect, it } from 'vitest'
import { tableIndexes, ttlAttribute } from '#commons/adapters/dynamo/table.ts'
import { buildBundle, bundleCacheDir } from '../../infra/bundling.ts'
import type { DeployConfig } from '../../infra/config.ts'
import { SentinelStack } from '../../infra/stack.ts'

const SHEET_ID = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'

function stackWith(config: Partial<DeployConfig> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } })
  const stack = new SentinelStack(app, 'SentinelForms', {
    env: { account: '123456789012', region: 'ap-east-1' },
    config: {
      sheetId: SHEET_ID,
      alertEmails: ['duty@example.org'],
      alertPhones: ['+8613800000000'],
      opsEmails: ['ops@example.org'],
      ...config,
    },
  })
  return { app, stack }
}

/** Every IAM statement attached to the role of one function (by its construct id). */
function statementsOf(template: Template, fn: FunctionId): { Action: string | string[]; Resource: unknown }[] {
  const policies = template.findResources('AWS::IAM::Policy')
  return Object.values(policies)
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`${fn}Role`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
}
type FunctionId = 'Api' | 'Mirror' | 'Alerts' | 'Schedule'
const functionIds: FunctionId[] = ['Api', 'Mirror', 'Alerts', 'Schedule']
const actionsOf = (statements: { Action: string | string[] }[]) => statements.flatMap((s) => [s.Action].flat())

describe('the AWS stack', () => {
  let template: Template

  beforeAll(() => {
    template = Template.fromStack(stackWith().stack)
  })

  it('keeps the table on demand, encrypted, recoverable, streamed with both images, retained, and expiring sessions by TTL', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
        Replicas: [
          Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true }),
        ],
        GlobalSecondaryIndexes: Match.arrayWith(Object.keys(tableIndexes).map((name) => Match.objectLike({ IndexName: name }))),
      }),
    })
  })

  it('runs every function on Node 22 on arm64 with its own log group and retention', () => {
    const functions = template.findResources('AWS::Lambda::Function')
    expect(Object.keys(functions)).toHaveLength(4)
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } })
      expect(fn.Properties.LoggingConfig.LogGroup).toBeDefined()
    }
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 90 }, 5)
  })

  it('puts the API function behind an HTTP API whose stage is throttled and logged without paths', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' })
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /{proxy+}' })
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /' })
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { Format: Match.stringLikeRegexp('"route":"\\$context.routeKey"') },
    })
    const format = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]?.Properties.AccessLogSettings.Format as string
    expect(format).not.toContain('$context.path')
  })

  it.each([
    ['Mirror', 'mirrorQ'],
    ['Alerts', 'alertQ'],
  ])('feeds the %s function from the stream with bounded retries, bisection, partial failures and a dead-letter queue', (fn, mark) => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp(`^${fn}Function`) },
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Table'), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 3600,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Failures'), 'Arn'] } } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { [mark]: { S: [{ exists: true }] } } } }) }] },
    })
  })

  it('runs the mirror sweep, the alert tick and the daily cycle on EventBridge rules with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MirrorFunction'), 'Arn'] }, DeadLetterConfig: Match.anyValue() }),
      ],
    })
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ScheduleFunction'), 'Arn'] } })],
    })
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsFunction'), 'Arn'] } })],
    })
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 3)
  })

  it('subscribes the emergency group by e-mail and SMS, and ops by e-mail, on encrypted topics', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'duty@example.org' })
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sms', Endpoint: '+8613800000000' })
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.org' })
    template.allResourcesProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() })
  })

  it('keeps every secret value out of the template', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret')
    expect(Object.keys(secrets)).toHaveLength(5)
    for (const secret of Object.values(secrets)) expect(secret.Properties.SecretString).toBeUndefined()
    const text = JSON.stringify(template.toJSON())
    expect(text).not.toMatch(/private_key|BEGIN PRIVATE KEY|hooks\.slack\.com|qyapi\.weixin/)
  })

  it('alarms on dead letters, mirror lag, stream lag, errors, throttles and API 5xx', () => {
    for (const metric of ['ApproximateNumberOfMessagesVisible', 'MirrorLagMs', 'IteratorAge', '5xx', 'NoticesFailed']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^OpsTopic') }],
      })
    }
    for (const metric of ['Errors', 'Throttles']) {
      template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: metric }, 4)
    }
  })

  it('gives no function a managed policy, and logs only to its own log group', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined()
    }
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0)
    for (const fn of functionIds) {
      const logs = statementsOf(template, fn).filter((s) => actionsOf([s]).some((a) => a.startsWith('logs:')))
      expect(logs).toEqual([
        expect.objectContaining({
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${fn}Logs`)), 'Arn'] },
        }),
      ])
    }
  })

  it('grants each function only the secrets, streams and calls it uses', () => {
    const api = actionsOf(statementsOf(template, 'Api'))
    const mirror = actionsOf(statementsOf(template, 'Mirror'))
    const alerts = actionsOf(statementsOf(template, 'Alerts'))
    const schedule = actionsOf(statementsOf(template, 'Schedule'))

    expect(api).toContain('lambda:InvokeFunction')
    const onStream = (fn: FunctionId) => statementsOf(template, fn).filter((s) => JSON.stringify(s.Resource).includes('StreamArn'))
    expect(onStream('Api')).toEqual([])
    expect(onStream('Schedule')).toEqual([])
    expect(mirror).toEqual(
      expect.arrayContaining([
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:DescribeStream',
        'dynamodb:ListStreams',
        'sqs:SendMessage',
      ]),
    )
    expect(mirror).not.toContain('lambda:InvokeFunction')
    expect(alerts).toEqual(expect.arrayContaining(['sns:Publish', 'dynamodb:GetRecords', 'lambda:InvokeFunction']))
    expect([...api, ...mirror, ...schedule]).not.toContain('sns:Publish')
    expect([...api, ...mirror, ...alerts, ...schedule].filter((a) => a.endsWith(':*') || a === '*')).toEqual([])
    const streamRead = statementsOf(template, 'Mirror').find((s) => actionsOf([s]).includes('dynamodb:ListStreams'))
    expect(streamRead?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'StreamArn'] })
    const invoke = statementsOf(template, 'Api').find((s) => actionsOf([s]).includes('lambda:InvokeFunction'))
    expect(invoke?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^MirrorFunction/), 'Arn'] })
    const secretReads = (fn: FunctionId) =>
      statementsOf(template, fn)
        .filter((s) => actionsOf([s]).includes('secretsmanager:GetSecretValue'))
        .map((s) => JSON.stringify(s.Resource).match(/"(AdminToken|LinkKey|AckKey|GoogleKey|Webhooks)[0-9A-F]{8}"/)?.[1])
        .sort()
    expect(secretReads('Api')).toEqual(['AckKey', 'AdminToken', 'LinkKey'])
    expect(secretReads('Alerts')).toEqual(['AckKey', 'Webhooks'])
    expect(secretReads('Mirror')).toEqual(['GoogleKey'])
    expect(secretReads('Schedule')).toEqual(['LinkKey', 'Webhooks'])
  })

  it('passes configuration to the functions through their environment, never a secret value', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SHEET_ID: SHEET_ID,
          ORG_TIMEZONE: 'Asia/Shanghai',
          GOOGLE_KEY_SECRET_ARN: { Ref: Match.stringLikeRegexp('^GoogleKey') },
        }),
      },
    })
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ADMIN_TOKEN_SECRET_ARN: { Ref: Match.stringLikeRegexp('^AdminToken') },
          MIRROR_FUNCTION_NAME: { Ref: Match.stringLikeRegexp('^MirrorFunction') },
        }),
      },
    })
  })
})

describe('cdk-nag on the synthesized app', () => {
  const checked = (config: Partial<DeployConfig> = {}) => {
    const built = stackWith(config)
    Validations.of(built.app).addPlugins(new AwsSolutionsChecks(built.app), new ServerlessChecks(built.app))
    return built
  }

  it('passes the AwsSolutions and Serverless packs, every exception acknowledged next to its resource', () => {
    const { app } = checked()

    expect(() => app.synth()).not.toThrow()
  })

  it('also passes with no subscribers and no sheet configured (a fresh clone)', () => {
    const { app } = checked({ sheetId: undefined, alertEmails: [], alertPhones: [], opsEmails: [] })

    expect(() => app.synth()).not.toThrow()
  })

  it('fails the synth when a resource breaks a rule', () => {
    const { app, stack } = checked()
    new Queue(stack, 'Careless')

    expect(() => app.synth()).toThrow(/SentinelForms\/Careless/)
  })
})

describe('CDK’s bundling', () => {
  it('builds the API bundle byte for byte as the bench and the handler tests build it', async () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': ['**'], 'aws:cdk:enable-asset-metadata': true } })
    const stack = new SentinelStack(app, 'Bundled', { config: { sheetId: SHEET_ID } })
    const assembly = app.synth()
    const api = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).find((f) =>
      String(f.Properties.Description).includes('JSON API'),
    )
    const assetDir = join(assembly.directory, String(api?.Metadata?.['aws:asset:path']))

    const ours = await buildBundle('api', join(bundleCacheDir, `infra-test-${process.pid}-api.mjs`))

    expect(readFileSync(join(assetDir, 'index.mjs'))).toEqual(readFileSync(ours.file))
    rmSync(ours.file, { force: true })
  }, 120_000)
})
