// The servers the submit benchmark loads, in a process of their own (as `npm start` runs): our
// app and a bare Hono route doing one PutItem, both on the same embedded DynamoDB.
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { PutCommand } from '@aws-sdk/lib-dynamodb'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { createDynamoClients } from '#commons/adapters/dynamo/client.ts'
import { createDynamoStores } from '#commons/adapters/dynamo/stores.ts'
import { ensureTable } from '#commons/adapters/dynamo/table.ts'
import { systemClock } from '#commons/clock.ts'
import { loadForms } from '#commons/forms/registry.ts'
import { silentLogger } from '#commons/log.ts'
import { withUnitCache } from '#commons/units/cached-units.ts'
import { addUnit } from '#commons/units/roster.ts'
import { hashSecret } from '#commons/units/tokens.ts'
import { createApp } from '#commons/web/app.tsx'
import { startEmbeddedDynamo } from '../functions/local/embedded-dynamodb.ts'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
const UNITS = Number(process.env.BENCH_UNITS ?? 200)

const dynamo = await startEmbeddedDynamo()
const { client, doc } = createDynamoClients(dynamo.endpoint)
await ensureTable(client, 'bench')
const stores = withUnitCache(createDynamoStores(doc, 'bench'))
const forms = await loadForms()
const tokens: string[] = []
// Sixteen at a time: thousands of units are made in seconds.
for (let i = 0; i < UNITS; i += 16) {
  const batch = Array.from({ length: Math.min(16, UNITS - i) }, (_, j) => i + j)
  const made = await Promise.all(
    batch.map((n) =>
      addUnit(stores.units, forms, systemClock, { id: `unit-${n}`, name: `单位 ${n}`, forms: ['daily-health', 'emergency'] }),
    ),
  )
  tokens.push(...made.map((u) => u.token))
}
const app = createApp({
  forms,
  stores,
  clock: systemClock,
  timeZone: 'Asia/Shanghai',
  adminTokenHash: hashSecret(randomUUID()),
  linkKey: randomUUID(),
  publicUrl: 'http://bench',
  log: silentLogger,
  rebuildSheet: async () => ({ rows: 0 }),
})

// The baseline: what any form handler must at least do.
const baseline = new Hono()
baseline.post('/baseline', async (c) => {
  const body = await c.req.json<Record<string, unknown>>()
  await doc.send(new PutCommand({ TableName: 'bench', Item: { pk: `BASE#${randomUUID()}`, sk: 'V#1', values: body } }))
  return c.json({ ok: true }, 201)
})

const listen = (fetch: (r: Request) => Response | Promise<Response>) =>
  new Promise<number>((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port))
    void server
  })
const ours = await listen(app.fetch)
const base = await listen(baseline.fetch)
process.stdout.write(`${JSON.stringify({ ours: `http://127.0.0.1:${ours}`, baseline: `http://127.0.0.1:${base}`, tokens })}\n`)
