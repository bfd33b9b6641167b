// The crash bench: the big variant of the crash test (testkit/crash/) on both sinks, as a table.
//
//   npx tsx bench/crash.ts [submissions] [concurrency] [kills]     (default 3000, 32, 8; both sinks)
//   CRASH_KEEP=1 keeps each run's data folder (database, workbook) for a look afterwards.
//
// `npm run bench` runs the same on 2,000 submissions and imports `crashRow`.
import { pathToFileURL } from 'node:url'
import { type CrashResult, crashTest } from '../testkit/crash/crash.ts'
import { printTable, report } from './report.ts'

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
