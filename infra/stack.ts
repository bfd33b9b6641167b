// The AWS stack: the same product as `npm start`, on serverless services. The table's keys and
// indexes come from the definition the local server uses, so the two cannot drift apart.
import { Annotations, CfnOutput, type CfnResource, Duration, RemovalPolicy, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib'
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway'
import { ApiMapping, DomainName, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2'
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager'
import { Alarm, type AlarmProps, ComparisonOperator, Dashboard, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch'
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions'
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb'
import { Rule, Schedule } from 'aws-cdk-lib/aws-events'
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets'
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import { Key } from 'aws-cdk-lib/aws-kms'
import { EventSourceMapping, FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda'
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources'
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs'
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership, StorageClass } from 'aws-cdk-lib/aws-s3'
import { Secret } from 'aws-cdk-lib/aws-secretsmanager'
import { Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns'
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions'
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs'
import type { Construct } from 'constructs'
import { tableIndexes, tableKeys, ttlAttribute } from '../functions/commons/adapters/dynamo/table.ts'
import { DeployConfig, DeployConfigError } from './config.ts'
import { dashboardWidgets, sentinelMetric } from './dashboard.ts'
import { SentinelFunction } from './function.ts'

/** The table's logical id since the first deploy: never change it (see the constructor). */
export const TABLE_LOGICAL_ID = 'TableCD117FA1'

export interface SentinelStackProps extends StackProps {
  config?: Partial<DeployConfig>
}

/** The item-level calls every function makes on the table (its indexes included). */
const itemActions = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query']

/** Stream records that still carry an outbox mark (the attribute is the sparse index key). */
const markedFilter = (attribute: string) => FilterCriteria.filter({ dynamodb: { NewImage: { [attribute]: { S: FilterRule.exists() } } } })

/** The scheme and host of an address, which may be a deploy-time token (the HTTP API's endpoint is already an origin). */
const originOf = (url: string) => (Token.isUnresolved(url) ? url : new URL(url).origin)

/** Beijing and Ningxia (partition aws-cn); an environment-agnostic stack's region is unknown here. */
const isChinaRegion = (region: string) => !Token.isUnresolved(region) && region.startsWith('cn-')

export class SentinelStack extends Stack {
  readonly table: TableV2

  constructor(scope: Construct, id: string, props: SentinelStackProps = {}) {
    super(scope, id, props)
    const config = DeployConfig.parse(props.config ?? {})
    const logRetention = retentionDays(config.logRetentionDays)

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: tableKeys.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableKeys.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      // Office sessions and refusal counts end by themselves (adapters/dynamo/access.ts).
      timeToLiveAttribute: ttlAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
      globalSecondaryIndexes: Object.entries(tableIndexes).map(([indexName, index]) => ({
        indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      })),
    })
    // Pinned: the table is retained and holds every record; a refactor that moved it in the
    // construct tree would otherwise deploy a new, empty table and orphan the old one.
    ;(this.table.node.defaultChild as CfnResource).overrideLogicalId(TABLE_LOGICAL_ID)
    const table = this.table

    // ---- topics: the emergency group, and ops for alarms ---------------------------------
    // A customer-managed key: CloudWatch alarms cannot publish to a topic under the AWS-managed SNS key.
    const topicKey = new Key(this, 'TopicKey', {
      description: 'Sentinel Forms SNS topics (alerts carry contact details)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    })
    // CloudWatch publishes this stack's alarms to the ops topic: only for alarms of this account
    // and stack (the confused-deputy conditions CloudWatch supports on KMS requests).
    topicKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: { 'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:${this.stackName}-*` },
        },
      }),
    )
    const failures = new Queue(this, 'Failures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    })
    Validations.of(failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'this queue is itself the dead-letter queue (stream on-failure metadata, rule and async-invoke failures, SNS deliveries)',
    })
    Validations.of(failures).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'this queue is itself the dead-letter queue' })

    const alertTopic = new Topic(this, 'AlertTopic', {
      displayName: 'Sentinel Forms 应急告警',
      masterKey: topicKey,
      enforceSSL: true,
    })
    for (const email of config.alertEmails) alertTopic.addSubscription(new EmailSubscription(email, { deadLetterQueue: failures }))
    // Amazon SNS offers no SMS in the China regions (docs.amazonaws.cn, SNS feature availability):
    // refuse at synth rather than fail at deploy, or worse, deploy phones that never ring.
    if (config.alertPhones.length > 0 && isChinaRegion(this.region))
      throw new DeployConfigError(
        `alertPhones: Amazon SNS sends no SMS in ${this.region}; leave alertPhones empty there and escalate through the chat robots (ESCALATION_WEBHOOKS)`,
      )
    // sns.Subscription directly: CDK's SmsSubscription drops the dead-letter queue.
    config.alertPhones.forEach((phone, i) => {
      new Subscription(this, `AlertSms${i + 1}`, {
        topic: alertTopic,
        protocol: SubscriptionProtocol.SMS,
        endpoint: phone,
        deadLetterQueue: failures,
      })
    })
    const opsTopic = new Topic(this, 'OpsTopic', { displayName: 'Sentinel Forms ops alarms', masterKey: topicKey, enforceSSL: true })
    for (const email of config.opsEmails) opsTopic.addSubscription(new EmailSubscription(email, { deadLetterQueue: failures }))
    const alarmAction = new SnsAction(opsTopic)

    // ---- secrets: values are generated or put after the deploy, never in the template ----
    const adminToken = new Secret(this, 'AdminToken', {
      description: 'Sentinel Forms admin token (Authorization: Bearer …)',
      generateSecretString: { passwordLength: 40, excludePunctuation: true },
    })
    const linkKey = new Secret(this, 'LinkKey', {
      description: 'Sentinel Forms HMAC key of the signed links sent in reminders and alerts',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    })
    const ackKey = new Secret(this, 'AckKey', {
      description: 'Sentinel Forms HMAC key of the one-tap acknowledge links in emergency alerts',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    })
    // The sheet's credentials: the Feishu app secret when the sheet is in Feishu, else the Google key.
    const feishu = config.feishuSheetToken !== undefined
    const sheetKey = feishu
      ? new Secret(this, 'FeishuAppSecret', {
          description:
            'Sentinel Forms Feishu app secret (App Secret of the app FEISHU_APP_ID) for the leaders’ sheet: put it here after the deploy',
        })
      : new Secret(this, 'GoogleKey', {
          description: 'Sentinel Forms Google service-account key (JSON) for the leaders’ sheet: put the key file here after the deploy',
        })
    const webhooks = new Secret(this, 'Webhooks', {
      description:
        'Sentinel Forms chat webhooks, each a list type=url,…: {"ALERT_WEBHOOKS", "ESCALATION_WEBHOOKS", "OFFICE_WEBHOOKS", "LEADERS_WEBHOOKS", "APPROVER_WEBHOOKS"}',
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'unused' },
    })
    // Alibaba Cloud SMS, the SMS that reaches phones in mainland China (-c aliyunSms=true): the
    // office puts {"ALIYUN_SMS_ACCESS_KEY_ID", …} here after the deploy, as the local variables.
    const aliyunSms = config.aliyunSms
      ? new Secret(this, 'AliyunSms', {
          description:
            'Sentinel Forms Alibaba Cloud SMS: {"ALIYUN_SMS_ACCESS_KEY_ID", "ALIYUN_SMS_ACCESS_KEY_SECRET", "ALIYUN_SMS_SIGN_NAME", "ALIYUN_SMS_TEMPLATE_CODE", "ALIYUN_SMS_PHONES"}',
          generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'unused' },
        })
      : undefined
    if (isChinaRegion(this.region))
      Annotations.of(this).addInfo(
        `${this.region}: Lambda runtime release dates do not apply to the China regions (docs.amazonaws.cn, Lambda); the functions use Node.js 24 on arm64: if the deploy says nodejs24.x is not offered there yet, wait for it or set an earlier runtime in infra/function.ts (the handler tests then check that Node major)`,
      )
    if (!aliyunSms && isChinaRegion(this.region))
      Annotations.of(this).addWarningV2(
        'sentinel:noSmsInChina',
        `no SMS reaches phones from ${this.region} (SNS sends none there): add -c aliyunSms=true for Alibaba Cloud SMS, or rely on the chat robots`,
      )
    for (const secret of [adminToken, linkKey, ackKey, sheetKey, webhooks, ...(aliyunSms ? [aliyunSms] : [])]) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'rotated by the office (new value put; every function reads it within SECRETS_MAX_AGE_S): no rotation Lambda can rotate a Google key or a chat robot URL',
      })
    }

    // ---- functions ------------------------------------------------------------------------
    const common = {
      TABLE_NAME: table.tableName,
      ORG_TIMEZONE: config.timeZone,
      SECRETS_REVISION: config.secretsRevision,
    }
    const httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Sentinel Forms: unit pages, JSON API, admin API',
      createDefaultStage: false,
      // With a custom domain the execute-api address is switched off: one address for staff and
      // links, and none that bypasses the domain (in China it would serve nobody anyway).
      disableExecuteApiEndpoint: config.domainName !== undefined,
    })
    const publicUrl = config.publicUrl ?? (config.domainName ? `https://${config.domainName}` : httpApi.apiEndpoint)
    const withUrl = { ...common, PUBLIC_URL: publicUrl }
    const alertSettings = {
      ACK_KEY_SECRET_ARN: ackKey.secretArn,
      ESCALATE_MAX: String(config.escalateMax),
      UNIT_ALERT_LIMIT: String(config.unitAlertLimit),
      ACK_LINK_TTL_S: String(config.ackLinkTtlS),
      ALERT_LANG: config.alertLang,
      ...(config.escalateAfterS ? { ESCALATE_AFTER_S: String(config.escalateAfterS) } : {}),
    }

    const mirror = new SentinelFunction(this, 'Mirror', {
      name: 'mirror',
      description: `Mirrors the table to the leaders’ ${feishu ? 'Feishu' : 'Google'} sheet (stream, sweep, rebuild)`,
      memoryMiB: 512,
      timeout: Duration.minutes(5),
      environment: {
        ...withUrl,
        ...(config.feishuSheetToken
          ? {
              FEISHU_SHEET_TOKEN: config.feishuSheetToken,
              FEISHU_APP_ID: config.feishuAppId ?? '',
              FEISHU_SECRET_ARN: sheetKey.secretArn,
              ...(config.feishuApiUrl ? { FEISHU_API_URL: config.feishuApiUrl } : {}),
            }
          : { ...(config.sheetId ? { SHEET_ID: config.sheetId } : {}), GOOGLE_KEY_SECRET_ARN: sheetKey.secretArn }),
      },
      logRetention,
      alarmAction,
      failureQueue: failures,
    })
    if (!config.sheetId && !feishu) {
      Annotations.of(mirror).addWarningV2(
        'sentinel:noSheetId',
        'no sheetId (or feishuSheetToken) in the context: the mirror fails at start until it is set (-c sheetId=…)',
      )
    }
    // ---- photos: private, encrypted, TLS only; the pages post straight to it (presigned POST,
    // CORS for the app's origin alone) and only the API function reads it (web/photos.ts)
    const photos = new Bucket(this, 'Photos', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      cors: [{ allowedMethods: [HttpMethods.POST], allowedOrigins: [originOf(publicUrl)], allowedHeaders: ['*'], maxAge: 3600 }],
      lifecycleRules: [
        // Records keep their photos; what is cheaper after a month is the storage class, not the deletion.
        {
          id: 'photos-age',
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          transitions: [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
        },
      ],
    })
    Validations.of(photos).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'every read goes through the API function (office session or the unit’s own link), whose log records it; uploads are presigned per unit and key',
    })
    const webAppEnvironment = {
      ...withUrl,
      ADMIN_TOKEN_SECRET_ARN: adminToken.secretArn,
      LINK_KEY_SECRET_ARN: linkKey.secretArn,
      MIRROR_FUNCTION_NAME: mirror.fn.functionName,
      ...alertSettings,
    }
    const api = new SentinelFunction(this, 'Api', {
      name: 'api',
      description: 'Sentinel Forms web app and JSON API (Hono)',
      memoryMiB: 512,
      timeout: Duration.seconds(29),
      environment: { ...webAppEnvironment, PHOTO_BUCKET: photos.bucketName },
      logRetention,
      alarmAction,
    })
    // The same web app with the .xlsx library, for the forms page's two workbook routes only
    // (routes below): the API function's bundle, loaded at every cold start, stays small.
    const workbooks = new SentinelFunction(this, 'Workbooks', {
      name: 'workbooks',
      description: 'Sentinel Forms: the forms page’s Excel workbooks (download, upload and preview)',
      memoryMiB: 1024,
      timeout: Duration.seconds(29),
      environment: webAppEnvironment,
      logRetention,
      alarmAction,
    })
    const alerts = new SentinelFunction(this, 'Alerts', {
      name: 'alerts',
      description: 'Delivers emergency alerts (SNS, chat webhooks, Alibaba Cloud SMS) and escalates unacknowledged ones',
      memoryMiB: 256,
      // A burst on the API cannot take the concurrency alerts need.
      reservedConcurrency: config.alertsConcurrency,
      timeout: Duration.minutes(1),
      environment: {
        ...withUrl,
        ALERT_TOPIC_ARN: alertTopic.topicArn,
        WEBHOOKS_SECRET_ARN: webhooks.secretArn,
        ...(aliyunSms ? { ALIYUN_SMS_SECRET_ARN: aliyunSms.secretArn } : {}),
        MIRROR_FUNCTION_NAME: mirror.fn.functionName,
        ...alertSettings,
      },
      logRetention,
      alarmAction,
      failureQueue: failures,
    })
    const schedule = new SentinelFunction(this, 'Schedule', {
      name: 'schedule',
      description: 'Daily mechanism (reminders, summary) and information-release notices',
      memoryMiB: 256,
      timeout: Duration.minutes(2),
      environment: {
        ...withUrl,
        WEBHOOKS_SECRET_ARN: webhooks.secretArn,
        LINK_KEY_SECRET_ARN: linkKey.secretArn,
        REMINDER_LEAD_MIN: String(config.reminderLeadMinutes),
      },
      logRetention,
      alarmAction,
      failureQueue: failures,
    })

    // ---- grants (each function gets what it uses, nothing more) ----------------------------
    // The items calls the adapters make (functions/commons/adapters/dynamo/): a new kind of
    // call needs its action here. Only the mirror's rebuild scans; only the API deletes (an
    // office session at sign-out); nothing batches.
    const extraActions = new Map([
      [mirror, ['dynamodb:Scan']],
      [api, ['dynamodb:DeleteItem']],
      [workbooks, ['dynamodb:DeleteItem']],
    ])
    for (const f of [api, workbooks, mirror, alerts, schedule]) {
      table.grant(f.role, ...itemActions, ...(extraActions.get(f) ?? []))
      Validations.of(f.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(table.node.defaultChild as never)}.Arn>/index/*]`,
        reason: 'the app queries its own table’s indexes (outboxes, by day, idempotency keys); nothing outside this table',
      })
    }
    // PutObject signs the presigned POSTs; ListBucket makes a missing photo a 404 (NoSuchKey), not a 403.
    api.role.addToPolicy(new PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [photos.arnForObjects('*')] }))
    api.role.addToPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [photos.bucketArn] }))
    Validations.of(api.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(photos.node.defaultChild as never)}.Arn>/*]`,
      reason: 'the photos bucket’s objects: keys are random per upload (<unit>/<32 hex>), so no narrower resource exists',
    })
    for (const f of [api, workbooks]) {
      adminToken.grantRead(f.role)
      linkKey.grantRead(f.role)
    }
    for (const f of [api, workbooks, alerts]) {
      ackKey.grantRead(f.role)
      // Rebuild and refresh requests. The function itself, not its versions: grantInvoke would add "<arn>:*".
      f.role.addToPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [mirror.fn.functionArn] }))
    }
    webhooks.grantRead(alerts.role)
    aliyunSms?.grantRead(alerts.role)
    alertTopic.grantPublish(alerts.role)
    Validations.of(alerts.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'publishing to the encrypted alert topic: GenerateDataKey* on the topic key only (CDK grantPublish)',
    })
    sheetKey.grantRead(mirror.role)
    webhooks.grantRead(schedule.role)
    linkKey.grantRead(schedule.role)

    // ---- the HTTP API: stage throttling stands in for WAF, which cannot attach to an HTTP API
    const routes = [
      ...httpApi.addRoutes({ path: '/{proxy+}', integration: new HttpLambdaIntegration('App', api.fn) }),
      ...httpApi.addRoutes({ path: '/', integration: new HttpLambdaIntegration('Root', api.fn) }),
      ...httpApi.addRoutes({
        path: '/office/forms/{id}/workbook.xlsx',
        methods: [HttpMethod.GET],
        integration: new HttpLambdaIntegration('WorkbookDownload', workbooks.fn),
      }),
      ...httpApi.addRoutes({
        path: '/office/forms/preview',
        methods: [HttpMethod.POST],
        integration: new HttpLambdaIntegration('WorkbookUpload', workbooks.fn),
      }),
    ]
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY })
    const stage = new HttpStage(this, 'Stage', {
      httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.throttleRate, burstLimit: config.throttleBurst },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: accessLogFormat },
    })
    // A custom domain (regional, TLS 1.2): in Beijing and Ningxia the API's own endpoint does not
    // serve the public without ICP recordal, and every custom domain needs it (docs.amazonaws.cn).
    if ((config.domainName === undefined) !== (config.certificateArn === undefined))
      throw new DeployConfigError('certificateArn: domainName and certificateArn go together (the custom domain and its ACM certificate)')
    if (config.domainName && config.certificateArn) {
      const [, partition, , certRegion] = config.certificateArn.split(':')
      if (!Token.isUnresolved(this.region) && isChinaRegion(this.region) !== (partition === 'aws-cn'))
        throw new DeployConfigError(`certificateArn: a certificate of partition ${partition} cannot serve ${this.region}`)
      if (!Token.isUnresolved(this.region) && certRegion !== this.region)
        throw new DeployConfigError(`certificateArn: the certificate must be in ${this.region}, the API's region (got ${certRegion})`)
      const domain = new DomainName(this, 'Domain', {
        domainName: config.domainName,
        certificate: Certificate.fromCertificateArn(this, 'Certificate', config.certificateArn),
      })
      new ApiMapping(this, 'ApiMapping', { api: httpApi, domainName: domain, stage })
      new CfnOutput(this, 'DomainTarget', {
        value: domain.regionalDomainName,
        description: `CNAME ${config.domainName} to this (API Gateway's regional domain)`,
      })
    } else if (isChinaRegion(this.region)) {
      Annotations.of(this).addWarningV2(
        'sentinel:noCustomDomain',
        `no custom domain: in ${this.region} API Gateway's own endpoint does not serve the public without ICP recordal; add -c domainName=… -c certificateArn=… (docs/deploy-aws.md, "Mainland China")`,
      )
    }
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'the app authenticates itself: unit bearer tokens (hashed, constant-time) and the admin token; unit pages must open from a link on a phone',
      })
    }

    // ---- streams: bounded retries, bisect, partial failures, a dead-letter queue ------------
    const streamMapping = (id: string, target: SentinelFunction, attribute: string) => {
      table.grantStreamRead(target.role)
      return new EventSourceMapping(this, id, {
        target: target.fn,
        eventSourceArn: table.tableStreamArn,
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(2),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 5,
        maxRecordAge: Duration.hours(1),
        parallelizationFactor: 1,
        onFailure: new SqsDlq(failures),
        filters: [markedFilter(attribute)],
      })
    }
    streamMapping('MirrorStream', mirror, 'mirrorQ')
    streamMapping('AlertStream', alerts, 'alertQ')

    // ---- schedules: the sweep re-drives whatever is still marked ----------------------------
    const ruleTarget = (f: SentinelFunction) =>
      new LambdaFunction(f.fn, { deadLetterQueue: failures, retryAttempts: 2, maxEventAge: Duration.minutes(10) })
    new Rule(this, 'MirrorSweep', {
      description: 'Mirror sweep: re-drives marked records and refreshes the computed tabs',
      schedule: Schedule.rate(Duration.minutes(config.sweepMinutes)),
      targets: [ruleTarget(mirror)],
    })
    new Rule(this, 'AlertTick', {
      description: 'Alert retries and escalation of unacknowledged emergencies',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [ruleTarget(alerts)],
    })
    new Rule(this, 'DailyCycle', {
      description: 'Daily mechanism (reminders, summary) and information-release notices',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [ruleTarget(schedule)],
    })

    // ---- alarms: each notifies the ops topic when it fires and again when it clears ----------
    const alarm = (id: string, description: string, props: Omit<AlarmProps, 'alarmDescription'>) => {
      const made = new Alarm(this, id, {
        alarmDescription: `${description} (docs/deploy-aws.md, "Alarms")`,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        ...props,
      })
      made.addAlarmAction(alarmAction)
      made.addOkAction(alarmAction)
      return made
    }
    const atLeastOnce = { threshold: 1, evaluationPeriods: 1, comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD }
    const fiveMinutes = Duration.minutes(5)
    // Arrivals, not the queue's depth: a dead letter kept 14 days would hold a depth alarm in
    // ALARM and hide every later one. The age alarm is the reminder to redrive or purge.
    alarm('DeadLetters', 'Something was dead-lettered: a stream batch, a rule run, an async invoke or an SNS delivery gave up', {
      metric: failures.metricNumberOfMessagesSent({ period: fiveMinutes, statistic: 'Sum' }),
      ...atLeastOnce,
    })
    alarm('DeadLettersUnhandled', 'A dead letter has waited more than a day: redrive or purge the failures queue', {
      metric: failures.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(15), statistic: 'Maximum' }),
      threshold: 24 * 3600,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    })
    alarm('MirrorStreamLag', 'The mirror reads the table stream more than 5 minutes behind', {
      metric: mirror.fn.metric('IteratorAge', { period: fiveMinutes, statistic: 'Maximum' }),
      threshold: 5 * 60_000,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    })
    alarm('AlertStreamLag', 'The alert function reads the table stream more than 2 minutes behind: emergencies wait', {
      metric: alerts.fn.metric('IteratorAge', { period: fiveMinutes, statistic: 'Maximum' }),
      threshold: 2 * 60_000,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    })
    // Every sweep emits the lag, 0 when nothing waited; a drain that fails emits none, so
    // silence over two sweeps means the mirror is broken.
    alarm(
      'MirrorLag',
      'A submission took more than 10 minutes to reach the leaders’ sheet, or the mirror reported nothing for two sweeps',
      {
        metric: sentinelMetric('mirror', 'MirrorLagMs', Duration.minutes(Math.max(10, 2 * config.sweepMinutes)), 'Maximum'),
        threshold: 10 * 60_000,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.BREACHING,
      },
    )
    alarm('SheetWritesFailing', 'The leaders’ sheet refused or missed writes in two 5-minute periods running', {
      metric: sentinelMetric('mirror', 'SheetWriteFailures', fiveMinutes, 'Sum'),
      threshold: 1,
      evaluationPeriods: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    })
    alarm('AlertsGivenUp', 'An alert delivery was given up (a channel refused it or ran out of attempts)', {
      metric: sentinelMetric('alerts', 'AlertsGivenUp', fiveMinutes, 'Sum'),
      ...atLeastOnce,
    })
    alarm('AlertSnsFailing', 'SNS failed to deliver alert e-mails or SMS', {
      metric: alertTopic.metricNumberOfNotificationsFailed({ period: fiveMinutes, statistic: 'Sum' }),
      ...atLeastOnce,
    })
    alarm('NoticesFailing', 'Reminders or summaries failed to go out for 15 minutes: check the unit, office and leaders webhooks', {
      metric: sentinelMetric('schedule', 'NoticesFailed', fiveMinutes, 'Sum'),
      threshold: 1,
      evaluationPeriods: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    })
    alarm('Api5xx', 'The HTTP API answered 5 or more server errors in 5 minutes', {
      metric: httpApi.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    })
    if (config.opsEmails.length === 0) {
      Annotations.of(opsTopic).addWarningV2(
        'sentinel:noOpsEmails',
        'no opsEmails in the context: the alarms notify nobody until someone subscribes to the ops topic (-c opsEmails=…)',
      )
    }

    new Dashboard(this, 'Dashboard', {
      dashboardName: this.stackName,
      defaultInterval: Duration.days(1),
      widgets: dashboardWidgets({ httpApi, failures, alertTopic, functions: { api, workbooks, mirror, alerts, schedule } }),
    })

    new CfnOutput(this, 'Url', { value: publicUrl, description: 'the address staff and the office use' })
    new CfnOutput(this, 'AdminTokenSecret', {
      value: adminToken.secretName,
      description: 'aws secretsmanager get-secret-value --secret-id …',
    })
    new CfnOutput(this, feishu ? 'FeishuAppSecretName' : 'GoogleKeySecret', { value: sheetKey.secretName })
    new CfnOutput(this, 'WebhooksSecret', { value: webhooks.secretName })
    if (aliyunSms) new CfnOutput(this, 'AliyunSmsSecret', { value: aliyunSms.secretName })
    new CfnOutput(this, 'AlertTopicArn', { value: alertTopic.topicArn })
    new CfnOutput(this, 'FailuresQueueUrl', { value: failures.queueUrl })
  }
}

/**
 * JSON access logs with HTTP API variables. The route key, never the path: a unit's page path
 * carries its token, and logs must hold no credential.
 */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    method: '$context.httpMethod',
    route: '$context.routeKey',
    status: '$context.status',
    latencyMs: '$context.responseLatency',
    integrationError: '$context.integrationErrorMessage',
    userAgent: '$context.identity.userAgent',
  }),
)

function retentionDays(days: number): RetentionDays {
  const valid = Object.values(RetentionDays).filter((v): v is RetentionDays => typeof v === 'number')
  const found = valid.find((v) => v === days)
  if (found === undefined) throw new DeployConfigError(`logRetentionDays must be one of ${valid.join(', ')}`)
  return found
}
