// `npm run bench`: every benchmark in turn, a table each, all of them in bench/report.json, and
// the targets of DESIGN §6 checked against the numbers at the end (printed, never asserted).
// `npm run bench -- submit alerts` runs only the named ones.

import { crashTest } from '../testkit/crash/crash.ts'
import { benchAlertLatency } from './alert-latency.ts'
import { benchBundles } from './bundles.ts'
import { crashRow } from './crash.ts'
import { benchDashboard, DASHBOARD_BUDGET_BYTES } from './dashboard.ts'
import { benchField } from './field.ts'
import { benchPageWeight } from './page-weight.ts'
import { printTable, report } from './report.ts'
import { benchSheetBurst, type SheetBurst } from './sheet-burst.ts'
import { benchSubmit } from './submit.ts'

type Verdict = {
  target: string
  measured: string
  met: boolean
}

const verdicts: Verdict[] = []
const check = (target: string, measured: string, met: boolean) => verdicts.push({ target, measured, met })

const benches: Record<string, () => Promise<void>> = {
  async submit() {
    const rows = await benchSubmit()
    printTable('submit: our path vs a bare Hono route doing one PutItem on the same dynalite', rows)
    await report('submit', rows)
    for (const row of rows) {
      const ratio = row['ratio to baseline'] as number
      check(`${row.path} at ${row.concurrency}: ≥ 0.7× the baseline's throughput`, `${ratio}×`, ratio >= 0.7)
      if (row.concurrency === 16) check(`${row.path} at 16: p99 < 100 ms`, `${row['p99 ms']} ms`, (row['p99 ms'] as number) < 100)
    }
  },
  async sheet() {
    const burst: SheetBurst = await benchSheetBurst(1000)
    await report('sheet-burst', burst)
    check('1,000-submission burst: ≤ 20 write requests', String(burst.writeRequests), burst.writeRequests <= 20)
    check(
      '1,000-submission burst: every row once',
      `${burst.distinctRows}/${burst.submissions}`,
      burst.distinctRows === burst.submissions && burst.rows === burst.submissions,
    )
  },
  async alerts() {
    const rows = await benchAlertLatency()
    printTable('alert latency: submission sent → the robot has the message', rows)
    await report('alert-latency', rows)
    const worst = Math.max(...rows.filter((r) => r['receiver fails first'] === 0).map((r) => r['p95 ms'] as number))
    check('alert at the robot within seconds (p95, receiver up)', `${worst} ms`, worst < 5000)
  },
  async crash() {
    const results = []
    for (const sink of ['workbook', 'sheet'] as const) {
      results.push(await crashTest({ submissions: 2000, concurrency: 32, kills: 6, sink, log: (line) => console.log(`  ${line}`) }))
    }
    printTable('crash: SIGKILL at random moments under load, clients retrying what got no 2xx', results.map(crashRow))
    await report('crash', results)
    for (const r of results) {
      const exact = r.duplicateKeys === 0 && r.missingKeys === 0 && r.rowsMissing + r.rowsDuplicated + r.rowsExtra + r.rowsWrong === 0
      check(
        `crash (${r.sink}): every acknowledged submission once, rows exact`,
        `${r.keysFound}/${r.acknowledged} keys, ${r.rowsFound}/${r.rowsExpected} rows`,
        exact,
      )
      check(
        `crash (${r.sink}): no alert lost or doubled`,
        `${r.alertsDelivered}/${r.alertsExpected}`,
        r.alertsMissing === 0 && r.alertsDoubled === 0,
      )
    }
  },
  async bundles() {
    console.log('\nbundles: minified size and a cold start in a fresh Node process (init, first request)')
    await benchBundles()
  },
  async dashboard() {
    const weight = await benchDashboard()
    printTable('the leaders’ dashboard with 200 units and 14 days of reports (budget 60 KB)', [weight])
    await report('dashboard', weight)
    check('dashboard under 60 KB', `${weight.bytes} bytes (${weight.gzipped} gzipped)`, weight.bytes <= DASHBOARD_BUDGET_BYTES)
  },
  async field() {
    const field = await benchField()
    printTable('from the field: slow 3G (400 kbps, 400 ms RTT), no signal, a 12 MP photo', [field])
    await report('field', field)
    check(
      'first visit to a form on slow 3G usable within 3 s',
      `${field['first visit on slow 3G, ms']} ms`,
      field['first visit on slow 3G, ms'] <= 3000,
    )
    check('a cached form opens offline within 1 s', `${field['cached form offline, ms']} ms`, field['cached form offline, ms'] <= 1000)
    check(
      'a 12 MP photo under 500 KB before upload',
      `${field['photo chosen, bytes']} → ${field['photo uploaded, bytes']} bytes`,
      field['photo uploaded, bytes'] < 500 * 1024,
    )
  },
  async pages() {
    const rows = await benchPageWeight()
    printTable('page weight in bytes (budget 30 KB in all; CSS inline, JS cached after the first page)', rows)
    await report('page-weight', rows)
    const heaviest = Math.max(...rows.map((r) => r.total))
    check(
      'every page under 30 KB in all',
      `${heaviest} bytes at most`,
      rows.every((r) => r.underBudget),
    )
  },
}

const chosen = process.argv.slice(2)
const unknown = chosen.filter((name) => !(name in benches))
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`)
  process.exit(2)
}
const started = performance.now()
for (const [name, bench] of Object.entries(benches)) {
  if (chosen.length > 0 && !chosen.includes(name)) continue
  console.log(`\n=== ${name} ===`)
  await bench()
}
printTable(`targets (bench took ${Math.round((performance.now() - started) / 1000)} s; report in bench/report.json)`, verdicts)
