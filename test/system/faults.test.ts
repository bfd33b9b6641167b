// Fault injection, end to end: the local system as `npm start` wires it (workers on, real HTTP),
// with the Sheets test server failing and over quota, one of two webhook receivers failing, and
// the database endpoint hanging, then going away and coming back on the same port and folder.
// Each case ends on exact state: one sheet row per record with its current values, one delivery
// per alert id per channel, one record per Idempotency-Key. Timings are printed, not asserted.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { serve } from '@hono/node-server'
import { describe, type ExpectStatic, it } from 'vitest'
import type { Logger } from '#commons/log.ts'
import type { RecordVersion } from '#commons/model.ts'
import { recordRow } from '#commons/sheet/layout.ts'
import { addUnit } from '#commons/units/roster.ts'
import { parseLocalConfig } from '../../functions/local/config.ts'
import { createLocalSystem, type LocalSystem } from '../../functions/local/system.ts'
import { type FeishuSheetsServer, startFeishuSheetsServer } from '../../testkit/feishu-sheets-server.ts'
import { emergencyRequest, healthReport, newKey, submission } from '../../testkit/fixtures.ts'
import { ADMIN_TOKEN, dataRows, readWorkbook } from '../../testkit/harness.ts'
import { type SheetsServer, startSheetsServer } from '../../testkit/sheets-server.ts'
import { type ReceivedRequest, startWebhookReceiver } from '../../testkit/webhook-receiver.ts'

const HEALTH = '人员健康日报'
const EMERGENCY = '应急请求'
const root = resolve(import.meta.dirname, '../..')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const wallClock = { now: () => new Date() }

/** A logger that keeps what the workers said (retries, failed passes) for the assertions. */
function recordingLogger(): Logger & { lines: { level: string; message: string }[]; count(message: string): number } {
  const lines: { level: string; message: string }[] = []
  const keep = (level: string) => (message: string) => void lines.push({ level, message })
  return { lines, info: keep('info'), warn: keep('warn'), error: keep('error'), count: (m) => lines.filter((l) => l.message === m).length }
}

async function until<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(100)
  }
}

interface Running {
  system: LocalSystem
  url: string
  dataDir: string
  log: ReturnType<typeof recordingLogger>
  unit(id: string, forms: string[]): Promise<string>
  /** one POST over real HTTP; a client that gives up after 30 s would call it a hang */
  post(
    token: string,
    formId: string,
    body: unknown,
    key?: string,
  ): Promise<{ status: number; json: Record<string, unknown>; retryAfter: string | null; ms: number }>
  admin(path: string): Promise<unknown>
  close(): Promise<void>
}

/** The local system with its workers, served over HTTP on a random port, in its own temp folder. */
async function startLocal(env: Record<string, string>): Promise<Running> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sentinel-faults-'))
  const log = recordingLogger()
  const config = parseLocalConfig({
    DATA_DIR: dataDir,
    ADMIN_TOKEN,
    DEMO: 'off',
    DAILY_CYCLE_INTERVAL_S: '3600',
    ESCALATE_AFTER_S: '3600',
    ...env,
  })
  const system = await createLocalSystem(config, { log, publicUrl: 'http://forms.test', workers: true })
  const server = serve({ fetch: system.app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((done) => server.once('listening', done))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    system,
    url,
    dataDir,
    log,
    unit: async (id, forms) => (await addUnit(system.stores.units, system.forms, wallClock, { id, name: `单位 ${id}`, forms })).token,
    async post(token, formId, body, key = newKey()) {
      const started = Date.now()
      const res = await fetch(`${url}/api/forms/${formId}/submissions`, {
        ...submission(token, body, key),
        signal: AbortSignal.timeout(30_000),
      })
      const text = await res.text()
      let json: Record<string, unknown> = {}
      try {
        json = JSON.parse(text) as Record<string, unknown>
      } catch {
        json = { notJson: text }
      }
      return { status: res.status, json, retryAfter: res.headers.get('retry-after'), ms: Date.now() - started }
    },
    async admin(path) {
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, signal: AbortSignal.timeout(30_000) })
      return res.json()
    },
    async close() {
      server.close()
      await system.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

const cellText = (v: unknown) =>
  v === undefined || v === null ? '' : typeof v === 'object' && v !== null && 'text' in v ? String(v.text) : String(v)
const trimRow = (row: unknown[]) => {
  const cells = Array.from(row, cellText)
  while (cells.length > 0 && cells.at(-1) === '') cells.pop()
  return cells
}

/**
 * A tab is exact when it holds one row per record of its form, each with the current version's
 * cells (as the mirror renders them), and nothing else.
 */
async function expectTabExact(expect: ExpectStatic, system: LocalSystem, tab: string, rows: unknown[][]): Promise<number> {
  const form = system.forms.all.find((f) => f.tab === tab)
  if (!form) throw new Error(`no form for tab ${tab}`)
  const units = new Map((await system.stores.units.list()).map((u) => [u.id, u.name]))
  const current = (await system.stores.records.currentOfAll()).filter((v: RecordVersion) => v.formId === form.id)
  const expected = current
    .map((v) => trimRow(recordRow(form, v, units.get(v.unitId) ?? v.unitId, 'Asia/Shanghai')))
    .sort((a, b) => a[0]!.localeCompare(b[0]!))
  const actual = rows.map(trimRow).sort((a, b) => a[0]!.localeCompare(b[0]!))
  expect(actual, `${tab}: one row per record, current values`).toEqual(expected)
  return actual.length
}

/** A port free just now: dynalite is restarted on the same one. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer()
    probe.once('error', fail)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => done(port))
    })
  })
}

/** dynalite as its own process, on a fixed port, persisted in `dir` (as DYNAMODB_ENDPOINT would point at). */
async function startDynalite(port: number, dir: string): Promise<{ process: ChildProcess; exited: Promise<void> }> {
  const child = spawn(
    process.execPath,
    [join(root, 'node_modules/dynalite/cli.js'), '--host', '127.0.0.1', '--port', String(port), '--path', dir, '--createTableMs', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  let output = ''
  await new Promise<void>((done, fail) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('listening')) done()
    })
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    void exited.then(() => fail(new Error(`dynalite exited: ${output}`)))
  })
  return { process: child, exited }
}

const sheetRows = (server: Pick<SheetsServer | FeishuSheetsServer, 'displayed'>, tab: string) =>
  server
    .displayed(tab)
    .slice(1)
    .filter((row) => row.some((v) => v !== ''))

describe.concurrent('faults, end to end through the local system', () => {
  // ---------------------------------------------------------------------------------------------
  it('Google Sheet: 5xx, 429 with Retry-After and a spent write quota during a burst — nothing dropped, rows exact, pending back to zero', async ({
    expect,
  }) => {
    // The server's clock moves a minute on when the test says so: the write quota stays spent till then.
    let serverMinutes = 0
    const sheets = await startSheetsServer({ tabs: ['Sheet1'], now: () => Date.now() + serverMinutes * 61_000 })
    const local = await startLocal({
      SHEET_ID: sheets.spreadsheetId,
      GOOGLE_ACCESS_TOKEN: sheets.token,
      SHEETS_API_URL: sheets.url,
      MIRROR_DEBOUNCE_MS: '100',
      SWEEP_INTERVAL_S: '1',
    })
    try {
      const ids = ['a', 'b', 'c', 'd', 'e', 'f']
      const tokens = await Promise.all(ids.map((id) => local.unit(`sheet-${id}`, ['daily-health', 'emergency'])))

      // Faults waiting for the burst: each takes the next request of its kind.
      sheets.failNext(1, { status: 500, kind: 'spreadsheets.get' })
      sheets.failNext(1, { status: 502, kind: 'spreadsheets.batchUpdate' })
      sheets.failNext(1, { status: 429, retryAfterS: 120, kind: 'values.batchUpdate' }) // longer than the batch may wait: the pass gives up, the sweep comes back
      sheets.failNext(1, { status: 503, kind: 'values.batchUpdate' })
      sheets.failNext(1, { status: 429, retryAfterS: 2, kind: 'values.batchUpdate' })
      sheets.setWriteQuota(1) // the layout request spends it: the first write of rows is refused

      const started = Date.now()
      const first = await Promise.all(
        tokens.flatMap((token, i) => [
          local.post(token, 'daily-health', healthReport({ onDuty: 30 })),
          local.post(token, 'emergency', emergencyRequest({ description: `第一批 #${i}` })),
          local.post(token, 'emergency', emergencyRequest({ description: `第一批 #${i}b`, severity: 'general' })),
        ]),
      )
      expect(first.map((r) => r.status)).toEqual(first.map(() => 201))
      await sleep(1500) // while the sheet still fails: corrections and more requests
      const second = await Promise.all(
        tokens.flatMap((token, i) => [
          ...(i % 2 === 0 ? [local.post(token, 'daily-health', healthReport({ onDuty: 20 + i }))] : []),
          local.post(token, 'emergency', emergencyRequest({ description: `第二批 #${i}` })),
        ]),
      )
      expect(second.map((r) => r.status)).toEqual(second.map(() => 201))
      const stored = first.length + second.length
      // Once the quota refuses a write, the sink backs off until the next minute; then the quota is Google's again.
      const INJECTED_429 = 2
      await until(
        async () => sheets.requests.filter((r) => r.status === 429).length > INJECTED_429,
        'the write quota to refuse a write',
        30_000,
      )
      serverMinutes++
      sheets.setWriteQuota(60)

      await until(
        async () => (await local.system.stores.records.pendingMirror(1)).length === 0,
        'the mirror to catch up on its own',
        30_000,
      )
      const caughtUp = Date.now() - started

      const healthRows = await expectTabExact(expect, local.system, HEALTH, sheetRows(sheets, HEALTH))
      const emergencyRows = await expectTabExact(expect, local.system, EMERGENCY, sheetRows(sheets, EMERGENCY))
      expect(healthRows).toBe(ids.length)
      expect(emergencyRows).toBe(ids.length * 3)

      const failed = sheets.requests.filter((r) => r.status >= 429)
      const quota429 = failed.filter((r) => r.status === 429).length - INJECTED_429
      // every injected fault was met, retried with back-off, and a whole failed pass was re-driven by the sweep
      for (const status of [500, 502, 503, 429])
        expect(
          failed.some((r) => r.status === status),
          `HTTP ${status} met`,
        ).toBe(true)
      expect(local.log.count('sheet request retried')).toBeGreaterThan(0)
      expect(local.log.count('mirror pass failed; the sweep retries')).toBeGreaterThan(0)
      console.log(
        `faults/sheet: ${stored} submissions in two bursts; ${failed.length} failed sheet requests (${quota429} of them the write quota), ` +
          `${local.log.count('sheet request retried')} retries with back-off, ${local.log.count('mirror pass failed; the sweep retries')} passes re-driven by the sweep; ` +
          `pending mirror back to 0 ${caughtUp} ms after the first burst; ${sheets.writeRequestCount()} write requests in all`,
      )
    } finally {
      await local.close()
      await sheets.close()
    }
  }, 60_000)

  // ---------------------------------------------------------------------------------------------
  it('Feishu sheet: 5xx, 429 with x-ogw-ratelimit-reset and a revoked token during a burst — nothing dropped, rows exact, pending back to zero', async ({
    expect,
  }) => {
    const feishu = await startFeishuSheetsServer({ tabs: ['Sheet1'] })
    const local = await startLocal({
      FEISHU_SHEET_TOKEN: feishu.spreadsheetToken,
      FEISHU_APP_ID: feishu.appId,
      FEISHU_APP_SECRET: feishu.appSecret,
      FEISHU_API_URL: feishu.url,
      MIRROR_DEBOUNCE_MS: '100',
      SWEEP_INTERVAL_S: '1',
    })
    try {
      const ids = ['a', 'b', 'c', 'd', 'e', 'f']
      const tokens = await Promise.all(ids.map((id) => local.unit(`sheet-${id}`, ['daily-health', 'emergency'])))

      feishu.failNext(1, { status: 500, code: 90203, kind: 'metainfo' })
      feishu.failNext(1, { status: 502, code: 90203, kind: 'sheets_batch_update' })
      feishu.failNext(1, { resetS: 120, kind: 'values_batch_update' }) // longer than the batch may wait: the pass gives up, the sweep comes back
      feishu.failNext(1, { status: 503, code: 90203, kind: 'values_batch_update' })
      feishu.failNext(1, { resetS: 2, kind: 'values_batch_update' })

      const started = Date.now()
      const first = await Promise.all(
        tokens.flatMap((token, i) => [
          local.post(token, 'daily-health', healthReport({ onDuty: 30 })),
          local.post(token, 'emergency', emergencyRequest({ description: `第一批 #${i}` })),
        ]),
      )
      expect(first.map((r) => r.status)).toEqual(first.map(() => 201))
      await sleep(1500)
      feishu.revokeTokens() // as after the app secret was reset: the token in hand stops working
      const second = await Promise.all(
        tokens.flatMap((token, i) => [
          ...(i % 2 === 0 ? [local.post(token, 'daily-health', healthReport({ onDuty: 20 + i }))] : []),
          local.post(token, 'emergency', emergencyRequest({ description: `第二批 #${i}` })),
        ]),
      )
      expect(second.map((r) => r.status)).toEqual(second.map(() => 201))

      await until(
        async () => (await local.system.stores.records.pendingMirror(1)).length === 0,
        'the mirror to catch up on its own',
        30_000,
      )
      const caughtUp = Date.now() - started

      expect(await expectTabExact(expect, local.system, HEALTH, sheetRows(feishu, HEALTH))).toBe(ids.length)
      expect(await expectTabExact(expect, local.system, EMERGENCY, sheetRows(feishu, EMERGENCY))).toBe(ids.length * 2)
      const failed = feishu.requests.filter((r) => r.status >= 429)
      for (const status of [500, 502, 503, 429])
        expect(
          failed.some((r) => r.status === status),
          `HTTP ${status} met`,
        ).toBe(true)
      expect(feishu.requests.filter((r) => r.code === 99991663).length).toBeGreaterThan(0)
      expect(feishu.tokensIssued()).toBe(2)
      expect(local.log.count('mirror pass failed; the sweep retries')).toBeGreaterThan(0)
      console.log(
        `faults/feishu: ${first.length + second.length} submissions in two bursts; ${failed.length} failed sheet requests, ` +
          `${local.log.count('sheet request retried')} retries with back-off; pending mirror back to 0 ${caughtUp} ms after the first burst; ` +
          `${feishu.writeRequestCount()} write requests in all`,
      )
    } finally {
      await local.close()
      await feishu.close()
    }
  }, 60_000)

  // ---------------------------------------------------------------------------------------------
  it('webhooks: one channel fails (5xx, 429, no answer) for seconds across several emergencies — the other is not held up, each alert lands once per channel', async ({
    expect,
  }) => {
    const [down, up] = await Promise.all([startWebhookReceiver(), startWebhookReceiver()])
    const local = await startLocal({
      ALERT_WEBHOOKS: `json=${down.url}/hooks/down,json=${up.url}/hooks/up`,
      ALERT_TICK_S: '0.25',
    })
    try {
      const tokens = await Promise.all(['p', 'q', 'r'].map((id) => local.unit(`hook-${id}`, ['emergency'])))
      // The failing channel: a cycle of faults, for as long as it takes (healed below).
      for (let i = 0; i < 50; i++) {
        down.failNext(1, 503)
        down.failNext(1, { status: 429, headers: { 'retry-after': '1' } })
        down.failNext(1, 'hang')
        down.failNext(1, 500)
      }
      const started = Date.now()
      const raise = async (token: string, n: number) => {
        const res = await local.post(
          token,
          'emergency',
          emergencyRequest({ description: `告警 #${n}`, severity: n % 2 ? 'critical' : 'urgent' }),
        )
        expect(res.status).toBe(201)
        return res.json.id as string
      }
      const records = await Promise.all([raise(tokens[0]!, 1), raise(tokens[1]!, 2)])
      await sleep(1500)
      records.push(await raise(tokens[2]!, 3))
      await sleep(1500)
      records.push(await raise(tokens[0]!, 4))

      const upIds = () => new Set(up.requests.map((r) => (r.body as { id: string }).id))
      // The healthy channel has every alert while the other still fails: a 503, a 429, then no answer.
      await until(async () => upIds().size === records.length && down.requests.length >= 3, 'every alert on the healthy channel', 20_000)
      const upDoneMs = Date.now() - started
      const failedTries = down.requests.length

      // The failing channel recovers: what it received from now on is answered 2xx.
      const failures: ReceivedRequest[] = down.requests.slice()
      down.reset()
      const healedAt = Date.now()
      type View = { id: string; submissionId: string; deliveries: { alertId: string; channel: string; state: string }[] }
      const emergencies = await until(
        async () => {
          const all = (await local.admin('/api/emergencies')) as View[]
          return all.length === records.length && all.every((e) => e.deliveries.every((d) => d.state === 'delivered')) ? all : undefined
        },
        'every delivery delivered after the channel recovered',
        40_000,
      )
      const recoveredMs = Date.now() - healedAt
      // Not held up: the healthy channel had the last alert before the failing one, stuck on its
      // unanswered request (given up after 10 s), was tried again.
      const nextTryAfterHang = [...failures.slice(3), ...down.requests][0]?.receivedAt ?? Infinity
      expect(Math.max(...up.requests.map((r) => r.receivedAt)), 'the healthy channel waited for the failing one').toBeLessThan(
        nextTryAfterHang,
      )
      const afterHeal = down.requests.map((r) => r.receivedAt - healedAt)

      const alertIds = emergencies.map((e) => `${e.id}.0`).sort()
      expect(emergencies.map((e) => e.submissionId).sort()).toEqual([...records].sort())
      const idsOf = (list: ReceivedRequest[]) => list.map((r) => (r.body as { id: string }).id).sort()
      expect(idsOf(up.requests), 'the healthy channel: once per alert').toEqual(alertIds)
      expect(idsOf(down.requests), 'the failed channel, after it recovered: once per alert').toEqual(alertIds)
      expect(new Set(idsOf(failures)).size).toBeGreaterThan(0)
      for (const id of idsOf(failures)) expect(alertIds).toContain(id) // retries carry the same id
      await sleep(1000) // a later tick sends nothing again
      expect(idsOf(up.requests)).toEqual(alertIds)
      expect(idsOf(down.requests)).toEqual(alertIds)
      console.log(
        `faults/webhooks: ${records.length} emergencies over 3 s; healthy channel had all of them ${upDoneMs} ms after the first ` +
          `(${failedTries} failed tries on the other meanwhile: 503, 429, no answer); after it recovered, its alerts landed ${afterHeal.join(', ')} ms later ` +
          `(the unanswered try given up after 10 s, the alert that failed 3 tries after its 20 s back-off); all recorded delivered in ${recoveredMs} ms`,
      )
    } finally {
      await local.close()
      await Promise.all([down.close(), up.close()])
    }
  }, 60_000)

  // ---------------------------------------------------------------------------------------------
  it('database: the endpoint hangs, then goes away and comes back on the same port and folder — 503s meanwhile, nothing lost, one record per key, the workers resume', async ({
    expect,
  }) => {
    const dbDir = await mkdtemp(join(tmpdir(), 'sentinel-faults-db-'))
    const port = await freePort()
    let db = await startDynalite(port, dbDir)
    const receiver = await startWebhookReceiver()
    const local = await startLocal({
      DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`,
      ALERT_WEBHOOKS: `json=${receiver.url}/hooks/group`,
      ALERT_TICK_S: '0.5',
      SWEEP_INTERVAL_S: '0.5',
      MIRROR_DEBOUNCE_MS: '300',
    })
    try {
      const units = ['w', 'x', 'y', 'z']
      const tokens = await Promise.all(units.map((id) => local.unit(`db-${id}`, ['daily-health', 'emergency'])))
      const accepted: { id: string; version: number }[] = []
      const expect2xx = async (answers: Promise<Awaited<ReturnType<Running['post']>>>[]) => {
        for (const r of await Promise.all(answers)) {
          expect(r.status, JSON.stringify(r.json)).toBe(201)
          accepted.push({ id: r.json.id as string, version: r.json.version as number })
        }
      }

      // Before: reports and emergencies stored, mirrored and alerted as usual.
      await expect2xx(
        tokens.flatMap((t, i) => [
          local.post(t, 'daily-health', healthReport({ onDuty: 30 })),
          local.post(t, 'emergency', emergencyRequest({ description: `之前 #${i}` })),
        ]),
      )
      await until(
        async () => receiver.requests.length >= units.length && (await local.system.stores.records.pendingMirror(1)).length === 0,
        'the first round mirrored and alerted',
        15_000,
      )
      // Just before the outage: more, which the workers are still busy with when the endpoint stops answering.
      await expect2xx(
        tokens.flatMap((t, i) => [
          local.post(t, 'emergency', emergencyRequest({ description: `就在之前 #${i}` })),
          ...(i < 2 ? [local.post(t, 'daily-health', healthReport({ onDuty: 29 }))] : []),
        ]),
      )

      // The endpoint hangs: the process is frozen, connections are taken and never answered.
      db.process.kill('SIGSTOP')
      const outageAt = Date.now()
      type Answer = Awaited<ReturnType<Running['post']>> & { phase: string }
      let phase = 'hung'
      const clients = [
        { token: tokens[0]!, formId: 'daily-health', body: healthReport({ onDuty: 27 }) },
        { token: tokens[1]!, formId: 'emergency', body: emergencyRequest({ description: '停电期间 #1' }) },
        { token: tokens[2]!, formId: 'emergency', body: emergencyRequest({ description: '停电期间 #2', severity: 'critical' }) },
        { token: tokens[3]!, formId: 'daily-health', body: healthReport({ onDuty: 26 }) },
      ].map((c) => ({ ...c, key: newKey(), answers: [] as Answer[] }))
      // Each client retries with its own key until it gets a 2xx, as the pages' queue does.
      const runs = clients.map(async (c) => {
        for (;;) {
          const answer = { ...(await local.post(c.token, c.formId, c.body, c.key)), phase }
          c.answers.push(answer)
          if (answer.status < 300) return answer
          await sleep(300)
        }
      })
      await until(async () => clients.every((c) => c.answers.length > 0), 'an answer for every client from the hung endpoint', 40_000)
      const hungMs = Math.max(...clients.map((c) => c.answers[0]!.ms))

      // The endpoint goes away (the frozen process dies): refused at once.
      db.process.kill('SIGKILL')
      await db.exited
      phase = 'gone'
      const page = await fetch(`${local.url}/u/${tokens[0]}`, { signal: AbortSignal.timeout(30_000) })
      const pageText = await page.text()
      await until(
        async () => clients.every((c) => c.answers.filter((a) => a.phase === 'gone').length >= 2),
        'answers while the endpoint is gone',
        30_000,
      )
      const goneMs = Math.max(...clients.flatMap((c) => c.answers.filter((a) => a.phase === 'gone').map((a) => a.ms)))

      // Back on the same port and data folder; the app is not restarted.
      db = await startDynalite(port, dbDir)
      phase = 'back'
      const backAt = Date.now()
      const finals = await Promise.all(runs)
      const clientsDoneMs = Date.now() - backAt

      // During the outage: a clear 503 in JSON with Retry-After, never a bare 500, never a hang.
      const refusals = clients.flatMap((c) => c.answers.filter((a) => a.status >= 300))
      expect(refusals.length).toBeGreaterThanOrEqual(clients.length * 3)
      for (const a of refusals) {
        expect(a.status, JSON.stringify(a.json)).toBe(503)
        expect(a.json.error).toBe('unavailable')
        expect(a.retryAfter).toMatch(/^\d+$/)
      }
      expect(page.status, pageText).toBe(503) // a page too: readable, and retry-later rather than "error"
      expect(pageText).toMatch(/稍后重试/)

      // One record per key; each client's answer names it.
      for (const [i, c] of clients.entries()) {
        const final = finals[i]!
        expect([200, 201]).toContain(final.status)
        const versions = await local.system.stores.records.versions(final.json.id as string)
        expect(
          versions.filter((v) => v.idempotencyKey === c.key),
          `client ${i}: one version for its key`,
        ).toHaveLength(1)
        expect(versions.find((v) => v.idempotencyKey === c.key)?.version).toBe(final.json.version)
        accepted.push({ id: final.json.id as string, version: final.json.version as number })
      }
      // Nothing answered 2xx is lost.
      for (const { id, version } of accepted) {
        expect(
          (await local.system.stores.records.versions(id)).some((v) => v.version === version),
          `${id} v${version}`,
        ).toBe(true)
      }

      // The mirror and the alert worker resume on their own: the workbook exact, every alert out.
      type View = { id: string; deliveries: { channel: string; state: string }[] }
      const emergencies = await until(
        async () => {
          if ((await local.system.stores.records.pendingMirror(1)).length > 0) return undefined
          const all = (await local.admin('/api/emergencies')) as View[]
          return all.length === units.length * 2 + 2 && all.every((e) => e.deliveries.every((d) => d.state === 'delivered'))
            ? all
            : undefined
        },
        'the mirror and the alerts to catch up after the outage',
        30_000,
      )
      const caughtUpMs = Date.now() - backAt
      await local.system.mirror.drain()
      const book = await readWorkbook(local.system.sink.path)
      expect(await expectTabExact(expect, local.system, HEALTH, await dataRows(local.system.sink.path, HEALTH))).toBe(units.length)
      expect(await expectTabExact(expect, local.system, EMERGENCY, await dataRows(local.system.sink.path, EMERGENCY))).toBe(
        units.length * 2 + 2,
      )
      expect(book.has(EMERGENCY)).toBe(true)
      const alertIds = emergencies.map((e) => `${e.id}.0`).sort()
      const received = receiver.requests.map((r) => (r.body as { id: string }).id)
      expect([...new Set(received)].sort(), 'every alert reached the channel, by its one id').toEqual(alertIds)
      console.log(
        `faults/database: hung endpoint → first 503 after ${hungMs} ms (SDK timeouts); gone → 503 within ${goneMs} ms; ` +
          `${refusals.length} 503s in ${backAt - outageAt} ms of outage; page during the outage: ${page.status}; ` +
          `back on the same port and folder → clients stored ${clientsDoneMs} ms later, mirror and alerts caught up ${caughtUpMs} ms later; ` +
          `${received.length - alertIds.length} alert(s) sent twice with the same id (outage between the robot's answer and the record)`,
      )
    } finally {
      await local.close()
      db.process.kill('SIGKILL')
      await db.exited
      await receiver.close()
      await rm(dbDir, { recursive: true, force: true })
    }
  }, 60_000)
})
