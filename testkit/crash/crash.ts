// The crash test (issue 8, "proof under stress"): thousands of submissions with Idempotency-Keys
// from 16–64 concurrent clients against the real `npm start` process, which is killed with
// SIGKILL at random moments (seeded) and restarted on the same data folder; clients retry
// whatever got no 2xx with the same key and body. Then it checks, from the database itself:
// every acknowledged key stored exactly once; the workbook or the Sheets test server holds one
// row per record showing its current version, nothing else; every emergency alerted, none twice.
//
// One step a file: plan.ts (units, keys, kill moments), load.ts (the clients), kill.ts (SIGKILL and
// restart), verify.ts (stored once, rows exact, alerts). `crashTest` returns the measured facts;
// bench/crash.ts and test/system/crash.test.ts call it.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadForms } from '#commons/forms/registry.ts'
import { type SheetsServer, startSheetsServer } from '../sheets-server.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../webhook-receiver.ts'
import { crashServer, killAndRestart } from './kill.ts'
import { addRoster, startLoad } from './load.ts'
import { planDay, planKills, planSubmissions, planUnits } from './plan.ts'
import { expectedFromReceipts, round, settle, tabsReader, verify } from './verify.ts'

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
  const server = await crashServer((port) => ({
    DATA_DIR: dataDir,
    PORT: String(port),
    ADMIN_TOKEN: adminToken,
    DEMO: 'off',
    ALERT_WEBHOOKS: `json=${receiver.url}/hooks/crash`,
    // first alerts only: an escalation is another alert on purpose, not the subject here
    ESCALATE_MAX: '0',
    ...(sheets ? { SHEET_ID: sheets.spreadsheetId, GOOGLE_ACCESS_TOKEN: sheets.token, SHEETS_API_URL: sheets.url } : {}),
  }))

  let result: CrashResult | undefined
  try {
    await server.start()
    const { today, dailyAllowed } = planDay()
    if (!dailyAllowed) log('close to local midnight: emergencies only')

    // The roster, through the admin API as the office would add it.
    const units = planUnits(submissions)
    const tokens = await addRoster(server.url(), adminToken, units)
    const plan = planSubmissions(seed, submissions, units, today, dailyAllowed)
    log(
      `${sink}: ${submissions} submissions (${plan.filter((s) => s.formId === 'emergency').length} emergencies) from ${units.length} units, concurrency ${concurrency}, ${kills} kills, seed ${seed}`,
    )

    const loadStarted = performance.now()
    const load = startLoad({ plan, tokens, concurrency, settleTimeoutMs, url: server.url, life: server.life })
    const killed = await killAndRestart(server, load, planKills(seed, submissions, kills), submissions, log)
    await load.finished
    const loadSeconds = (performance.now() - loadStarted) / 1000
    log(`load done in ${loadSeconds.toFixed(1)} s: ${load.receipts.size} acknowledged, ${load.counts.retries} retries`)

    const expectations = expectedFromReceipts(load, plan, forms)
    const readTabs = tabsReader(dataDir, sheets)
    const settleSeconds = await settle({ forms, receiver, sheets, readTabs, expected: expectations, settleTimeoutMs, problems, log })

    // stop gracefully, then read everything back
    await server.stop('SIGTERM')
    result = await verify({
      options,
      seed,
      dataDir,
      forms,
      receiver,
      readTabs,
      load,
      kills: killed,
      expected: expectations,
      outputs: server.outputs,
      loadSeconds,
      settleSeconds,
      problems,
    })
    return result
  } finally {
    await server.abandon()
    await receiver.close()
    await sheets?.close()
    if (process.env.CRASH_KEEP) console.log('kept', dataDir)
    else await rm(dataDir, { recursive: true, force: true })
    if (result) result.totalSeconds = round((performance.now() - started) / 1000)
  }
}
