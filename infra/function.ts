// The house Lambda function: Node 24 on arm64, bundled by NodejsFunction with the local esbuild
// (never Docker), its own log group with retention, its own role with only what it is granted,
// no X-Ray (see below), Powertools' service name and namespace, and an errors and a throttles alarm
// that notify the ops topic when they fire and when they clear.
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib'
import { Alarm, ComparisonOperator, type IAlarmAction, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch'
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda'
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations'
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs'
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { IQueue } from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'
import { METRIC_NAMESPACE } from '../functions/commons/lambda/metrics.ts'
import { bundleSettings, externalModules, type FunctionName, functionEntries, injectsFor, repoRoot } from './bundling.ts'

export interface SentinelFunctionProps {
  name: FunctionName
  description: string
  memoryMiB: number
  timeout: Duration
  environment: Record<string, string>
  logRetention: RetentionDays
  /** what an alarm does when it fires and when it clears (notify the ops topic) */
  alarmAction: IAlarmAction
  /** concurrency kept for this function alone (and its ceiling); none when unset */
  reservedConcurrency?: number
  /** for functions invoked asynchronously (rules): where failed invocations go */
  failureQueue?: IQueue
}

export class SentinelFunction extends Construct {
  readonly fn: NodejsFunction
  readonly role: Role
  readonly logGroup: LogGroup

  constructor(scope: Construct, id: string, props: SentinelFunctionProps) {
    super(scope, id)
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY })
    // Our own role instead of the managed AWSLambdaBasicExecutionRole (logs on *): this
    // function writes to its own log group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Sentinel Forms ${props.name} function`,
    })
    this.role.addToPolicy(
      new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
    )
    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${repoRoot}/${functionEntries[props.name]}`,
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: `${repoRoot}/package-lock.json`,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMiB,
      ...(props.reservedConcurrency ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.TEXT,
      tracing: Tracing.DISABLED,
      environment: {
        ...props.environment,
        NODE_OPTIONS: '--no-deprecation',
        // Powertools: the logs' `service` and the metrics' `service` dimension the alarms select.
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        // Chinese text as UTF-8, not \uXXXX escapes (about 10% of the API bundle). Passed as an
        // esbuild argument: this CDK version ignores its own `charset` option.
        esbuildArgs: { '--charset': 'utf8' },
        target: bundleSettings.target,
        minify: bundleSettings.minify,
        sourceMap: false,
        banner: bundleSettings.banner,
        mainFields: [...bundleSettings.mainFields],
        define: bundleSettings.define(),
        externalModules,
        inject: injectsFor(props.name),
      },
    })
    Validations.of(this.fn).acknowledge({
      id: 'Serverless-LambdaTracing',
      reason:
        'no client is instrumented (Powertools Tracer pulls aws-xray-sdk-core into bundles at their size budget), so traces would hold only the invocation segment, which the REPORT log lines and the Duration/Errors metrics already give; off, the role needs no xray:* on Resource "*"',
    })

    if (props.failureQueue) {
      this.fn.configureAsyncInvoke({ onFailure: new SqsDestination(props.failureQueue), retryAttempts: 2, maxEventAge: Duration.hours(1) })
    }
    Validations.of(this.fn).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: props.failureQueue
        ? 'asynchronous failures go to an on-failure destination (the failures queue), which keeps the request and the error, unlike a DLQ'
        : 'invoked synchronously only (API Gateway, the API’s rebuild call): a DLQ would never receive anything',
    })

    for (const [metric, what] of [
      [this.fn.metricErrors({ period: Duration.minutes(5) }), 'Errors'],
      [this.fn.metricThrottles({ period: Duration.minutes(5) }), 'Throttles'],
    ] as const) {
      const alarm = new Alarm(this, `${what}Alarm`, {
        alarmDescription: `Sentinel Forms ${props.name} function: ${what.toLowerCase()} in the last 5 minutes (docs/deploy-aws.md, "Alarms")`,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      })
      alarm.addAlarmAction(props.alarmAction)
      alarm.addOkAction(props.alarmAction)
    }
  }
}
