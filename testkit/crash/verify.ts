// The crash run's checks, from the database itself once the server is stopped: every acknowledged
// key stored exactly once; the workbook or the Sheets test server holds one row per record showing
// its current version, nothing else; every emergency alerted, none twice.
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createDynamoClients } from '#commons/adapters/dynamo/client.ts'
import { createDynamoEmergencyStore } from '#commons/adapters/dynamo/emergencies.ts'
import { scanItems } from '#commons/adapters/dynamo/paging.ts'
import { createDynamoStores, recordVersionOf } from '#commons/adapters/dynamo/stores.ts'
import { defaultTableName } from '#commons/adapters/dynamo/table.ts'
import { alertIdOf, emergencyIdFor } from '#commons/emergencies/emergency.ts'
import { EMERGENCY_TAB, emergencyTab } from '#commons/emergencies/sheet-tab.ts'
import type { FormRegistry } from '#commons/forms/registry.ts'
import type { RecordVersion } from '#commons/model.ts'
import { formTabLayout, recordRow } from '#commons/sheet/layout.ts'
import { startEmbeddedDynamo } from '../../functions/local/embedded-dynamodb.ts'
import { readWorkbook } from '../harness.ts'
import type { SheetsServer } from '../sheets-server.ts'
import type { WebhookReceiver } from '../webhook-receiver.ts'
import type { CrashOptions, CrashResult } from './crash.ts'
import type { Kills } from './kill.ts'
import type { Load } from './load.ts'
import { type Submission, TIME_ZONE } from './plan.ts'

/** A cell as text, so a workbook's and a sheet's reading of the same value compare equal. */
const text = (cell: unknown): string => (cell === undefined || cell === null ? '' : String(cell))
/** A row as comparable text: cells as text, trailing empty cells dropped. */
function rowKey(row: readonly unknown[]): string {
  const cells = Array.from(row, text)
  while (cells.length > 0 && cells.at(-1) === '') cells.pop()
  return JSON.stringify(cells)
}
const blank = (row: readonly unknown[]) => Array.from(row, text).every((c) => c === '')

export interface Tabs {
  /** data rows (below the header) of a tab */
  rows(tab: string): unknown[][]
}

export const round = (n: number) => Math.round(n * 10) / 10

/** What the database, the sheet and the receiver must hold, from the receipts. */
export interface Expected {
  /** recordId → highest acknowledged version */
  expectedVersion: Map<string, number>
  byKey: Map<string, Submission>
  alertingRecords: Set<string>
  expectedAlertIds: Set<string>
  /** form id → its tab's title */
  tabOf: Map<string, string>
}

export function expectedFromReceipts(load: Load, plan: Submission[], forms: FormRegistry): Expected {
  const { receipts } = load
  const expectedVersion = new Map<string, number>() // recordId → highest acknowledged version
  for (const { receipt } of receipts.values()) {
    expectedVersion.set(receipt.id, Math.max(expectedVersion.get(receipt.id) ?? 0, receipt.version))
  }
  const byKey = new Map(plan.map((s) => [s.key, s]))
  const alertingRecords = new Set<string>()
  for (const [key, { receipt }] of receipts) if (byKey.get(key)?.alerting) alertingRecords.add(receipt.id)
  const expectedAlertIds = new Set([...alertingRecords].map((id) => alertIdOf(emergencyIdFor(id), 0)))
  const tabOf = new Map(forms.all.map((f) => [f.id, formTabLayout(f).title]))
  return { expectedVersion, byKey, alertingRecords, expectedAlertIds, tabOf }
}

/** Reads the sink's tabs: the Sheets test server's, or the workbook in the data folder. */
export function tabsReader(dataDir: string, sheets: SheetsServer | undefined): () => Promise<Tabs> {
  return async (): Promise<Tabs> => {
    if (sheets) return { rows: (tab) => sheets.values(tab).slice(1) }
    const path = join(dataDir, 'leaders.xlsx')
    const book = existsSync(path) ? await readWorkbook(path) : new Map<string, unknown[][]>()
    return { rows: (tab) => (book.get(tab) ?? []).slice(1) }
  }
}

/**
 * Waits until the sheet shows every record's acknowledged version and the 应急 tab every emergency
 * delivered, and the receiver has every alert; a problem after `settleTimeoutMs`. Returns the seconds it took.
 */
export async function settle(run: {
  forms: FormRegistry
  receiver: WebhookReceiver
  sheets: SheetsServer | undefined
  readTabs: () => Promise<Tabs>
  expected: Expected
  settleTimeoutMs: number
  problems: string[]
  log: (line: string) => void
}): Promise<number> {
  const { forms, receiver, sheets, readTabs, settleTimeoutMs, problems, log } = run
  const { expectedVersion, alertingRecords, expectedAlertIds, tabOf } = run.expected
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
  return settleSeconds
}

/** The facts of a finished run, and everything that is not as it must be in `problems`. */
export async function verify(run: {
  options: Pick<CrashOptions, 'submissions' | 'concurrency' | 'kills' | 'sink'>
  seed: number
  dataDir: string
  forms: FormRegistry
  receiver: WebhookReceiver
  readTabs: () => Promise<Tabs>
  load: Load
  kills: Kills
  expected: Expected
  outputs: string[]
  loadSeconds: number
  settleSeconds: number
  problems: string[]
}): Promise<CrashResult> {
  const { submissions, concurrency, kills, sink } = run.options
  const { seed, dataDir, forms, receiver, readTabs, outputs, loadSeconds, settleSeconds, problems } = run
  const { receipts, firstAckOfLife, statuses, counts, unexpected } = run.load
  const { killTimes, killsDuringLoad, recoverMs } = run.kills
  const { expectedVersion, byKey, alertingRecords, expectedAlertIds, tabOf } = run.expected
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

  const result: CrashResult = {
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
}

/** Everything the checks need, read from the stopped server's database directly. */
async function readDatabase(dataDir: string, forms: FormRegistry) {
  const dynamo = await startEmbeddedDynamo(join(dataDir, 'db'))
  const { client, doc } = createDynamoClients(dynamo.endpoint, dynamo.socketPath)
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
