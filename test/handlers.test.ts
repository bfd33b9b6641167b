// The Lambda entries, bundled exactly as CDK bundles them (infra/bundling.ts), invoked with real
// API Gateway v2 and DynamoDB stream event shapes (test/fixtures/) against dynalite. AWS services
// that cannot run here (Secrets Manager, Lambda Invoke) are small HTTP servers speaking their
// wire protocol to the real SDK clients.
import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { GetItemCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDynamoClients, type DynamoClients } from '#commons/dynamo/client.ts'
import { createDynamoStores } from '#commons/dynamo/stores.ts'
import { ensureTable } from '#commons/dynamo/table.ts'
import { loadForms } from '#commons/forms/registry.ts'
import type { Stores } from '#commons/store.ts'
import { addUnit } from '#commons/units.ts'
import { bundleCacheDir, buildBundle, type FunctionName } from '../infra/bundling.ts'
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../functions/local/embedded-dynamodb.ts'
import { healthReport, newKey } from './support/fixtures.ts'
import { fixedClock } from './support/harness.ts'
import { startSecretsServer, type SecretsServer } from './support/secrets-server.ts'

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
  const base = fixture('apigw-v2-event.json') as Record<string, unknown> & { headers: Record<string, string>; requestContext: { http: Record<string, string> } }
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

const lambdaContext = {
  functionName: 'SentinelForms-ApiFunction',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 29_000,
}

let dynamo: EmbeddedDynamo
let clients: DynamoClients
let stores: Stores
let secrets: SecretsServer
let unitToken: string
const bundles = new Map<FunctionName, string>()
let coldStarts = 0

const originalEnv = { ...process.env }

/**
 * Imports a bundle afresh with `env` as the function's environment (a new module instance is a
 * new cold start). The environment stays, as in a Lambda instance: clients read it lazily.
 */
async function coldStart(name: FunctionName, env: Record<string, string | undefined>): Promise<Handler> {
  process.env = { ...originalEnv }
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  const file = bundles.get(name) ?? (await buildBundle(name, join(bundleCacheDir, `test-${process.pid}-${name}.mjs`))).file
  bundles.set(name, file)
  const module = (await import(`${pathToFileURL(file).href}?cold=${++coldStarts}`)) as { handler: Handler }
  return module.handler
}

const awsEnv = () => ({
  AWS_REGION: 'ap-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
  TABLE_NAME: TABLE,
  ORG_TIMEZONE: 'Asia/Shanghai',
  PUBLIC_URL: 'https://abc123def4.execute-api.ap-east-1.amazonaws.com/',
})

beforeAll(async () => {
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
  secrets = await startSecretsServer({
    [SECRET('AdminToken')]: ADMIN_TOKEN,
    [SECRET('LinkKey')]: 'link-key-0123456789abcdefghijklmnopqrstuv',
  })
})

afterAll(async () => {
  process.env = originalEnv
  await Promise.all([...bundles.values()].map((file) => rm(file, { force: true })))
  clients.client.destroy()
  await dynamo.close()
  await secrets.close()
})

describe('the API function behind the HTTP API', () => {
  let handler: Handler
  const apiEnv = () => ({
    ...awsEnv(),
    ADMIN_TOKEN_SECRET_ARN: SECRET('AdminToken'),
    LINK_KEY_SECRET_ARN: SECRET('LinkKey'),
    MIRROR_FUNCTION_NAME: 'SentinelForms-MirrorFunction',
  })

  beforeAll(async () => {
    handler = await coldStart('api', apiEnv())
  })

  const call = async (event: unknown) => (await handler(event, lambdaContext)) as ApiResult

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

  it('reads each secret once per cold start, not per request', async () => {
    const before = secrets.reads.get(SECRET('AdminToken'))

    await call(apiEvent('GET', '/healthz'))
    await call(apiEvent('GET', '/api/status', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }))

    expect(before).toBeGreaterThanOrEqual(1)
    expect(secrets.reads.get(SECRET('AdminToken'))).toBe(before)
  })

  it('fails its cold start naming the variable that is missing', async () => {
    await expect(coldStart('api', { ...apiEnv(), TABLE_NAME: undefined })).rejects.toThrow(/TABLE_NAME/)
  })
})
