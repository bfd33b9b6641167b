// `npx tsx bench/bundles.ts`: each Lambda function bundled as CDK bundles it (infra/bundling.ts),
// its minified size against the budget, and a cold-start proxy: a fresh Node process loads the
// bundle (init: config, secrets, forms) and serves one first request against local servers
// (dynalite, the Secrets Manager and Sheets test servers). Numbers are printed, not asserted.
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { createDynamoClients } from '#commons/adapters/dynamo/client.ts'
import { createDynamoStores } from '#commons/adapters/dynamo/stores.ts'
import { ensureTable } from '#commons/adapters/dynamo/table.ts'
import { systemClock } from '#commons/clock.ts'
import { loadForms } from '#commons/forms/registry.ts'
import { addUnit } from '#commons/units/roster.ts'
import { startEmbeddedDynamo } from '../functions/local/embedded-dynamodb.ts'
import { buildBundle, bundleCacheDir, esbuildOptions, type FunctionName, functionEntries } from '../infra/bundling.ts'
import { startSecretsServer } from '../testkit/secrets-server.ts'
import { startSheetsServer } from '../testkit/sheets-server.ts'
import { report } from './report.ts'

const KB = 1024
const budgets: Partial<Record<FunctionName, number>> = { api: 600 * KB, mirror: 1024 * KB }
const RUNS = 3
const TABLE = 'sentinel-bench'
const SHEET_ID = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'
const arn = (name: string) => `arn:aws:secretsmanager:ap-east-1:123456789012:secret:SentinelForms-${name}-AbCdEf`

const run = promisify(execFile)

class BenchError extends Error {
  override name = 'BenchError'
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN

export async function benchBundles(): Promise<void> {
  // This machine runs Node 20; the functions run on Node 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  mkdirSync(bundleCacheDir, { recursive: true })
  const dynamo = await startEmbeddedDynamo()
  const { client, doc } = createDynamoClients(dynamo.endpoint)
  await ensureTable(client, TABLE)
  const stores = createDynamoStores(doc, TABLE)
  const { token } = await addUnit(stores.units, await loadForms(), systemClock, { id: 'bench-unit', name: '基准单位', type: 'park' })
  const sheets = await startSheetsServer({ spreadsheetId: SHEET_ID })
  const secrets = await startSecretsServer({
    [arn('AdminToken')]: 'bench-admin-token-0123456789abcdef',
    [arn('LinkKey')]: 'bench-link-key-0123456789abcdefghijklmnop',
    [arn('AckKey')]: 'bench-ack-key-0123456789abcdefghijklmnopq',
    [arn('GoogleKey')]: JSON.stringify({ access_token: sheets.token }),
    [arn('Webhooks')]: '{}',
  })
  const env = {
    ...process.env,
    AWS_REGION: 'ap-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    TABLE_NAME: TABLE,
    PUBLIC_URL: 'https://bench.example.org',
    ADMIN_TOKEN_SECRET_ARN: arn('AdminToken'),
    LINK_KEY_SECRET_ARN: arn('LinkKey'),
    ACK_KEY_SECRET_ARN: arn('AckKey'),
    ALERT_TOPIC_ARN: 'arn:aws:sns:ap-east-1:123456789012:bench-alerts',
    GOOGLE_KEY_SECRET_ARN: arn('GoogleKey'),
    WEBHOOKS_SECRET_ARN: arn('Webhooks'),
    MIRROR_FUNCTION_NAME: 'bench-mirror',
    SHEET_ID,
    SHEETS_API_URL: sheets.url,
  }
  const scheduled = {
    version: '0',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    time: new Date().toISOString(),
    resources: [],
    detail: {},
  }
  const firstRequest: Record<FunctionName, unknown> = {
    api: {
      version: '2.0',
      routeKey: 'ANY /{proxy+}',
      rawPath: '/api/forms',
      rawQueryString: '',
      headers: { host: 'bench.example.org', authorization: `Bearer ${token}`, accept: 'application/json' },
      requestContext: {
        http: { method: 'GET', path: '/api/forms', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'bench' },
        stage: '$default',
        requestId: 'bench',
        routeKey: 'ANY /{proxy+}',
      },
      isBase64Encoded: false,
    },
    workbooks: {
      version: '2.0',
      routeKey: 'GET /office/forms/{id}/workbook.xlsx',
      rawPath: '/office/forms/daily-health/workbook.xlsx',
      rawQueryString: '',
      headers: { host: 'bench.example.org', authorization: 'Bearer bench-admin-token-0123456789abcdef' },
      requestContext: {
        http: {
          method: 'GET',
          path: '/office/forms/daily-health/workbook.xlsx',
          protocol: 'HTTP/1.1',
          sourceIp: '203.0.113.7',
          userAgent: 'bench',
        },
        stage: '$default',
        requestId: 'bench',
        routeKey: 'GET /office/forms/{id}/workbook.xlsx',
      },
      isBase64Encoded: false,
    },
    mirror: scheduled,
    alerts: scheduled,
    schedule: scheduled,
  }
  const runner = join(bundleCacheDir, 'cold-start-runner.mjs')
  writeFileSync(
    runner,
    `const t0 = performance.now()
const { handler } = await import(process.argv[2])
const t1 = performance.now()
await handler(JSON.parse(process.argv[3]), { getRemainingTimeInMillis: () => 60000 })
const t2 = performance.now()
console.log(JSON.stringify({ initMs: t1 - t0, firstMs: t2 - t1 }))
`,
  )

  const results: Record<string, unknown>[] = []
  console.log(
    'function  minified  +SDK bundled  budget    init (load+config+secrets)  first request   process total   (median of %d)',
    RUNS,
  )
  try {
    for (const name of Object.keys(functionEntries) as FunctionName[]) {
      const { file, bytes } = await buildBundle(name)
      const withSdk = await build({ ...esbuildOptions(name, join(bundleCacheDir, `${name}-with-sdk.mjs`)), external: [], write: false })
      const sdkBytes = withSdk.outputFiles[0]?.contents.byteLength ?? NaN
      const init: number[] = []
      const first: number[] = []
      const total: number[] = []
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now()
        // Asynchronous: the local servers answering the child live in this process.
        const child = await run(process.execPath, [runner, pathToFileURL(file).href, JSON.stringify(firstRequest[name])], {
          env,
          timeout: 60_000,
        })
        total.push(performance.now() - started)
        const line = child.stdout.trim().split('\n').at(-1) ?? ''
        if (!line.startsWith('{"initMs"')) throw new BenchError(`${name} cold start printed no timing: ${child.stderr.slice(0, 1000)}`)
        const timing = JSON.parse(line) as { initMs: number; firstMs: number }
        init.push(timing.initMs)
        first.push(timing.firstMs)
      }
      const budget = budgets[name]
      const verdict = budget === undefined ? '—' : bytes <= budget ? `≤ ${budget / KB} KB ok` : `> ${budget / KB} KB OVER`
      if (budget !== undefined && bytes > budget) process.exitCode = 1
      results.push({
        function: name,
        minifiedBytes: bytes,
        withSdkBytes: sdkBytes,
        budgetBytes: budget ?? null,
        initMs: median(init),
        firstRequestMs: median(first),
        processMs: median(total),
      })
      console.log(
        `${name.padEnd(9)} ${`${(bytes / KB).toFixed(0)} KB`.padStart(8)}  ${`${(sdkBytes / KB).toFixed(0)} KB`.padStart(12)}  ${verdict.padEnd(12)}  ${`${median(init).toFixed(0)} ms`.padStart(26)}  ${`${median(first).toFixed(0)} ms`.padStart(13)}  ${`${median(total).toFixed(0)} ms`.padStart(14)}`,
      )
    }
    await report('bundles', results)
  } finally {
    client.destroy()
    await Promise.all([dynamo.close(), secrets.close(), sheets.close()])
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchBundles()
