// The CDK stack: resources, their properties and the IAM statements each function gets, and
// cdk-nag's AwsSolutions and Serverless packs on the synthesized app. Bundling is skipped except
// in one test, which checks that CDK's bundle is the one the handler tests and the bench use.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { App, CfnResource, Validations } from 'aws-cdk-lib'
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions'
import { Queue } from 'aws-cdk-lib/aws-sqs'
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag'
import { beforeAll, describe, expect, it } from 'vitest'
import { tableIndexes, ttlAttribute } from '#commons/adapters/dynamo/table.ts'
import { metricUnits } from '#commons/lambda/metrics.ts'
import { buildBundle, bundleCacheDir } from '../../infra/bundling.ts'
import { type DeployConfig, deployConfigFrom, stackNameFor } from '../../infra/config.ts'
import { SentinelStack, TABLE_LOGICAL_ID } from '../../infra/stack.ts'

const SHEET_ID = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'

// AWS's offline CloudFormation validator ships inside aws-cdk-lib (see FACTS): schema errors and
// resource types missing in a region, for each partition.
const requireHere = createRequire(import.meta.url)
const cfnValidator = requireHere(
  join(dirname(requireHere.resolve('aws-cdk-lib/package.json')), 'node_modules/@aws/cloudformation-validate'),
) as {
  CompositeEngine: new () => { validateTemplate(template: unknown, config: object): unknown }
  TemplateFile: new (path: string) => unknown
}

function stackWith(config: Partial<DeployConfig> = {}, where: { stage?: string; region?: string } = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } })
  const stack = new SentinelStack(app, stackNameFor(where.stage), {
    env: { account: '123456789012', region: where.region ?? 'ap-east-1' },
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

/** A custom domain with its certificate in `region` (of that region's partition). */
const customDomain = (region: string) => ({
  domainName: 'forms.example.cn',
  certificateArn: `arn:${region.startsWith('cn-') ? 'aws-cn' : 'aws'}:acm:${region}:123456789012:certificate/0f4c2d8e-6b1a-4e55-9c3d-7a2b1e0f9d64`,
})

/** Every IAM statement attached to the role of one function (by its construct id). */
function statementsOf(template: Template, fn: FunctionId): { Action: string | string[]; Resource: unknown }[] {
  const policies = template.findResources('AWS::IAM::Policy')
  return Object.values(policies)
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`${fn}Role`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
}
type FunctionId = 'Api' | 'Workbooks' | 'Mirror' | 'Alerts' | 'Schedule'
const functionIds: FunctionId[] = ['Api', 'Workbooks', 'Mirror', 'Alerts', 'Schedule']
const actionsOf = (statements: { Action: string | string[] }[]) => statements.flatMap((s) => [s.Action].flat())

describe('the AWS stack', () => {
  let template: Template

  beforeAll(() => {
    template = Template.fromStack(stackWith().stack)
  }, 120_000)

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

  it('keeps photos in a private, encrypted, TLS-only bucket with a lifecycle rule, posted to from the app’s origin and read by the API alone', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })],
        },
        CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedMethods: ['POST'], AllowedOrigins: [Match.anyValue()] })] },
      }),
    })
    const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy')) as {
      Properties: { PolicyDocument: { Statement: unknown[] } }
    }[]
    expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    )
    const onPhotos = (fn: FunctionId) => actionsOf(statementsOf(template, fn).filter((s) => JSON.stringify(s.Resource).includes('Photos')))
    expect(onPhotos('Api').sort()).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject'])
    for (const fn of ['Mirror', 'Alerts', 'Schedule'] as const) expect(onPhotos(fn)).toEqual([])
    const api = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f) => JSON.stringify(f).includes('MIRROR_FUNCTION_NAME') && JSON.stringify(f).includes('ADMIN_TOKEN_SECRET_ARN'),
    ) as { Properties: { Environment: { Variables: Record<string, unknown> } } }
    expect(api.Properties.Environment.Variables.PHOTO_BUCKET).toEqual({ Ref: expect.stringMatching(/^Photos/) })
  })

  it('keeps the table’s logical id, so no refactor can replace the retained table with an empty one', () => {
    expect(TABLE_LOGICAL_ID).toBe('TableCD117FA1')
    expect(template.findResources('AWS::DynamoDB::GlobalTable')).toHaveProperty([TABLE_LOGICAL_ID])
  })

  it('runs every function on Node 24 on arm64 with its own log group and retention, untraced', () => {
    const functions = template.findResources('AWS::Lambda::Function')
    expect(Object.keys(functions)).toHaveLength(5)
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] })
      expect(fn.Properties.TracingConfig).toBeUndefined()
      expect(fn.Properties.LoggingConfig.LogGroup).toBeDefined()
    }
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 90 }, 6)
    // X-Ray is off (docs/deploy-aws.md, "Tracing"): no role may write traces.
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toMatch(/xray:/)
  })

  it('puts the API function behind an HTTP API whose stage is throttled and logged without paths', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' })
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /{proxy+}' })
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /' })
    // the forms page's two workbook routes go to the function that carries the .xlsx library
    const targetOf = (routeKey: string) =>
      JSON.stringify(
        Object.values(template.findResources('AWS::ApiGatewayV2::Route')).find((r) => r.Properties.RouteKey === routeKey)?.Properties
          .Target,
      )
    expect(targetOf('GET /office/forms/{id}/workbook.xlsx')).toContain('WorkbookDownload')
    expect(targetOf('POST /office/forms/preview')).toContain('WorkbookUpload')
    expect(targetOf('ANY /{proxy+}')).toContain('App')
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

  /** The one alarm on this metric name (and namespace, when given). */
  const alarmOn = (metricName: string, namespace?: string) => {
    const found = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
      (a) => a.Properties.MetricName === metricName && (namespace === undefined || a.Properties.Namespace === namespace),
    )
    expect(found).toHaveLength(1)
    return found[0]?.Properties as Record<string, unknown>
  }
  const opsTopic = [{ Ref: expect.stringMatching(/^OpsTopic/) }]

  it.each([
    // metric, namespace, statistic, period (s), threshold, evaluation periods, missing data
    ['NumberOfMessagesSent', 'AWS/SQS', 'Sum', 300, 1, 1, 'notBreaching'],
    ['ApproximateAgeOfOldestMessage', 'AWS/SQS', 'Maximum', 900, 86_400, 1, 'notBreaching'],
    ['MirrorLagMs', 'SentinelForms', 'Maximum', 600, 600_000, 1, 'breaching'],
    ['SheetWriteFailures', 'SentinelForms', 'Sum', 300, 1, 2, 'notBreaching'],
    ['AlertsGivenUp', 'SentinelForms', 'Sum', 300, 1, 1, 'notBreaching'],
    ['NumberOfNotificationsFailed', 'AWS/SNS', 'Sum', 300, 1, 1, 'notBreaching'],
    ['NoticesFailed', 'SentinelForms', 'Sum', 300, 1, 3, 'notBreaching'],
    ['5xx', 'AWS/ApiGateway', 'Sum', 300, 5, 1, 'notBreaching'],
  ])(
    'alarms on %s (%s): %s over %i s ≥/> %i, %i periods, missing data %s, to ops when it fires and clears',
    (metric, namespace, statistic, period, threshold, periods, missing) => {
      expect(alarmOn(metric, namespace)).toMatchObject({
        Statistic: statistic,
        Period: period,
        Threshold: threshold,
        EvaluationPeriods: periods,
        TreatMissingData: missing,
        AlarmActions: opsTopic,
        OKActions: opsTopic,
      })
    },
  )

  it('alarms on both streams’ iterator age, each function’s errors and throttles, to ops when they fire and clear', () => {
    const iteratorAge = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
      (a) => a.Properties.MetricName === 'IteratorAge',
    )
    expect(
      iteratorAge
        .map((a) => [JSON.stringify(a.Properties.Dimensions).match(/(Mirror|Alerts)Function/)?.[1], a.Properties.Threshold])
        .sort(),
    ).toEqual([
      ['Alerts', 120_000],
      ['Mirror', 300_000],
    ])
    for (const metric of ['Errors', 'Throttles']) {
      template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: metric, OKActions: Match.anyValue() }, 5)
    }
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: opsTopic.map(() => Match.objectLike({ Ref: Match.stringLikeRegexp('^OpsTopic') })),
    })
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      OKActions: [Match.objectLike({ Ref: Match.stringLikeRegexp('^OpsTopic') })],
    })
  })

  it('selects its own metrics by the service dimension Powertools sets from the function’s environment', () => {
    const dimensions = (metric: string) => alarmOn(metric, 'SentinelForms').Dimensions
    expect(dimensions('MirrorLagMs')).toEqual([{ Name: 'service', Value: 'mirror' }])
    expect(dimensions('AlertsGivenUp')).toEqual([{ Name: 'service', Value: 'alerts' }])
    expect(dimensions('NoticesFailed')).toEqual([{ Name: 'service', Value: 'schedule' }])
    for (const [id, fn] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
      const service = id.match(/^(Api|Workbooks|Mirror|Alerts|Schedule)Function/)?.[1]?.toLowerCase()
      expect(fn.Properties.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: service,
        POWERTOOLS_METRICS_NAMESPACE: 'SentinelForms',
      })
    }
  })

  it('gives the API its per-unit alert rate from the context (UNIT_ALERT_LIMIT, default 5)', () => {
    const apiEnvironment = (t: Template) =>
      Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('ApiFunction'))?.[1].Properties.Environment
        .Variables
    expect(apiEnvironment(template)).toMatchObject({ UNIT_ALERT_LIMIT: '5' })
    expect(apiEnvironment(Template.fromStack(stackWith({ unitAlertLimit: 20 }).stack))).toMatchObject({ UNIT_ALERT_LIMIT: '20' })
    expect(() => stackWith({ unitAlertLimit: 0 })).toThrow(/unitAlertLimit/)
  })

  it('waits two sweeps before it takes the mirror’s silence for breakage', () => {
    const slow = Template.fromStack(stackWith({ sweepMinutes: 15 }).stack)
    slow.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'MirrorLagMs', Period: 1800, TreatMissingData: 'breaching' })
  })

  it('draws one dashboard for the system', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1)
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties.DashboardBody)
    for (const metric of [
      'MirrorLagMs',
      'MirrorPending',
      'AlertsDelivered',
      'AlertsGivenUp',
      'NoticesFailed',
      'IteratorAge',
      'Throttles',
      'Errors',
      'NumberOfMessagesSent',
      'Count',
    ]) {
      expect(body).toContain(metric)
    }
  })

  it('warns at synth when no operator e-mail receives the alarms', () => {
    const warnings = (config: Partial<DeployConfig>) =>
      Annotations.fromStack(stackWith(config).stack).findWarning('*', Match.stringLikeRegexp('opsEmails'))
    expect(warnings({ opsEmails: [] })).toHaveLength(1)
    expect(warnings({})).toHaveLength(0)
  })

  it('counts in docs/deploy-aws.md’s cost estimate what the stack deploys', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../docs/deploy-aws.md'), 'utf8')
    const count = (item: string) => Number(new RegExp(`\\| ${item}[^|]*\\|\\D*(\\d+)`).exec(doc)?.[1])

    expect(count('CloudWatch alarms')).toBe(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length)
    expect(count('CloudWatch custom metrics')).toBe(Object.keys(metricUnits).length)
    expect(count('CloudWatch dashboard')).toBe(Object.keys(template.findResources('AWS::CloudWatch::Dashboard')).length)
    expect(count('Secrets Manager')).toBe(Object.keys(template.findResources('AWS::SecretsManager::Secret')).length)
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
    // the workbook function is the same web app: the same secrets and calls, no stream, no SNS, and no photos
    expect(secretReads('Workbooks')).toEqual(secretReads('Api'))
    expect(actionsOf(statementsOf(template, 'Workbooks')).sort()).toEqual(api.filter((a) => !a.startsWith('s3:')).sort())
    expect(secretReads('Alerts')).toEqual(['AckKey', 'Webhooks'])
    expect(secretReads('Mirror')).toEqual(['GoogleKey'])
    expect(secretReads('Schedule')).toEqual(['LinkKey', 'Webhooks'])
  })

  it('gives each function the table calls it makes: items and queries, a scan for the mirror’s rebuild only, a delete for the API’s sign-out only, batch reads but no batch writes', () => {
    const tableActions = (fn: FunctionId) =>
      actionsOf(
        statementsOf(template, fn).filter(
          (s) => JSON.stringify(s.Resource).includes('"Arn"') && JSON.stringify(s.Resource).match(/"Table[0-9A-F]{8}"/),
        ),
      )
        .filter((a) => a.startsWith('dynamodb:'))
        .sort()
    const items = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']
    expect(tableActions('Api')).toEqual([...items, 'dynamodb:DeleteItem'].sort())
    expect(tableActions('Workbooks')).toEqual(tableActions('Api'))
    expect(tableActions('Alerts')).toEqual(items)
    expect(tableActions('Schedule')).toEqual(items)
    expect(tableActions('Mirror')).toEqual([...items, 'dynamodb:Scan'].sort())

    // Every kind of call the adapters make is granted somewhere: a new one without its grant fails here, not on AWS.
    const adapters = join(import.meta.dirname, '../../functions/commons/adapters/dynamo')
    const source = readdirSync(adapters)
      .filter((f) => f !== 'table.ts') // creating the table is local only; CDK makes it on AWS
      .map((f) => readFileSync(join(adapters, f), 'utf8'))
      .join('\n')
    const actionOf: Record<string, string> = {
      Get: 'GetItem',
      Put: 'PutItem',
      Update: 'UpdateItem',
      Delete: 'DeleteItem',
      Query: 'Query',
      Scan: 'Scan',
      BatchGet: 'BatchGetItem',
    }
    const used = new Set([...source.matchAll(/new (\w+)Command\(/g)].map((m) => `dynamodb:${actionOf[m[1] ?? ''] ?? m[1]}`))
    const granted = new Set(functionIds.flatMap(tableActions))
    expect([...used].filter((action) => !granted.has(action))).toEqual([])
  })

  it('reserves concurrency for the alert function only, and none when asked for 0', () => {
    const reserved = (t: Template) =>
      Object.entries(t.findResources('AWS::Lambda::Function'))
        .filter(([, f]) => f.Properties.ReservedConcurrentExecutions !== undefined)
        .map(([id, f]) => [id.match(/^[A-Z][a-z]+/)?.[0], f.Properties.ReservedConcurrentExecutions])
    expect(reserved(template)).toEqual([['Alerts', 5]])
    expect(reserved(Template.fromStack(stackWith({ alertsConcurrency: 0 }).stack))).toEqual([])
  })

  it('lets CloudWatch use the topic key only for this account’s and this stack’s alarms', () => {
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0]
    const statements = key?.Properties.KeyPolicy.Statement as { Principal: unknown; Condition?: unknown }[]
    const cloudwatch = statements.filter((s) => JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com'))
    expect(cloudwatch).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:ap-east-1:123456789012:alarm:SentinelForms-*']],
            },
          },
        },
      }),
    ])
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

describe('the Feishu sheet (mainland China), chosen by context', () => {
  const FEISHU = { sheetId: undefined, feishuSheetToken: 'shtcnAbCdEfGhIjKlMnOpQrSt', feishuAppId: 'cli_a1b2c3d4e5f6a7b8', alertPhones: [] }

  it('gives the mirror the token and app id, and the app secret in Secrets Manager read by the mirror alone; no Google key', () => {
    const template = Template.fromStack(stackWith(FEISHU, { region: 'cn-north-1' }).stack)
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          FEISHU_SHEET_TOKEN: FEISHU.feishuSheetToken,
          FEISHU_APP_ID: FEISHU.feishuAppId,
          FEISHU_SECRET_ARN: { Ref: Match.stringLikeRegexp('^FeishuAppSecret') },
        }),
      },
    })
    const secrets = template.findResources('AWS::SecretsManager::Secret')
    expect(Object.keys(secrets).some((id) => id.startsWith('FeishuAppSecret'))).toBe(true)
    expect(Object.keys(secrets).some((id) => id.startsWith('GoogleKey'))).toBe(false)
    // no function's environment names a Google sheet
    expect(JSON.stringify(template.findResources('AWS::Lambda::Function'))).not.toMatch(/SHEET_ID|GOOGLE_KEY_SECRET_ARN/)
    const readers = functionIds.filter((fn) => JSON.stringify(statementsOf(template, fn)).includes('FeishuAppSecret'))
    expect(readers).toEqual(['Mirror'])
    template.hasOutput('FeishuAppSecretName', {})
  })

  it('refuses both sheets at once, and a Feishu sheet without its app', () => {
    expect(() => deployConfigFrom((key) => ({ ...FEISHU, sheetId: SHEET_ID })[key])).toThrow(/one sink at a time/)
    expect(() => deployConfigFrom((key) => ({ ...FEISHU, feishuAppId: undefined })[key])).toThrow(/feishuAppId/)
  })

  it('passes cdk-nag in cn-north-1', () => {
    const built = stackWith(FEISHU, { region: 'cn-north-1' })
    Validations.of(built.app).addPlugins(new AwsSolutionsChecks(built.app), new ServerlessChecks(built.app))
    expect(() => built.app.synth()).not.toThrow()
  })
})

describe('cdk-nag on the synthesized app', () => {
  const checked = (config: Partial<DeployConfig> = {}, where: { stage?: string; region?: string } = {}) => {
    const built = stackWith(config, where)
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

  it.each(['cn-north-1', 'cn-northwest-1'])(
    'passes as a named stage in %s, the stack and its alarms’ key condition named for the stage',
    (region) => {
      const { app, stack } = checked({ alertPhones: [] }, { stage: 'dev', region })

      expect(() => app.synth()).not.toThrow()
      expect(stack.stackName).toBe('SentinelForms-dev')
      const key = JSON.stringify(Template.fromStack(stack).findResources('AWS::KMS::Key'))
      expect(key).toContain(`:cloudwatch:${region}:123456789012:alarm:SentinelForms-dev-*`)
      const [dashboard] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'))
      expect(dashboard?.Properties.DashboardName).toBe('SentinelForms-dev')
    },
  )

  it('refuses SMS subscriptions in the China regions, where SNS sends no SMS, naming the way out', () => {
    for (const region of ['cn-north-1', 'cn-northwest-1']) {
      expect(() => stackWith({ alertPhones: ['+8613800000000'] }, { region })).toThrow(
        new RegExp(`alertPhones: Amazon SNS sends no SMS in ${region}.*ESCALATION_WEBHOOKS`),
      )
    }
    expect(() => stackWith({ alertPhones: ['+8613800000000'] }, { region: 'ap-east-1' })).not.toThrow()
  })

  it('passes AWS’s offline CloudFormation validator in us-east-1, cn-north-1 and cn-northwest-1, which would name a missing resource type', () => {
    const problems = (template: object, region: string) => {
      const file = join(mkdtempSync(join(tmpdir(), 'sentinel-cfn-')), 'template.json')
      writeFileSync(file, JSON.stringify(template))
      const partition = region.startsWith('cn-') ? 'aws-cn' : 'aws'
      const report = new cfnValidator.CompositeEngine().validateTemplate(new cfnValidator.TemplateFile(file), {
        pseudoParameterOverrides: { region, partition, urlSuffix: partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com' },
      }) as { diagnostics?: { severity: string; ruleId: string; message: string }[] }
      return (report.diagnostics ?? [])
        .filter((d) => d.severity === 'ERROR' || d.severity === 'FATAL')
        .map((d) => `${d.ruleId} ${d.message}`)
    }
    // With every optional resource (custom domain, SMS secret): a superset of the plain stack.
    for (const region of ['us-east-1', 'cn-north-1', 'cn-northwest-1']) {
      const { stack } = stackWith({ alertPhones: [], aliyunSms: true, ...customDomain(region) }, { region })
      expect(problems(Template.fromStack(stack).toJSON(), region), region).toEqual([])
    }
    // The validator is live: a resource type Beijing does not offer is named there, not in us-east-1.
    const { stack } = stackWith({ alertPhones: [] }, { region: 'cn-north-1' })
    new CfnResource(stack, 'NotInChina', { type: 'AWS::Bedrock::Agent', properties: { AgentName: 'x' } })
    const withBedrock = Template.fromStack(stack).toJSON()
    expect(problems(withBedrock, 'cn-north-1').join('\n')).toMatch(/Bedrock/)
    expect(problems(withBedrock, 'us-east-1').filter((p) => /Bedrock/.test(p) && /region/i.test(p))).toEqual([])
  }, 240_000) // three synths and four validations: 80 s on this busy machine

  it.each(['cn-north-1', 'cn-northwest-1'])(
    'deploys in %s with Alibaba Cloud SMS and a custom domain: ARNs of aws-cn, the SMS secret read by the alert function alone',
    (region) => {
      const { app, stack } = checked({ alertPhones: [], aliyunSms: true, ...customDomain(region) }, { region })

      expect(() => app.synth()).not.toThrow()
      const template = Template.fromStack(stack)
      template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
        DomainName: 'forms.example.cn',
        DomainNameConfigurations: [Match.objectLike({ CertificateArn: customDomain(region).certificateArn, EndpointType: 'REGIONAL' })],
      })
      template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1)
      template.resourceCountIs('AWS::SNS::Subscription', 2) // the e-mails only: no SMS there
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Description: Match.stringLikeRegexp('Alibaba Cloud SMS'),
        GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{}' }),
      })
      const [smsSecret] = Object.keys(
        template.findResources('AWS::SecretsManager::Secret', { Properties: { Description: Match.stringLikeRegexp('Alibaba') } }),
      )
      const alertsEnv = Object.values(template.findResources('AWS::Lambda::Function'))
        .map((f) => f.Properties.Environment.Variables as Record<string, unknown>)
        .filter((env) => 'ALIYUN_SMS_SECRET_ARN' in env)
      expect(alertsEnv).toHaveLength(1)
      expect(alertsEnv[0]).toMatchObject({ ALIYUN_SMS_SECRET_ARN: { Ref: smsSecret }, PUBLIC_URL: 'https://forms.example.cn' })
      for (const fn of functionIds) {
        const reads = JSON.stringify(statementsOf(template, fn)).includes(`"Ref":"${smsSecret}"`)
        expect(reads, fn).toBe(fn === 'Alerts')
      }
      // Every ARN the stack writes takes its partition from AWS::Partition (aws-cn there); none is spelled aws.
      const json = JSON.stringify(template.toJSON())
      expect(json).toContain(`"arn:",{"Ref":"AWS::Partition"},":cloudwatch:${region}:123456789012:alarm:`)
      expect(json).not.toMatch(/arn:aws:/)
      expect(json).toContain(`arn:aws-cn:acm:${region}:`)
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('sentinel:'))
      expect(warnings.map((w) => String(w.entry.data))).toEqual([])
    },
  )

  it('warns at synth in the China regions without a custom domain or SMS, and never elsewhere', () => {
    const warningsIn = (region: string) =>
      Annotations.fromStack(stackWith({ alertPhones: [] }, { region }).stack)
        .findWarning('*', Match.stringLikeRegexp('.*'))
        .map((w) => String(w.entry.data))
    for (const region of ['cn-north-1', 'cn-northwest-1']) {
      const said = warningsIn(region).join('\n')
      expect(said).toMatch(/no custom domain: .*ICP recordal.*-c domainName=/)
      expect(said).toMatch(/no SMS reaches phones .*-c aliyunSms=true/)
    }
    expect(warningsIn('us-east-1').join('\n')).not.toMatch(/custom domain|aliyunSms/)
  })

  it('takes a custom domain anywhere (cdk-nag clean in us-east-1), https://domainName the only address, and refuses a half or foreign one', () => {
    const template = Template.fromStack(stackWith(customDomain('us-east-1'), { region: 'us-east-1' }).stack)
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { DomainName: Match.anyValue(), Stage: Match.anyValue() })
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PUBLIC_URL: 'https://forms.example.cn' }) },
    })
    template.resourceCountIs('AWS::SecretsManager::Secret', 5) // no SMS secret unless asked for
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true })
    expect(
      Template.fromStack(stackWith().stack).findResources('AWS::ApiGatewayV2::Api', { Properties: { DisableExecuteApiEndpoint: true } }),
    ).toEqual({})
    const nagged = checked({ aliyunSms: true, ...customDomain('us-east-1') }, { region: 'us-east-1' })
    expect(() => nagged.app.synth()).not.toThrow()

    const context = (values: Record<string, string>) => () => deployConfigFrom((key) => values[key])
    expect(() => stackWith({ domainName: 'forms.example.cn' })).toThrow(/certificateArn: domainName and certificateArn go together/)
    expect(context({ domainName: 'Forms_Example' })).toThrow(/domainName: a lower-case host name/)
    expect(context({ aliyunSms: 'true' })().aliyunSms).toBe(true)
    expect(() => stackWith({ alertPhones: [], ...customDomain('us-east-1') }, { region: 'cn-north-1' })).toThrow(
      /certificateArn: a certificate of partition aws cannot serve cn-north-1/,
    )
    expect(() => stackWith({ alertPhones: [], ...customDomain('cn-northwest-1') }, { region: 'cn-north-1' })).toThrow(
      /certificateArn: the certificate must be in cn-north-1/,
    )
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
