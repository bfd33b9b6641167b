// The Lambda entries, bundled exactly as CDK bundles them (infra/bundling.ts), invoked with real
// API Gateway v2 and DynamoDB stream event shapes (test/integration/fixtures/) against dynalite. AWS services
// that cannot run here (Secrets Manager, Lambda Invoke) are small HTTP servers speaking their
// wire protocol to the real SDK clients.
import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { GetItemCommand } from '@aws-sdk/client-dynamodb'
import { App } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDynamoClients, type DynamoClients } from '#commons/adapters/dynamo/client.ts'
import { createDynamoStores } from '#commons/adapters/dynamo/stores.ts'
import { ensureTable } from '#commons/adapters/dynamo/table.ts'
import { loadForms } from '#commons/forms/registry.ts'
import type { Stores } from '#commons/store.ts'
import { addUnit } from '#commons/units/roster.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../functions/local/embedded-dynamodb.ts'
import { buildBundle, bundleCacheDir, type FunctionName } from '../../infra/bundling.ts'
import type { DeployConfig } from '../../infra/config.ts'
import { SentinelStack } from '../../infra/stack.ts'
import { startAliyunSmsServer } from '../../testkit/aliyun-sms-server.ts'
import { startFeishuSheetsServer } from '../../testkit/feishu-sheets-server.ts'
import { emergencyRequest, healthReport, newKey } from '../../testkit/fixtures.ts'
import { fixedClock } from '../../testkit/harness.ts'
import { type LambdaServer, startLambdaServer } from '../../testkit/lambda-server.ts'
import { capturedJsonLines } from '../../testkit/log-capture.ts'
import { type S3Server, startS3Server } from '../../testkit/s3-server.ts'
import { type SecretsServer, startSecretsServer } from '../../testkit/secrets-server.ts'
import { type SheetsServer, startSheetsServer } from '../../testkit/sheets-server.ts'
import { type SnsServer, startSnsServer } from '../../testkit/sns-server.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../../testkit/webhook-receiver.ts'

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8'))

const ADMIN_TOKEN = 'aws-admin-token-0123456789abcdefghij'
const SECRET = (name: string) => `arn:aws:secretsmanager:ap-east-1:123456789012:secret:SentinelForms-${name}-AbCdEf`
const TABLE = 'sentinel-lambda-test'

interface ApiResult {
  statusCode: number
  headers: Record<string, string>
  body: string
  isBase64Encoded: boolean
}
type Handler = (event: unknown, context?: unknown) => Promise<unknown>

/** A variant of the real HTTP API event for one request. */
function apiEvent(method: string, path: string, options: { headers?: Record<string, string>; body?: unknown; query?: string } = {}) {
  const base = fixture('apigw-v2-event.json') as Record<string, unknown> & {
    headers: Record<string, string>
    requestContext: { http: Record<string, string> }
  }
  const body = options.body === undefined ? undefined : JSON.stringify(options.body)
  return {
    ...base,
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers: {
      ...base.headers,
      ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}),
      ...options.headers,
    },
    requestContext: { ...base.requestContext, http: { ...base.requestContext.http, method, path } },
    pathParameters: { proxy: path.slice(1) },
    ...(body ? { body, isBase64Encoded: false } : {}),
  }
}

/** The context Lambda passes a function, its remaining time counted from the deployed timeout. */
const contextFor = (name: FunctionName) => ({
  functionName: `SentinelForms-${name[0]?.toUpperCase()}${name.slice(1)}Function`,
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => deployed[name].timeoutS * 1000,
})

let dynamo: EmbeddedDynamo
let clients: DynamoClients
let stores: Stores
let secrets: SecretsServer
let sheets: SheetsServer
let lambdaServer: LambdaServer
let sns: SnsServer
let s3: S3Server
const PHOTO_BUCKET = 'sentinelforms-photos-test'
let receiver: WebhookReceiver
const ALERT_TOPIC_ARN = 'arn:aws:sns:ap-east-1:123456789012:SentinelForms-AlertTopic'
let unitToken: string
const bundles = new Map<FunctionName, string>()
let coldStarts = 0

const call = async (event: unknown) => (await (await coldStartOnce('api'))(event, contextFor('api'))) as ApiResult

/** Submits a form through the API function; returns the version stored. */
async function submit(formId: string, body: unknown): Promise<{ id: string; version: number }> {
  const result = await call(
    apiEvent('POST', `/api/forms/${formId}/submissions`, {
      headers: { authorization: `Bearer ${unitToken}`, 'idempotency-key': newKey() },
      body,
    }),
  )
  expect(result.statusCode).toBe(201)
  return JSON.parse(result.body) as { id: string; version: number }
}
const submitHealthReport = (overrides: Record<string, unknown> = {}) => submit('daily-health', healthReport(overrides))

let sequence = 4421584700000000017450439000n
/** The stream batch Lambda would deliver after these versions were written: the real record shape, the stored item as NewImage. */
async function streamBatchFor(versions: { id: string; version: number }[]) {
  const [insert] = (fixture('dynamodb-stream-event.json') as { Records: Record<string, unknown>[] }).Records
  const records = await Promise.all(
    versions.map(async ({ id, version }) => {
      const Key = { pk: { S: `REC#${id}` }, sk: { S: `V#${String(version).padStart(6, '0')}` } }
      const { Item } = await clients.client.send(new GetItemCommand({ TableName: TABLE, Key, ConsistentRead: true }))
      const dynamodb = (insert as { dynamodb: Record<string, unknown> }).dynamodb
      return { ...insert, dynamodb: { ...dynamodb, Keys: Key, NewImage: Item, SequenceNumber: String(++sequence) } }
    }),
  )
  return { Records: records }
}

const healthTab = '人员健康日报'

const originalEnv = { ...process.env }
const SHEET_ID = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'

const PUBLIC_URL = 'https://abc123def4.execute-api.ap-east-1.amazonaws.com'

/** What the synthesized template gives each function: its environment, memory and timeout. */
interface DeployedFunction {
  environment: Record<string, string>
  /** Lambda's runtime identifier, e.g. nodejs24.x */
  runtime: string
  memoryMiB: number
  timeoutS: number
}

/**
 * Each function as the stack deploys it, read from the synthesized template. References to the
 * stack's own resources become the names these tests serve them under; a reference this does
 * not know fails, so a new setting in infra/stack.ts cannot go untested.
 */
function deployedFunctions(config: Partial<DeployConfig> = { sheetId: SHEET_ID }): Record<FunctionName, DeployedFunction> {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } })
  const stack = new SentinelStack(app, 'SentinelForms', {
    env: { account: '123456789012', region: 'ap-east-1' },
    config: { ...config, publicUrl: PUBLIC_URL },
  })
  const served: [RegExp, string][] = [
    [/^AlertTopic[0-9A-F]{8}$/, ALERT_TOPIC_ARN],
    [/^Table[0-9A-F]{8}$/, TABLE],
    [/^MirrorFunction[0-9A-F]{8}$/, 'SentinelForms-MirrorFunction'],
    [/^Photos[0-9A-F]{8}$/, PHOTO_BUCKET],
  ]
  const resolve = (name: string, value: unknown): string => {
    if (typeof value === 'string') return value
    const ref = (value as { Ref?: string }).Ref ?? ''
    const secret = /^(AdminToken|LinkKey|AckKey|GoogleKey|FeishuAppSecret|Webhooks)[0-9A-F]{8}$/.exec(ref)?.[1]
    if (secret) return SECRET(secret)
    const known = served.find(([pattern]) => pattern.test(ref))
    if (!known) throw new Error(`${name}: the template sets ${JSON.stringify(value)}, which these tests do not serve`)
    return known[1]
  }
  const functions = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
  return Object.fromEntries(
    functions.map(([id, fn]) => {
      const name = id.match(/^(Api|Workbooks|Mirror|Alerts|Schedule)Function/)?.[1]?.toLowerCase() as FunctionName
      const variables = fn.Properties.Environment.Variables as Record<string, unknown>
      const environment = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, resolve(key, value)]))
      return [name, { environment, runtime: fn.Properties.Runtime, memoryMiB: fn.Properties.MemorySize, timeoutS: fn.Properties.Timeout }]
    }),
  ) as Record<FunctionName, DeployedFunction>
}
let deployed: Record<FunctionName, DeployedFunction>

/**
 * What Lambda and these tests add to every function's environment: the region, credentials,
 * and the AWS endpoints pointed at the local servers. It stays set, as in a Lambda instance:
 * the SDK clients read it lazily.
 */
const platformEnv = () => ({
  AWS_REGION: 'ap-east-1',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
  AWS_ENDPOINT_URL_LAMBDA: lambdaServer.url,
  AWS_ENDPOINT_URL_SNS: sns.url,
  // an IP address: the S3 client addresses the bucket path-style
  AWS_ENDPOINT_URL_S3: s3.url,
  // The Google Sheets API root: the Sheets test server (unset on AWS: Google's).
  SHEETS_API_URL: sheets.url,
})

/** Imports a bundle afresh (a new module instance is a new cold start) with its deployed environment, and `overrides`, during its init. */
async function coldStart(
  name: FunctionName,
  overrides: Record<string, string | undefined> = {},
  as: Record<FunctionName, DeployedFunction> = deployed,
): Promise<Handler> {
  const file = bundles.get(name) ?? (await buildBundle(name, join(bundleCacheDir, `test-${process.pid}-${name}.mjs`))).file
  bundles.set(name, file)
  const { environment, memoryMiB } = as[name]
  process.env = { ...originalEnv, ...platformEnv(), ...environment, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMiB) }
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  try {
    const module = (await import(`${pathToFileURL(file).href}?cold=${++coldStarts}`)) as { handler: Handler }
    return module.handler
  } finally {
    process.env = { ...originalEnv, ...platformEnv() }
  }
}

beforeAll(async () => {
  deployed = deployedFunctions()
  dynamo = await startEmbeddedDynamo()
  clients = createDynamoClients(dynamo.endpoint)
  await ensureTable(clients.client, TABLE)
  stores = createDynamoStores(clients.doc, TABLE)
  const forms = await loadForms()
  ;({ token: unitToken } = await addUnit(stores.units, forms, fixedClock(new Date().toISOString()), {
    id: 'east-park',
    name: '东园公园',
    type: 'park',
  }))
  sheets = await startSheetsServer({ spreadsheetId: SHEET_ID, tabs: ['Sheet1'] })
  sns = await startSnsServer()
  s3 = await startS3Server({ accessKeyId: 'test', secretAccessKey: 'test' })
  receiver = await startWebhookReceiver()
  secrets = await startSecretsServer({
    [SECRET('AdminToken')]: ADMIN_TOKEN,
    [SECRET('LinkKey')]: 'link-key-0123456789abcdefghijklmnopqrstuv',
    [SECRET('GoogleKey')]: JSON.stringify({ access_token: sheets.token }),
    [SECRET('AckKey')]: 'ack-key-0123456789abcdefghijklmnopqrstuvwx',
    [SECRET('Webhooks')]: JSON.stringify({ ALERT_WEBHOOKS: `json=${receiver.url}/hooks/sentinel` }),
  })
  // The API's rebuild and the refresh requests reach the mirror function through Lambda's Invoke API.
  lambdaServer = await startLambdaServer(async (_name, payload) => (await coldStartOnce('mirror'))(payload, contextFor('mirror')), {
    eventAnswerDelayMs: 50,
  })
  // The synth and dynalite's start take a few seconds, longer on a busy machine.
}, 120_000)

const warm = new Map<FunctionName, Promise<Handler>>()
/** One warm instance per function, as Lambda keeps it between invocations. */
const coldStartOnce = (name: FunctionName) => {
  let handler = warm.get(name)
  if (!handler) {
    handler = coldStart(name)
    warm.set(name, handler)
  }
  return handler
}

afterAll(async () => {
  process.env = originalEnv
  await Promise.all([...bundles.values()].map((file) => rm(file, { force: true })))
  clients.client.destroy()
  await dynamo.close()
  await Promise.all([secrets.close(), sheets.close(), lambdaServer.close(), sns.close(), receiver.close(), s3.close()])
})

describe('the functions as the stack deploys them', () => {
  it('start from the synthesized template’s environment, each with only its own secrets', () => {
    expect(Object.keys(deployed).sort()).toEqual(['alerts', 'api', 'mirror', 'schedule', 'workbooks'])
    const secretsOf = (name: FunctionName) =>
      Object.keys(deployed[name].environment)
        .filter((k) => k.endsWith('_SECRET_ARN'))
        .sort()
    expect(secretsOf('api')).toEqual(['ACK_KEY_SECRET_ARN', 'ADMIN_TOKEN_SECRET_ARN', 'LINK_KEY_SECRET_ARN'])
    expect(secretsOf('workbooks')).toEqual(secretsOf('api'))
    expect(secretsOf('mirror')).toEqual(['GOOGLE_KEY_SECRET_ARN'])
    expect(secretsOf('alerts')).toEqual(['ACK_KEY_SECRET_ARN', 'WEBHOOKS_SECRET_ARN'])
    expect(secretsOf('schedule')).toEqual(['LINK_KEY_SECRET_ARN', 'WEBHOOKS_SECRET_ARN'])
    for (const [name, fn] of Object.entries(deployed)) expect(fn.environment.POWERTOOLS_SERVICE_NAME).toBe(name)
  })

  it('leave a minute or more for the last batch: the mirror’s and alert worker’s drains keep that in reserve', () => {
    expect(deployed.mirror.timeoutS * 1000).toBeGreaterThan(60_000)
    expect(deployed.alerts.timeoutS * 1000).toBeGreaterThan(15_000)
    expect(deployed.api.timeoutS).toBeLessThanOrEqual(29)
  })

  // .ci/run runs this file again on the Node the functions run on (a binary from the npm registry)
  // and sets ON_LAMBDA_NODE; `npm test` runs it on whatever Node is installed.
  it.runIf(process.env.ON_LAMBDA_NODE)('run here on the Node major of the functions’ Lambda runtime', () => {
    const majors = new Set(Object.values(deployed).map((fn) => /^nodejs(\d+)\.x$/.exec(fn.runtime)?.[1]))
    console.info(`handler tests on Node ${process.version}; the functions run on ${[...majors].map((m) => `nodejs${m}.x`).join(', ')}`)
    expect([...majors]).toEqual([process.versions.node.split('.')[0]])
  })
})

describe('the API function behind the HTTP API', () => {
  let _handler: Handler

  beforeAll(async () => {
    _handler = await coldStartOnce('api')
  })

  it('stores a unit’s report sent through API Gateway and answers 201, marked for the mirror', async () => {
    const key = newKey()

    const result = await call(
      apiEvent('POST', '/api/forms/daily-health/submissions', {
        headers: { authorization: `Bearer ${unitToken}`, 'idempotency-key': key },
        body: healthReport(),
      }),
    )

    expect(result.statusCode).toBe(201)
    const created = JSON.parse(result.body) as { id: string; version: number; formId: string; unitId: string }
    expect(created).toMatchObject({ formId: 'daily-health', unitId: 'east-park', version: 1 })
    const item = await clients.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `REC#${created.id}` }, sk: { S: 'V#000001' } }, ConsistentRead: true }),
    )
    expect(item.Item?.mirrorQ).toEqual({ S: 'mirror' })
  })

  it('answers a retry with the same Idempotency-Key with 200 and the same body', async () => {
    const request = apiEvent('POST', '/api/forms/daily-health/submissions', {
      headers: { authorization: `Bearer ${unitToken}`, 'idempotency-key': newKey() },
      body: healthReport({ onDuty: 31 }),
    })
    const first = await call(request)

    const again = await call(request)

    expect(first.statusCode).toBe(201)
    expect(again.statusCode).toBe(200)
    expect(JSON.parse(again.body)).toEqual(JSON.parse(first.body))
  })

  it('refuses a bad unit token with 401 and a bad body with 422, never a 5xx', async () => {
    const badToken = await call(
      apiEvent('POST', '/api/forms/daily-health/submissions', {
        headers: { authorization: 'Bearer east-park.wrongwrongwrongwrong', 'idempotency-key': newKey() },
        body: healthReport(),
      }),
    )
    const badBody = await call(
      apiEvent('POST', '/api/forms/daily-health/submissions', {
        headers: { authorization: `Bearer ${unitToken}`, 'idempotency-key': newKey() },
        body: healthReport({ staffTotal: -1 }),
      }),
    )

    expect(badToken.statusCode).toBe(401)
    expect(badBody.statusCode).toBe(422)
  })

  it('takes the admin token from Secrets Manager', async () => {
    const wrong = await call(apiEvent('GET', '/api/status', { headers: { authorization: 'Bearer not-the-admin-token-at-all' } }))

    const right = await call(apiEvent('GET', '/api/status', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }))

    expect(wrong.statusCode).toBe(401)
    expect(right.statusCode).toBe(200)
    expect(JSON.parse(right.body)).toHaveProperty('forms')
  })

  it('serves the unit’s page as HTML with the forms baked into the bundle', async () => {
    const result = await call(apiEvent('GET', `/u/${unitToken}`, { headers: { accept: 'text/html' } }))

    expect(result.statusCode).toBe(200)
    expect(result.headers['content-type']).toMatch(/text\/html/)
    expect(result.isBase64Encoded).toBe(false)
    expect(result.body).toContain('人员健康日报')
    expect(result.body).toContain('野生动物')
  })

  it('serves the pages’ script from the bundle, built at synth time (no esbuild in a Lambda)', async () => {
    const page = await call(apiEvent('GET', `/u/${unitToken}`, { headers: { accept: 'text/html' } }))
    const src = /<script[^>]+src="(\/assets\/app-[0-9a-f]+\.js)"/.exec(page.body)?.[1]

    const script = await call(apiEvent('GET', src ?? '/assets/missing.js'))

    expect(src).toBeDefined()
    expect(script.statusCode).toBe(200)
    expect(script.headers['content-type']).toMatch(/javascript/)
    expect(script.body.length).toBeGreaterThan(100)
  })

  it('reads each secret once per maximum age (5 minutes), not per request', async () => {
    const before = secrets.reads.get(SECRET('AdminToken'))

    await call(apiEvent('GET', '/healthz'))
    await call(apiEvent('GET', '/api/status', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }))

    expect(before).toBeGreaterThanOrEqual(1)
    expect(secrets.reads.get(SECRET('AdminToken'))).toBe(before)
  })

  it('takes a rotated admin token once the value it read is older than the maximum age, without a deploy', async () => {
    const api = await coldStart('api', { SECRETS_MAX_AGE_S: '0' })
    const status = (token: string) =>
      api(apiEvent('GET', '/api/status', { headers: { authorization: `Bearer ${token}` } }), contextFor('api')) as Promise<ApiResult>
    const rotated = 'aws-admin-token-rotated-0123456789abcdef'
    expect((await status(ADMIN_TOKEN)).statusCode).toBe(200)

    secrets.put(SECRET('AdminToken'), rotated)
    try {
      expect((await status(rotated)).statusCode).toBe(200)
      expect((await status(ADMIN_TOKEN)).statusCode).toBe(401)
    } finally {
      secrets.put(SECRET('AdminToken'), ADMIN_TOKEN)
    }
  })

  it('fails its cold start naming the variable that is missing', async () => {
    await expect(coldStart('api', { TABLE_NAME: undefined })).rejects.toThrow(/TABLE_NAME/)
  })
})

describe('the workbook function behind the forms page’s two workbook routes', () => {
  it('sends the office a form as an .xlsx workbook, which the API function, without the library, does not serve', async () => {
    const download = apiEvent('GET', '/office/forms/daily-health/workbook.xlsx', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    const workbook = (await (await coldStartOnce('workbooks'))(download, contextFor('workbooks'))) as ApiResult

    expect(workbook.statusCode).toBe(200)
    expect(workbook.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(workbook.isBase64Encoded).toBe(true)
    expect(Buffer.from(workbook.body, 'base64').subarray(0, 2).toString()).toBe('PK') // a zip, as every .xlsx
    expect((await call(download)).statusCode).toBe(404)
  })
})

describe('the mirror function on the table stream', () => {
  it('writes to a Feishu sheet when the stack is deployed with one, its app secret read from Secrets Manager', async () => {
    const feishu = await startFeishuSheetsServer({ tabs: ['Sheet1'] })
    try {
      const FEISHU_TOKEN = feishu.spreadsheetToken
      const asFeishu = deployedFunctions({ feishuSheetToken: FEISHU_TOKEN, feishuAppId: feishu.appId })
      expect(asFeishu.mirror.environment).toMatchObject({ FEISHU_SHEET_TOKEN: FEISHU_TOKEN, FEISHU_SECRET_ARN: SECRET('FeishuAppSecret') })
      secrets.put(SECRET('FeishuAppSecret'), `${feishu.appSecret}\n`)
      const stored = await submitHealthReport({ onDuty: 27 })
      const mirror = await coldStart('mirror', { FEISHU_API_URL: feishu.url }, asFeishu)

      const result = await mirror(await streamBatchFor([stored]), contextFor('mirror'))

      expect(result).toEqual({ batchItemFailures: [] })
      expect(feishu.values(healthTab).some((row) => row.includes('东园公园') && row.includes(27))).toBe(true)
      expect(feishu.tokensIssued()).toBe(1)
    } finally {
      await feishu.close()
    }
  }, 120_000)

  it('writes a stored report to the leaders’ sheet when the stream delivers it, reporting no failures', async () => {
    const stored = await submitHealthReport({ onDuty: 29 })
    const mirror = await coldStartOnce('mirror')

    const result = await mirror(await streamBatchFor([stored]), contextFor('mirror'))

    expect(result).toEqual({ batchItemFailures: [] })
    const rows = sheets.values(healthTab)
    expect(rows.some((row) => row.includes('东园公园') && row.includes(29))).toBe(true)
    const [pending] = await Promise.all([stores.records.pendingMirror(10)])
    expect(pending).toEqual([])
  })

  it('reports the batch’s records as failed when the sheet refuses, and keeps their marks for the sweep', async () => {
    const stored = await submitHealthReport({ onDuty: 28 })
    const mirror = await coldStartOnce('mirror')
    const batch = await streamBatchFor([stored])
    // 403: the sheet is not shared with the service account; the sink does not retry it.
    sheets.failNext(1, { status: 403 })

    const result = (await mirror(batch, contextFor('mirror'))) as { batchItemFailures: { itemIdentifier: string }[] }

    const sequenceNumber = (batch.Records[0] as { dynamodb: { SequenceNumber: string } }).dynamodb.SequenceNumber
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumber }])
    expect((await stores.records.pendingMirror(10)).map((v) => [v.recordId, v.version])).toEqual([[stored.id, stored.version]])
  })

  it('writes what is still marked on the scheduled sweep, and refreshes the overview', async () => {
    const mirror = await coldStartOnce('mirror')
    const scheduled = {
      version: '0',
      id: 'cdc73f9d-aea9-11e3-9d5a-835b769c0d9c',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: '2026-11-28T02:05:00Z',
      resources: [],
      detail: {},
    }

    await mirror(scheduled, contextFor('mirror'))

    expect(await stores.records.pendingMirror(10)).toEqual([])
    expect(sheets.values(healthTab).filter((row) => row.includes(28))).toHaveLength(1)
    expect(sheets.tabs().map((t) => t.title)).toContain('概览')
  })

  it('does nothing for stream records without a mirror mark (the mark’s own removal)', async () => {
    const mirror = await coldStartOnce('mirror')
    const [, modify] = (fixture('dynamodb-stream-event.json') as { Records: unknown[] }).Records
    const before = sheets.requests.length

    const result = await mirror({ Records: [modify] }, contextFor('mirror'))

    expect(result).toEqual({ batchItemFailures: [] })
    expect(sheets.requests.length).toBe(before)
  })

  it('rebuilds the sheet when the admin asks the API, through Lambda’s Invoke API', async () => {
    sheets.editByHand(healthTab, 2, ['hand-edited'])

    const result = await call(apiEvent('POST', '/api/admin/sheet/rebuild', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }))

    expect(result.statusCode).toBe(200)
    expect((JSON.parse(result.body) as { rows: number }).rows).toBeGreaterThanOrEqual(1)
    expect(sheets.values(healthTab).flat()).not.toContain('hand-edited')
  })
})

describe('the alert function on the table stream', () => {
  it('alerts the emergency group by SNS and webhook when the stream delivers an emergency request', async () => {
    const stored = await submit('emergency', emergencyRequest({ severity: 'critical', description: '发现发热人员' }))
    const alerts = await coldStartOnce('alerts')
    const batch = await streamBatchFor([stored])

    const invokedBefore = lambdaServer.invocations.length
    let result: unknown
    const logged = await capturedJsonLines(async () => {
      result = await alerts(batch, contextFor('alerts'))
    })
    // The emergency is new, so the sheet's 应急 tab is refreshed: the request has left (and been
    // answered) before the handler returned, or a frozen instance might never send it.
    const refreshes = lambdaServer.invocations.slice(invokedBefore).map(({ type, payload, answered }) => ({ type, payload, answered }))

    expect(result).toEqual({ batchItemFailures: [] })
    expect(refreshes).toEqual([{ type: 'Event', payload: { action: 'refresh' }, answered: true }])
    const [hook] = await receiver.waitFor(1)
    expect(hook?.path).toBe('/hooks/sentinel')
    expect(hook?.body).toMatchObject({ formId: 'emergency', unitId: 'east-park', severity: 'critical', escalation: 0 })
    expect(sns.published).toHaveLength(1)
    expect(sns.published[0]).toMatchObject({ TopicArn: ALERT_TOPIC_ARN, MessageStructure: 'json' })
    const perProtocol = JSON.parse(String(sns.published[0]?.Message)) as { default: string; email: string; sms: string }
    expect(perProtocol.email).toContain('发现发热人员')
    expect(perProtocol.email).toContain('联系')
    // The SMS is one short text that still carries the acknowledge link.
    expect(Array.from(perProtocol.sms).length).toBeLessThanOrEqual(200)
    expect(perProtocol.sms).toMatch(/^【特急】应急告警/)
    expect(perProtocol.sms).toMatch(/确认 https:\/\/\S+\/ack\/\S+$/)
    // Its log: Powertools JSON with the request id, the alert as its id only; the metrics as EMF.
    const outbox = logged.filter((line) => line.message === 'alert')
    expect(outbox).toEqual([
      expect.objectContaining({ service: 'alerts', function_request_id: contextFor('alerts').awsRequestId, id: expect.any(String) }),
    ])
    expect(logged).toContainEqual(expect.objectContaining({ service: 'alerts', AlertsDelivered: 3, AlertsGivenUp: 0 }))
    expect(JSON.stringify(logged)).not.toMatch(/发现发热人员|联系|\/ack\//)
  })

  it('sends nothing twice when the minute rule runs after the stream', async () => {
    const alerts = await coldStartOnce('alerts')
    const before = { hooks: receiver.requests.length, sns: sns.published.length }

    await alerts(
      { version: '0', 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-11-28T02:06:00Z', resources: [], detail: {} },
      contextFor('alerts'),
    )

    expect(receiver.requests.length).toBe(before.hooks)
    expect(sns.published.length).toBe(before.sns)
  })
})

describe('the alert function with Alibaba Cloud SMS (the stack with -c aliyunSms=true)', () => {
  it('reads the AliyunSms secret and sends the emergency as one signed SendSms; a bad secret value stops its start naming the variable', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an SMS template's ${…} variables, as Alibaba Cloud writes them
    const template = '应急告警（${severity}）：${unit}报告${category}：${summary}。请打开应急看板确认'
    const aliyun = await startAliyunSmsServer({
      accessKeys: { LTAI5tHandlerTest01: 'HandlerTestSecret0123456789abc' },
      signName: '城区应急办',
      templates: { SMS_465500123: template },
    })
    const smsSecret = SECRET('AliyunSms')
    const value = {
      ALIYUN_SMS_ACCESS_KEY_ID: 'LTAI5tHandlerTest01',
      ALIYUN_SMS_ACCESS_KEY_SECRET: 'HandlerTestSecret0123456789abc',
      ALIYUN_SMS_SIGN_NAME: '城区应急办',
      ALIYUN_SMS_TEMPLATE_CODE: 'SMS_465500123',
      ALIYUN_SMS_PHONES: '13800001111',
      ALIYUN_SMS_API_URL: aliyun.url,
    }
    try {
      secrets.put(smsSecret, JSON.stringify(value))
      const stored = await submit('emergency', emergencyRequest({ severity: 'critical', description: '短信告警' }))
      const alerts = await coldStart('alerts', { ALIYUN_SMS_SECRET_ARN: smsSecret })

      const result = await alerts(await streamBatchFor([stored]), contextFor('alerts'))

      expect(result).toEqual({ batchItemFailures: [] })
      expect(aliyun.sent).toHaveLength(1)
      expect(aliyun.sent[0]).toMatchObject({ phoneNumbers: ['13800001111'], templateParam: { severity: '特急', unit: '东园公园' } })
      secrets.put(smsSecret, JSON.stringify({ ...value, ALIYUN_SMS_PHONES: '' }))
      await expect(coldStart('alerts', { ALIYUN_SMS_SECRET_ARN: smsSecret })).rejects.toThrow(
        /ALIYUN_SMS_PHONES: required with the other ALIYUN_SMS_\* variables/,
      )
    } finally {
      secrets.remove(smsSecret)
      await aliyun.close()
    }
  })
})

describe('the schedule function on its EventBridge rule', () => {
  it('runs the daily cycle and answers the scheduled event without failing', async () => {
    const schedule = await coldStartOnce('schedule')
    const scheduled = {
      version: '0',
      id: 'cdc73f9d-aea9-11e3-9d5a-835b769c0d9d',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: '2026-11-28T02:05:00Z',
      resources: [],
      detail: {},
    }

    await expect(schedule(scheduled, contextFor('schedule'))).resolves.toBeUndefined()
  })

  it('fails its cold start naming the secret when the webhooks secret is not JSON', async () => {
    await expect(coldStart('schedule', { WEBHOOKS_SECRET_ARN: SECRET('AdminToken') })).rejects.toThrow(/is not JSON/)
  })

  // Last: its emergency would be one more for the alert tests above.
  it('gives an upload slot on the bucket, takes the photo there, and stores and shows a report naming it', async () => {
    const slotAnswer = await call(
      apiEvent('POST', '/api/uploads', {
        headers: { authorization: `Bearer ${unitToken}` },
        body: { contentType: 'image/jpeg', size: 64 },
      }),
    )
    expect(slotAnswer.statusCode).toBe(201)
    const slot = JSON.parse(slotAnswer.body) as { key: string; url: string; fields: Record<string, string> }
    expect(slot.url).toBe(`${s3.url}/${PHOTO_BUCKET}`)
    const photo = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...new Array(60).fill(1)])
    const form = new FormData()
    for (const [name, value] of Object.entries(slot.fields)) form.append(name, value)
    form.append('file', new Blob([photo]), 'photo.jpg')
    expect((await fetch(slot.url, { method: 'POST', body: form })).status).toBe(204)
    await submit('emergency', emergencyRequest({ photos: [slot.key] }))
    const shown = await call(apiEvent('GET', `/photos/${slot.key}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }))
    expect(shown.statusCode).toBe(200)
    expect(shown.headers['content-type']).toBe('image/jpeg')
    expect(Buffer.from(shown.body, shown.isBase64Encoded ? 'base64' : 'utf8')).toEqual(Buffer.from(photo))
  })
})
