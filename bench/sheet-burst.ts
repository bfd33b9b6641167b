// A burst of 1,000 submissions through the real local system, mirrored to the Sheets v4 test
// server at Google's real write quota (60 a minute). Prints the write requests it took and the
// mirror lag (receipt to row visible in the sheet). Run: npx tsx bench/sheet-burst.ts [count]
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { systemClock } from '#commons/clock.ts'
import type { Logger } from '#commons/log.ts'
import { addUnit } from '#commons/units/roster.ts'
import { parseLocalConfig } from '../functions/local/config.ts'
import { createLocalSystem } from '../functions/local/system.ts'
import { startSheetsServer } from '../testkit/sheets-server.ts'
import { report } from './report.ts'

const UNITS = 20
const CONCURRENCY = 20
const TAB = '应急请求'

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN

export interface SheetBurst {
  submissions: number
  submitSeconds: number
  /** first submission to the last row visible in the sheet */
  mirroredSeconds: number
  writeRequests: number
  answers429: number
  mirrorPasses: number
  rows: number
  distinctRows: number
  lagP50Ms: number
  lagP95Ms: number
  lagMaxMs: number
}

export async function benchSheetBurst(COUNT = 1000): Promise<SheetBurst> {
  const server = await startSheetsServer({ tabs: ['Sheet1'] })
  server.setWriteQuota(60)
  const dataDir = await mkdtemp(join(tmpdir(), 'sentinel-bench-'))
  const passes: Record<string, unknown>[] = []
  const log: Logger = {
    info: (message, fields) => void (message === 'mirrored' && passes.push(fields ?? {})),
    warn: (message, fields) => console.warn('warn', message, JSON.stringify(fields)),
    error: (message, fields) => console.error('error', message, JSON.stringify(fields)),
  }
  const config = parseLocalConfig({
    DATA_DIR: dataDir,
    SHEET_ID: server.spreadsheetId,
    GOOGLE_ACCESS_TOKEN: server.token,
    SHEETS_API_URL: server.url,
  })
  const system = await createLocalSystem(config, { log, publicUrl: 'http://bench.local', workers: true })
  try {
    const tokens = await Promise.all(
      Array.from({ length: UNITS }, async (_, i) => {
        const unit = await addUnit(system.stores.units, system.forms, systemClock, {
          id: `bench-${i}`,
          name: `压测单位 ${i}`,
          forms: ['emergency'],
        })
        return unit.token
      }),
    )
    await system.mirror.drain() // tabs exist before the clock starts, as in steady use
    const writesBefore = server.writeRequestCount()

    const receivedAt = new Map<string, number>()
    const started = performance.now()
    // Watch the sheet while the burst runs: a record's lag is its receipt → its row visible.
    const seenAt = new Map<string, number>()
    let submitting = true
    const watching = (async () => {
      while (submitting || seenAt.size < receivedAt.size) {
        const t = Date.now()
        for (const row of server.values(TAB).slice(1)) {
          const id = String(row[0] ?? '')
          if (id !== '' && !seenAt.has(id)) seenAt.set(id, t)
        }
        if (performance.now() - started > 300_000) throw new Error(`only ${seenAt.size} of ${receivedAt.size} rows after 5 minutes`)
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    })()
    let next = 0
    const burst = Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let n = next++; n < COUNT; n = next++) {
          const res = await system.app.request('/api/forms/emergency/submissions', {
            method: 'POST',
            headers: { authorization: `Bearer ${tokens[n % UNITS]}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
            body: JSON.stringify({
              category: 'supplies_shortage',
              severity: 'urgent',
              location: `东园公园 ${n} 号门`,
              description: `口罩和消毒液即将用完 #${n}`,
              supplies: [{ item: 'N95 口罩', quantity: 200 }],
              contactName: '赵敏',
              contactPhone: '13700001111',
            }),
          })
          if (res.status !== 201) throw new Error(`submission ${n}: HTTP ${res.status} ${await res.text()}`)
          const receipt = (await res.json()) as { id: string; receivedAt: string }
          receivedAt.set(receipt.id, Date.parse(receipt.receivedAt))
        }
      }),
    ).finally(() => {
      submitting = false
    })
    await burst
    const submittedMs = performance.now() - started
    await watching
    const mirroredMs = performance.now() - started
    const lags = [...seenAt].map(([id, t]) => t - (receivedAt.get(id) as number)).sort((a, b) => a - b)
    const writes = server.requests.slice().filter((r) => r.method !== 'GET')
    const kinds = new Map<string, number>()
    for (const r of writes) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1)
    const rows = server
      .values(TAB)
      .slice(1)
      .filter((r) => r[0] !== '')

    const result: SheetBurst = {
      submissions: COUNT,
      submitSeconds: round(submittedMs / 1000),
      mirroredSeconds: round(mirroredMs / 1000),
      writeRequests: server.writeRequestCount() - writesBefore,
      answers429: server.requests.filter((r) => r.status === 429).length,
      mirrorPasses: passes.length,
      rows: rows.length,
      distinctRows: new Set(rows.map((r) => r[0])).size,
      lagP50Ms: percentile(lags, 50),
      lagP95Ms: percentile(lags, 95),
      lagMaxMs: lags.at(-1) ?? NaN,
    }
    console.log(`sheet burst: ${COUNT} submissions from ${UNITS} units, ${CONCURRENCY} at a time, write quota 60/min`)
    console.log(`  submitted in          ${result.submitSeconds} s (${Math.round(COUNT / (submittedMs / 1000))}/s)`)
    console.log(`  all rows in the sheet ${result.mirroredSeconds} s after the first submission`)
    console.log(
      `  write requests        ${result.writeRequests} for the burst (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')} in all)`,
    )
    console.log(`  429 answers           ${result.answers429}`)
    console.log(`  mirror passes         ${result.mirrorPasses}`)
    console.log(`  rows                  ${result.rows} (distinct ids ${result.distinctRows})`)
    console.log(`  mirror lag            p50 ${result.lagP50Ms} ms, p95 ${result.lagP95Ms} ms, max ${result.lagMaxMs} ms`)
    return result
  } finally {
    await system.close()
    await server.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

const round = (n: number) => Math.round(n * 100) / 100

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  await report('sheet-burst', await benchSheetBurst(Number(process.argv[2] ?? 1000)))
