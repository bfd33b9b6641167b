// The crash test (issue 8, "proof under stress"): thousands of submissions with Idempotency-Keys
// from 16–64 concurrent clients against the real `npm start` process, which is killed with
// SIGKILL at random moments (seeded) and restarted on the same data folder; clients retry
// whatever got no 2xx with the same key and body. Then it checks, from the database itself:
// every acknowledged key stored exactly once; the workbook or the Sheets test server holds one
// row per record showing its current version, nothing else; every emergency alerted, none twice.
//
//   npx tsx bench/crash.ts [submissions] [concurrency] [kills]     (default 3000, 32, 8; both sinks)
//   CRASH_KEEP=1 keeps each run's data folder (database, workbook) for a look afterwards.
//
// `crashTest` returns the measured facts; `npm run bench` imports it.
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createDynamoClients } from '#commons/adapters/dynamo/client.ts'
import { createDynamoEmergencyStore } from '#commons/adapters/dynamo/emergencies.ts'
import { scanItems } from '#commons/adapters/dynamo/paging.ts'
import { createDynamoStores, recordVersionOf } from '#commons/adapters/dynamo/stores.ts'
import { defaultTableName } from '#commons/adapters/dynamo/table.ts'
import { addDays, localDate, zonedInstant } from '#commons/clock.ts'
import { alertIdOf, emergencyIdFor } from '#commons/emergencies/emergency.ts'
import { EMERGENCY_TAB, emergencyTab } from '#commons/emergencies/sheet-tab.ts'
import { type FormRegistry, loadForms } from '#commons/forms/registry.ts'
import type { RecordVersion, SubmissionReceipt } from '#commons/model.ts'
import { formTabLayout, recordRow } from '#commons/sheet/layout.ts'
import { startEmbeddedDynamo } from '../functions/local/embedded-dynamodb.ts'
import { readWorkbook } from '../testkit/harness.ts'
import { type ServerProcess, startServerProcess } from '../testkit/server-process.ts'
import { type SheetsServer, startSheetsServer } from '../testkit/sheets-server.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../testkit/webhook-receiver.ts'
import { printTable, report } from './report.ts'

export interface CrashOptions {
  submissions: number
  concurrency: number
  kills: number
  sink: 'workbook' | 'sheet'
  log?: (line: string) => void
  /** seeds the plan and the kill moments (default 8) */
  seed?: number
  /** how long the sheet and the alerts may take to settle after the last kill (default 180 s) */
  settleTimeoutMs?: number
  /** a write quota per minute on the Sheets test server, as Google's (sheet only; default none) */
  sheetWriteQuota?: number
}

export interface CrashResult {
  sink: 'workbook' | 'sheet'
  seed: number
  submissions: number
  concurrency: number
  /** submissions answered 2xx in the end (every one, unless a client gave up) */
  acknowledged: number
  /** of those, answered 201 by the last try, and 200 (the key had been stored by a try that got no answer) */
  created: number
  replayed: number
  /** tries beyond the first, and why they were needed */
  retries: number
  networkErrors: number
  /** 5xx answers: 503 while a restarted server is starting, 500 when its database went away under a request */
  serverErrors: number
  /** every non-2xx status seen, with counts */
  statuses: Record<string, number>
  /** answers a client should never get (4xx other than 409/429), and submissions given up */
  unexpected: string[]
  gaveUp: number
  kills: number
  /** kills that fell while clients were still submitting (the rest hit the mirror and alerts catching up) */
  killsDuringLoad: number
  restarts: number
  /** SIGKILL → the restarted server ready (it prints its address), per restart */
  recoverMs: number[]
  /** SIGKILL → the first 2xx from the restarted server, per kill during the load */
  firstAckMs: number[]
  /** distinct Idempotency-Keys acknowledged, found in the database, found more than once, missing */
  keys: number
  keysFound: number
  duplicateKeys: number
  missingKeys: number
  /** versions in the database no client sent, and receipts that disagree with the stored version */
  unknownVersions: number
  receiptMismatches: number
  /** distinct records the receipts name, and records in the database */
  records: number
  recordsFound: number
  versionsFound: number
  /** the form tabs against the database's current versions */
  rowsExpected: number
  rowsFound: number
  rowsMissing: number
  rowsDuplicated: number
  rowsExtra: number
  rowsWrong: number
  /** rows left blank between records: numbers reserved by a pass that a kill cut short and never taken up */
  blankRows: number
  /** the 应急 tab against the emergencies in the database */
  emergencyRowsExpected: number
  emergencyRowsFound: number
  emergencyRowsWrong: number
  /** outbox marks still set in the database after the settle */
  pendingMirrorMarks: number
  pendingAlertMarks: number
  /** emergencies the submissions must raise; in the database; alerted (distinct first-alert ids at the receiver) */
  alertsExpected: number
  emergenciesFound: number
  alertsDelivered: number
  alertsMissing: number
  /** distinct alerts beyond one per emergency (an emergency alerted twice under two ids, or one no submission raised) */
  alertsDoubled: number
  /** POSTs of an alert id the receiver had already taken: at-least-once delivery when a kill fell between its 2xx and the record */
  duplicateDeliveries: number
  /** submission received → its alert at the receiver (first delivery of each id), kills and backlog included */
  alertLagMs: { p50: number; p95: number; max: number }
  /** emergencies whose deliveries are not all recorded as delivered */
  undeliveredInDatabase: number
  /** workbook temp files a kill left behind */
  strayTempFiles: number
  loadSeconds: number
  settleSeconds: number
  totalSeconds: number
  /** everything that is not as it must be; empty on a pass */
  problems: string[]
}

// --------------------------------------------------------------------------------------------
// The plan: which unit submits what, decided up front from the seed.

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface PlannedUnit {
  id: string
  name: string
  forms: string[]
  sites?: string[]
}

interface Submission {
  n: number
  unit: string
  formId: string
  key: string
  body: Record<string, unknown>
  /** whether this submission raises an alert (its record's emergency) */
  alerting: boolean
}

const TIME_ZONE = 'Asia/Shanghai'
const SITES = ['北湖湿地二期', '西园步道改造']
const CATEGORIES = ['suspected_case', 'supplies_shortage', 'staffing', 'wildlife_dieoff', 'public_opinion', 'safety', 'other']
const SEVERITIES = ['general', 'urgent', 'critical']

function planUnits(submissions: number): PlannedUnit[] {
  const count = Math.max(6, Math.min(60, Math.round(submissions / 40)))
  return Array.from({ length: count }, (_, i): PlannedUnit => {
    const n = String(i + 1).padStart(2, '0')
    return i % 3 === 2
      ? { id: `crash-site-${n}`, name: `压测工程科 ${n}`, forms: ['daily-health', 'site-daily', 'emergency'], sites: SITES }
      : { id: `crash-park-${n}`, name: `压测公园 ${n}`, forms: ['daily-health', 'wildlife-daily', 'emergency'] }
  })
}

/**
 * Mostly emergencies (each a new record and an alert), and daily reports: today's are corrected
 * again and again (versions of one record per unit and day, or site), and missed days are reported
 * once each (a past day's record is closed after its first report).
 */
function planSubmissions(seed: number, total: number, units: PlannedUnit[], today: string, dailyAllowed: boolean): Submission[] {
  const rnd = random(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T
  const int = (max: number) => Math.floor(rnd() * (max + 1))
  const pastSlots: { unit: PlannedUnit; formId: string; date: string; site?: string }[] = []
  for (const unit of units) {
    for (let back = 1; back <= 7; back++) {
      const date = addDays(today, -back)
      pastSlots.push({ unit, formId: 'daily-health', date })
      if (unit.sites) for (const site of unit.sites) pastSlots.push({ unit, formId: 'site-daily', date, site })
      else pastSlots.push({ unit, formId: 'wildlife-daily', date })
    }
  }
  for (let i = pastSlots.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    const swap = pastSlots[i] as (typeof pastSlots)[number]
    pastSlots[i] = pastSlots[j] as (typeof pastSlots)[number]
    pastSlots[j] = swap
  }

  const health = (n: number, alerting: boolean) => {
    const staffTotal = 30 + int(30)
    const onDuty = int(staffTotal - 5)
    return {
      staffTotal,
      onDuty,
      remote: int(staffTotal - onDuty),
      returnedFromOutside: int(5),
      homeObservation: 0,
      feverOrRespiratory: 0,
      suspected: alerting ? 1 + int(2) : 0,
      confirmed: 0,
      partnerStaff: 10 + int(10),
      partnerAbnormal: 0,
      publicAreaDisinfected: rnd() < 0.8,
      ...(alerting ? { notes: `第 ${n} 份：一名员工发热，已送医排查` } : {}),
      reporterName: pick(['张伟', '王芳', '李娜', '刘洋']),
      reporterPhone: '13800138000',
    }
  }
  const wildlife = (n: number, alerting: boolean) => ({
    patrols: int(10),
    abnormalFound: alerting,
    ...(alerting
      ? {
          species: '野鸭',
          deadCount: 1 + int(5),
          sickCount: int(3),
          location: `北湖 ${n} 号点`,
          samplingSent: true,
          measures: '已隔离现场并采样送检',
        }
      : {}),
    enforcementChecks: int(4),
    facilitiesDisinfected: rnd() < 0.9,
    reporterName: '李娜',
    reporterPhone: '010-62345678',
  })
  const siteReport = (n: number, site: string) => {
    const workersOnSite = 20 + int(60)
    return {
      site,
      contractor: '市政建设第三工程公司',
      workersOnSite,
      newArrivals: int(5),
      returnedFromOutside: int(5),
      healthChecked: workersOnSite - int(5),
      abnormal: 0,
      reporterName: '王强',
      reporterPhone: '13911112222',
      notes: `第 ${n} 份`,
    }
  }

  const plan: Submission[] = []
  for (let n = 0; n < total; n++) {
    const key = `crash-${seed}-${n}-${Math.floor(rnd() * 0xffffffff).toString(36)}`
    const roll = rnd()
    const unit = pick(units)
    if (!dailyAllowed || roll < 0.45) {
      const category = pick(CATEGORIES)
      plan.push({
        n,
        unit: unit.id,
        formId: 'emergency',
        key,
        alerting: true,
        body: {
          category,
          severity: pick(SEVERITIES),
          location: `${unit.name} ${n} 号门`,
          description: `压测第 ${n} 份应急请求`,
          supplies: [{ item: pick(['N95 口罩', '84 消毒液', '防护服']), quantity: 1 + int(500) }],
          contactName: '赵敏',
          contactPhone: '13700001111',
        },
      })
      continue
    }
    if (roll < 0.55 && pastSlots.length > 0) {
      const slot = pastSlots.pop() as (typeof pastSlots)[number]
      const alerting = slot.formId !== 'site-daily' && rnd() < 0.05
      const body =
        slot.formId === 'daily-health'
          ? health(n, alerting)
          : slot.formId === 'wildlife-daily'
            ? wildlife(n, alerting)
            : siteReport(n, slot.site ?? '')
      plan.push({ n, unit: slot.unit.id, formId: slot.formId, key, alerting, body: { ...body, date: slot.date } })
      continue
    }
    // today's reports, corrected again and again
    const formRoll = rnd()
    if (formRoll < 0.5) {
      const alerting = rnd() < 0.04
      plan.push({ n, unit: unit.id, formId: 'daily-health', key, alerting, body: { ...health(n, alerting), date: today } })
    } else if (unit.sites) {
      plan.push({ n, unit: unit.id, formId: 'site-daily', key, alerting: false, body: { ...siteReport(n, pick(unit.sites)), date: today } })
    } else {
      const alerting = rnd() < 0.04
      plan.push({ n, unit: unit.id, formId: 'wildlife-daily', key, alerting, body: { ...wildlife(n, alerting), date: today } })
    }
  }
  return plan
}

// --------------------------------------------------------------------------------------------
// Helpers

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** A cell as text, so a workbook's and a sheet's reading of the same value compare equal. */
const text = (cell: unknown): string => (cell === undefined || cell === null ? '' : String(cell))
/** A row as comparable text: cells as text, trailing empty cells dropped. */
function rowKey(row: readonly unknown[]): string {
  const cells = Array.from(row, text)
  while (cells.length > 0 && cells.at(-1) === '') cells.pop()
  return JSON.stringify(cells)
}
const blank = (row: readonly unknown[]) => Array.from(row, text).every((c) => c === '')

interface Tabs {
  /** data rows (below the header) of a tab */
  rows(tab: string): unknown[][]
}

// --------------------------------------------------------------------------------------------
// The run

export async function crashTest(options: CrashOptions): Promise<CrashResult> {
  const { submissions, concurrency, kills, sink } = options
  const seed = options.seed ?? 8
  const log = options.log ?? (() => {})
  const settleTimeoutMs = options.settleTimeoutMs ?? 180_000
  const started = performance.now()
  const problems: string[] = []
  const forms = await loadForms()

  const dataDir = await mkdtemp(join(tmpdir(), 'sentinel-crash-'))
  const receiver: WebhookReceiver = await startWebhookReceiver()
  const sheets: SheetsServer | undefined = sink === 'sheet' ? await startSheetsServer({ tabs: ['Sheet1'] }) : undefined
  if (sheets && options.sheetWriteQuota) sheets.setWriteQuota(options.sheetWriteQuota)
  const adminToken = `crash-admin-${seed}-${Date.now().toString(36)}-0123456789`
  let port = await freePort()
  const env = (): Record<string, string> => ({
    DATA_DIR: dataDir,
    PORT: String(port),
    ADMIN_TOKEN: adminToken,
    DEMO: 'off',
    ALERT_WEBHOOKS: `json=${receiver.url}/hooks/crash`,
    // first alerts only: an escalation is another alert on purpose, not the subject here
    ESCALATE_MAX: '0',
    ...(sheets ? { SHEET_ID: sheets.spreadsheetId, GOOGLE_ACCESS_TOKEN: sheets.token, SHEETS_API_URL: sheets.url } : {}),
  })

  let server: ServerProcess | undefined
  const outputs: string[] = []
  const start = async (): Promise<ServerProcess> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const next = await startServerProcess(env())
        server = next
        return next
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        // Someone else took the port between two lives of the server: move, the clients follow.
        if (attempt < 4 && message.includes('EADDRINUSE')) {
          port = await freePort()
          continue
        }
        throw error
      }
    }
  }
  const url = () => `http://127.0.0.1:${port}`

  let result: CrashResult | undefined
  try {
    await start()
    const today = localDate(new Date(), TIME_ZONE)
    // Within the run's reach of local midnight "today" would move and today's corrections would
    // land on a closed day: then every submission is an emergency.
    const untilMidnightMs = zonedInstant(addDays(today, 1), '00:00', TIME_ZONE).getTime() - Date.now()
    const dailyAllowed = untilMidnightMs > 20 * 60_000
    if (!dailyAllowed) log('close to local midnight: emergencies only')

    // The roster, through the admin API as the office would add it.
    const units = planUnits(submissions)
    const tokens = new Map<string, string>()
    for (const unit of units) {
      const res = await fetch(`${url()}/api/admin/units`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(unit),
      })
      if (res.status !== 201) throw new Error(`adding unit ${unit.id}: HTTP ${res.status} ${await res.text()}`)
      tokens.set(unit.id, ((await res.json()) as { token: string }).token)
    }
    const plan = planSubmissions(seed, submissions, units, today, dailyAllowed)
    log(
      `${sink}: ${submissions} submissions (${plan.filter((s) => s.formId === 'emergency').length} emergencies) from ${units.length} units, concurrency ${concurrency}, ${kills} kills, seed ${seed}`,
    )

    // ---- clients
    const receipts = new Map<string, { receipt: SubmissionReceipt; status: number }>()
    const firstAckOfLife = new Map<number, number>() // server life → first 2xx it gave
    let life = 0
    const statuses: Record<string, number> = {}
    const counts = { retries: 0, networkErrors: 0, serverErrors: 0, gaveUp: 0 }
    const unexpected: string[] = []
    let next = 0
    let acksSinceStart = 0
    let loadDone = false

    async function send(s: Submission): Promise<void> {
      const deadline = Date.now() + Math.max(120_000, settleTimeoutMs)
      const body = JSON.stringify(s.body)
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) {
          counts.retries++
          await sleep(Math.min(1000, 25 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2))
        }
        if (Date.now() > deadline) {
          counts.gaveUp++
          unexpected.push(`#${s.n} ${s.formId}: no 2xx after ${attempt} tries`)
          return
        }
        let status: number
        let answer: string
        const lifeAtSend = life
        try {
          const res = await fetch(`${url()}/api/forms/${s.formId}/submissions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${tokens.get(s.unit)}`, 'content-type': 'application/json', 'idempotency-key': s.key },
            body,
            signal: AbortSignal.timeout(30_000),
          })
          status = res.status
          answer = await res.text()
        } catch {
          counts.networkErrors++
          continue
        }
        if (status === 200 || status === 201) {
          receipts.set(s.key, { receipt: JSON.parse(answer) as SubmissionReceipt, status })
          if (!firstAckOfLife.has(lifeAtSend)) firstAckOfLife.set(lifeAtSend, Date.now())
          acksSinceStart++
          return
        }
        statuses[status] = (statuses[status] ?? 0) + 1
        if (status >= 500) {
          counts.serverErrors++
          continue
        }
        if (status === 409 || status === 429) continue
        unexpected.push(`#${s.n} ${s.formId} ${JSON.stringify(s.body).slice(0, 80)}…: HTTP ${status} ${answer.slice(0, 200)}`)
        return
      }
    }

    const loadStarted = performance.now()
    const clients = Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < plan.length; i = next++) await send(plan[i] as Submission)
      }),
    ).then(() => {
      loadDone = true
    })

    // ---- the killer: after a random share of the load since the last start (or, once the load is
    // done, a random moment while the mirror and alerts catch up), SIGKILL and start again
    const killRandom = random(seed ^ 0x5eed)
    const recoverMs: number[] = []
    const killTimes: number[] = []
    let killsDuringLoad = 0
    const perLife = submissions / (kills + 1)
    for (let k = 0; k < kills; k++) {
      const target = Math.floor(killRandom() * 1.6 * perLife)
      const idleMs = 100 + killRandom() * 1500
      const since = Date.now()
      acksSinceStart = 0
      while (!(loadDone ? Date.now() - since >= idleMs : acksSinceStart >= target)) await sleep(5)
      const during = !loadDone
      const at = Date.now()
      await server?.kill('SIGKILL')
      outputs.push(server?.output() ?? '')
      killTimes.push(at)
      if (during) killsDuringLoad++
      log(
        `kill ${k + 1} ${during ? `after ${acksSinceStart} acknowledgements` : 'while catching up'} (${receipts.size}/${submissions} acknowledged)`,
      )
      life++
      await start()
      recoverMs.push(Date.now() - at)
    }
    await clients
    const loadSeconds = (performance.now() - loadStarted) / 1000
    log(`load done in ${loadSeconds.toFixed(1)} s: ${receipts.size} acknowledged, ${counts.retries} retries`)

    // ---- what the database must hold, from the receipts
    const expectedVersion = new Map<string, number>() // recordId → highest acknowledged version
    for (const { receipt } of receipts.values()) {
      expectedVersion.set(receipt.id, Math.max(expectedVersion.get(receipt.id) ?? 0, receipt.version))
    }
    const byKey = new Map(plan.map((s) => [s.key, s]))
    const alertingRecords = new Set<string>()
    for (const [key, { receipt }] of receipts) if (byKey.get(key)?.alerting) alertingRecords.add(receipt.id)
    const expectedAlertIds = new Set([...alertingRecords].map((id) => alertIdOf(emergencyIdFor(id), 0)))
    const tabOf = new Map(forms.all.map((f) => [f.id, formTabLayout(f).title]))

    // ---- settle: the sheet shows every record's acknowledged version and the 应急 tab every
    // emergency delivered; the receiver has every alert
    const readTabs = async (): Promise<Tabs> => {
      if (sheets) return { rows: (tab) => sheets.values(tab).slice(1) }
      const path = join(dataDir, 'leaders.xlsx')
      const book = existsSync(path) ? await readWorkbook(path) : new Map<string, unknown[][]>()
      return { rows: (tab) => (book.get(tab) ?? []).slice(1) }
    }
    /** what the sheet and the receiver still lack; undefined once settled */
    const waitingFor = async (): Promise<string | undefined> => {
      const received = new Set(receiver.requests.map((r) => (r.body as { id?: string } | undefined)?.id))
      const unalerted = [...expectedAlertIds].filter((id) => !received.has(id)).length
      if (unalerted > 0) return `${unalerted} alerts`
      const tabs = await readTabs()
      for (const form of forms.all) {
        const expected = [...expectedVersion].filter(([id]) => id.startsWith(`${form.id}.`))
        const shown = new Map<string, number>()
        for (const row of tabs.rows(tabOf.get(form.id) ?? '')) {
          if (blank(row)) continue
          const id = text(row[0])
          if (shown.has(id)) return `a duplicate row on ${form.id}`
          shown.set(id, Number(row[4]))
        }
        const behind = expected.filter(([id, v]) => shown.get(id) !== v).length
        if (behind > 0 || shown.size !== expected.length)
          return `${behind} rows of ${form.id} (${shown.size} shown, ${expected.length} records)`
      }
      const emergencies = tabs.rows(EMERGENCY_TAB).filter((r) => !blank(r))
      const undelivered = emergencies.filter((r) => !/^(\d+)\/\1$/.test(text(r[11]))).length
      if (emergencies.length !== alertingRecords.size || undelivered > 0) {
        return `应急 tab: ${emergencies.length} rows of ${alertingRecords.size}, ${undelivered} not shown delivered`
      }
      return undefined
    }
    const settleStarted = performance.now()
    let lastSaid = 0
    for (;;) {
      const missing = await waitingFor().catch((error: unknown) => `the sheet (${error instanceof Error ? error.message : String(error)})`)
      if (missing === undefined) break
      if (performance.now() - settleStarted > settleTimeoutMs) {
        problems.push(`the sheet and alerts did not settle within ${settleTimeoutMs / 1000} s: waiting for ${missing}`)
        break
      }
      if (performance.now() - lastSaid > 5000) {
        lastSaid = performance.now()
        log(`settling: waiting for ${missing}`)
      }
      await sleep(sheets ? 250 : 1000)
    }
    const settleSeconds = (performance.now() - settleStarted) / 1000
    log(`settled in ${settleSeconds.toFixed(1)} s`)

    // ---- stop gracefully, then read everything back
    await server?.kill('SIGTERM')
    outputs.push(server?.output() ?? '')
    server = undefined
    const tabs = await readTabs()
    const db = await readDatabase(dataDir, forms)
    const strayTempFiles = (await readdir(dataDir)).filter((f) => f.endsWith('.tmp')).length

    // keys: exactly once
    const keyCount = new Map<string, number>()
    for (const v of db.versions) keyCount.set(v.idempotencyKey, (keyCount.get(v.idempotencyKey) ?? 0) + 1)
    const duplicateKeys = [...keyCount.values()].filter((n) => n > 1).length
    const missingKeys = [...receipts.keys()].filter((k) => !keyCount.has(k)).length
    const unknownVersions = db.versions.filter((v) => !byKey.has(v.idempotencyKey)).length
    const stored = new Map(db.versions.map((v) => [v.idempotencyKey, v]))
    const receiptMismatches = [...receipts].filter(([key, { receipt }]) => {
      const v = stored.get(key)
      return v !== undefined && (v.recordId !== receipt.id || v.version !== receipt.version || v.receivedAt !== receipt.receivedAt)
    }).length

    // rows: one per record, the current version's values, nothing else
    const current = new Map<string, RecordVersion>()
    for (const v of db.versions) if ((current.get(v.recordId)?.version ?? 0) < v.version) current.set(v.recordId, v)
    const names = new Map(db.units.map((u) => [u.id, u.name]))
    const rows = { expected: 0, found: 0, missing: 0, duplicated: 0, extra: 0, wrong: 0, blank: 0 }
    const wrongSamples: string[] = []
    for (const form of forms.all) {
      const expected = new Map(
        [...current.values()]
          .filter((v) => v.formId === form.id)
          .map((v) => [v.recordId, rowKey(recordRow(form, v, names.get(v.unitId) ?? v.unitId, TIME_ZONE))]),
      )
      rows.expected += expected.size
      const seen = new Map<string, number>()
      for (const row of tabs.rows(tabOf.get(form.id) ?? '')) {
        if (blank(row)) {
          rows.blank++
          continue
        }
        rows.found++
        const id = text(row[0])
        seen.set(id, (seen.get(id) ?? 0) + 1)
        const want = expected.get(id)
        if (want === undefined) rows.extra++
        else if (want !== rowKey(row)) {
          rows.wrong++
          if (wrongSamples.length < 3) wrongSamples.push(`${rowKey(row)} ≠ ${want}`)
        }
      }
      rows.duplicated += [...seen.values()].filter((n) => n > 1).length
      rows.missing += [...expected.keys()].filter((id) => !seen.has(id)).length
    }
    const emergencyExpected = new Map(db.emergencyRows.map((r) => [text(r[0]), rowKey(r)]))
    const emergencyShown = tabs.rows(EMERGENCY_TAB).filter((r) => !blank(r))
    const emergencyRowsWrong =
      emergencyShown.filter((r) => emergencyExpected.get(text(r[0])) !== rowKey(r)).length +
      Math.abs(new Set(emergencyShown.map((r) => text(r[0]))).size - emergencyShown.length)

    // alerts: every emergency alerted, under one id, none twice
    const firstAlerts = receiver.requests
      .map((r) => r.body as { id?: string; escalation?: number } | undefined)
      .filter((b): b is { id: string; escalation: number } => typeof b?.id === 'string')
    const distinct = new Set(firstAlerts.map((b) => b.id))
    const alertsMissing = [...expectedAlertIds].filter((id) => !distinct.has(id)).length
    const alertsDoubled =
      [...distinct].filter((id) => !expectedAlertIds.has(id)).length + Math.max(0, db.emergencies.length - alertingRecords.size)
    const firstSeen = new Map<string, number>()
    for (const r of receiver.requests) {
      const b = r.body as { id?: string; createdAt?: string } | undefined
      if (typeof b?.id === 'string' && typeof b.createdAt === 'string' && !firstSeen.has(b.id))
        firstSeen.set(b.id, r.receivedAt - Date.parse(b.createdAt))
    }
    const lags = [...firstSeen.values()].sort((a, b) => a - b)
    const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? 0
    const undeliveredInDatabase = db.emergencies.filter(
      (e) => e.deliveries.length === 0 || e.deliveries.some((d) => d.state !== 'delivered'),
    ).length

    result = {
      sink,
      seed,
      submissions,
      concurrency,
      acknowledged: receipts.size,
      created: [...receipts.values()].filter((r) => r.status === 201).length,
      replayed: [...receipts.values()].filter((r) => r.status === 200).length,
      retries: counts.retries,
      networkErrors: counts.networkErrors,
      serverErrors: counts.serverErrors,
      statuses,
      unexpected,
      gaveUp: counts.gaveUp,
      kills: killTimes.length,
      killsDuringLoad,
      restarts: recoverMs.length,
      recoverMs,
      firstAckMs: killTimes.slice(0, killsDuringLoad).flatMap((t, k) => {
        const first = firstAckOfLife.get(k + 1)
        return first === undefined ? [] : [first - t]
      }),
      keys: receipts.size,
      keysFound: [...receipts.keys()].filter((k) => keyCount.has(k)).length,
      duplicateKeys,
      missingKeys,
      unknownVersions,
      receiptMismatches,
      records: expectedVersion.size,
      recordsFound: current.size,
      versionsFound: db.versions.length,
      rowsExpected: rows.expected,
      rowsFound: rows.found,
      rowsMissing: rows.missing,
      rowsDuplicated: rows.duplicated,
      rowsExtra: rows.extra,
      rowsWrong: rows.wrong,
      blankRows: rows.blank,
      emergencyRowsExpected: db.emergencyRows.length,
      emergencyRowsFound: emergencyShown.length,
      emergencyRowsWrong,
      pendingMirrorMarks: db.pendingMirror,
      pendingAlertMarks: db.pendingAlerts,
      alertsExpected: expectedAlertIds.size,
      emergenciesFound: db.emergencies.length,
      alertsDelivered: [...expectedAlertIds].filter((id) => distinct.has(id)).length,
      alertsMissing,
      alertsDoubled,
      duplicateDeliveries: firstAlerts.length - distinct.size,
      alertLagMs: { p50: at(0.5), p95: at(0.95), max: lags.at(-1) ?? 0 },
      undeliveredInDatabase,
      strayTempFiles,
      loadSeconds: round(loadSeconds),
      settleSeconds: round(settleSeconds),
      totalSeconds: 0,
      problems,
    }
    const r = result
    const must = (ok: boolean, what: string) => {
      if (!ok) problems.push(what)
    }
    must(unexpected.length === 0, `unexpected answers: ${unexpected.slice(0, 3).join(' | ')}`)
    must(r.acknowledged === submissions, `${submissions - r.acknowledged} submissions never acknowledged`)
    must(r.kills === kills && r.restarts === kills, `${r.kills} kills and ${r.restarts} restarts of ${kills}`)
    must(r.duplicateKeys === 0, `${r.duplicateKeys} keys stored more than once`)
    must(r.missingKeys === 0, `${r.missingKeys} acknowledged keys not in the database`)
    must(r.unknownVersions === 0, `${r.unknownVersions} stored versions no client sent`)
    must(r.receiptMismatches === 0, `${r.receiptMismatches} receipts differ from the stored version`)
    must(r.recordsFound === r.records, `${r.recordsFound} records in the database, ${r.records} acknowledged`)
    must(
      r.rowsFound === r.rowsExpected && r.rowsMissing + r.rowsDuplicated + r.rowsExtra + r.rowsWrong === 0,
      `rows: ${r.rowsFound} of ${r.rowsExpected}, ${r.rowsMissing} missing, ${r.rowsDuplicated} duplicated, ${r.rowsExtra} extra, ${r.rowsWrong} wrong ${wrongSamples.join(' ')}`,
    )
    must(r.blankRows === 0, `${r.blankRows} blank rows between the records`)
    must(
      r.emergencyRowsFound === r.emergencyRowsExpected && r.emergencyRowsWrong === 0,
      `应急 tab: ${r.emergencyRowsFound} rows of ${r.emergencyRowsExpected}, ${r.emergencyRowsWrong} wrong`,
    )
    must(r.pendingMirrorMarks === 0, `${r.pendingMirrorMarks} mirror marks left`)
    must(r.pendingAlertMarks === 0, `${r.pendingAlertMarks} alert marks left`)
    must(r.emergenciesFound === r.alertsExpected, `${r.emergenciesFound} emergencies in the database, ${r.alertsExpected} expected`)
    must(r.alertsMissing === 0, `${r.alertsMissing} alerts never delivered`)
    must(r.alertsDoubled === 0, `${r.alertsDoubled} alerts doubled`)
    must(r.undeliveredInDatabase === 0, `${r.undeliveredInDatabase} emergencies not recorded as delivered`)
    if (problems.length > 0) {
      const lastOutput = outputs
        .join('\n')
        .split('\n')
        .filter((l) => l.includes('"level":"error"'))
        .slice(-5)
      if (lastOutput.length > 0) problems.push(`server errors (last ${lastOutput.length}): ${lastOutput.join(' | ')}`)
    }
    return result
  } finally {
    await server?.kill('SIGKILL')
    await receiver.close()
    await sheets?.close()
    if (process.env.CRASH_KEEP) console.log('kept', dataDir)
    else await rm(dataDir, { recursive: true, force: true })
    if (result) result.totalSeconds = round((performance.now() - started) / 1000)
  }
}

const round = (n: number) => Math.round(n * 10) / 10

/** Everything the checks need, read from the stopped server's database directly. */
async function readDatabase(dataDir: string, forms: FormRegistry) {
  const dynamo = await startEmbeddedDynamo(join(dataDir, 'db'))
  const { client, doc } = createDynamoClients(dynamo.endpoint)
  try {
    const items = await scanItems(doc, {
      TableName: defaultTableName,
      FilterExpression: 'begins_with(pk, :rec) AND begins_with(sk, :v)',
      ExpressionAttributeValues: { ':rec': 'REC#', ':v': 'V#' },
    })
    const versions = items.map(recordVersionOf)
    const stores = createDynamoStores(doc, defaultTableName)
    const emergencies = createDynamoEmergencyStore(doc, defaultTableName)
    const tab = emergencyTab({ emergencies, units: stores.units, forms, timeZone: TIME_ZONE })
    return {
      versions,
      units: await stores.units.list(),
      pendingMirror: versions.filter((v) => v.pendingMirror).length,
      pendingAlerts: versions.filter((v) => v.pendingAlert).length,
      emergencies: await emergencies.list(),
      emergencyRows: await tab.rows(new Date()),
    }
  } finally {
    client.destroy()
    await dynamo.close()
  }
}

// --------------------------------------------------------------------------------------------
// Standalone: the big variant on both sinks, as a table.

/** The facts as one table row per run. */
export function crashRow(r: CrashResult): Record<string, unknown> {
  const ms = (list: number[]) =>
    list.length === 0 ? '-' : `${Math.min(...list)}–${Math.max(...list)} (avg ${Math.round(list.reduce((a, b) => a + b, 0) / list.length)})`
  return {
    sink: r.sink,
    submissions: r.submissions,
    concurrency: r.concurrency,
    acknowledged: r.acknowledged,
    'created/replayed': `${r.created}/${r.replayed}`,
    retries: r.retries,
    'retried on: network error / 5xx': `${r.networkErrors} / ${r.serverErrors} (${
      Object.entries(r.statuses)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ') || '-'
    })`,
    'kills (during load)': `${r.kills} (${r.killsDuringLoad})`,
    restarts: r.restarts,
    'keys found/dup/missing': `${r.keysFound}/${r.duplicateKeys}/${r.missingKeys}`,
    'records expected/found': `${r.records}/${r.recordsFound}`,
    'rows expected/found': `${r.rowsExpected}/${r.rowsFound}`,
    'rows missing/dup/extra/wrong': `${r.rowsMissing}/${r.rowsDuplicated}/${r.rowsExtra}/${r.rowsWrong}`,
    'blank rows': r.blankRows,
    '应急 rows': `${r.emergencyRowsFound}/${r.emergencyRowsExpected}`,
    'alerts expected/delivered': `${r.alertsExpected}/${r.alertsDelivered}`,
    'alerts missing/doubled': `${r.alertsMissing}/${r.alertsDoubled}`,
    'duplicate deliveries (same id)': r.duplicateDeliveries,
    'alert lag ms p50/p95/max': `${r.alertLagMs.p50}/${r.alertLagMs.p95}/${r.alertLagMs.max}`,
    'recover ms (kill→ready)': ms(r.recoverMs),
    'first 2xx ms after kill': ms(r.firstAckMs),
    'load s': r.loadSeconds,
    'settle s': r.settleSeconds,
    'total s': r.totalSeconds,
    ok: r.problems.length === 0,
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const [submissions = 3000, concurrency = 32, kills = 8] = process.argv.slice(2).map(Number)
  const results: CrashResult[] = []
  for (const sink of ['workbook', 'sheet'] as const) {
    const r = await crashTest({
      submissions,
      concurrency,
      kills,
      sink,
      log: (line) => console.log(`  ${line}`),
      ...(sink === 'sheet' ? { sheetWriteQuota: 60 } : {}),
    })
    results.push(r)
    for (const p of r.problems) console.log(`  PROBLEM (${sink}): ${p}`)
  }
  const rows = results.map(crashRow)
  // one column per run reads better than 20 columns side by side
  printTable(
    `crash: ${submissions} submissions, concurrency ${concurrency}, ${kills} SIGKILLs per sink`,
    Object.keys(rows[0] ?? {}).map((fact) => ({ fact, ...Object.fromEntries(rows.map((r) => [String(r.sink), r[fact]])) })),
  )
  await report('crash', results)
  if (results.some((r) => r.problems.length > 0)) process.exitCode = 1
}
