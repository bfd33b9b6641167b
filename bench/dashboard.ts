// The leaders' dashboard at the size of a real bureau: 200 units, each owing the daily forms,
// with 14 days of reports behind it. Prints the page's weight (raw and gzipped; budget 60 KB)
// and the server's time to build it (median and p95 of repeated requests); never asserts.
import { gzipSync } from 'node:zlib'
import { addDays, localDate, zonedInstant } from '#commons/clock.ts'
import type { RecordVersion } from '#commons/model.ts'
import { healthReport, wildlifeReport } from '../testkit/fixtures.ts'
import { officeCookie, startHarness, TIME_ZONE } from '../testkit/harness.ts'

export const DASHBOARD_BUDGET_BYTES = 60 * 1024

export type DashboardWeight = {
  units: number
  days: number
  reports: number
  bytes: number
  gzipped: number
  'median ms': number
  'p95 ms': number
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0

export async function benchDashboard(units = 200, days = 14, requests = 20): Promise<DashboardWeight> {
  const h = await startHarness()
  try {
    const ids = Array.from({ length: units }, (_, i) => `unit-${String(i + 1).padStart(3, '0')}`)
    for (const id of ids) await h.unit(id, ['daily-health', 'wildlife-daily', 'emergency'])
    // Written straight to the store: the API takes reports at most 7 days back.
    const today = localDate(h.clock.now(), TIME_ZONE)
    let reports = 0
    for (let d = 0; d < days; d++) {
      const date = addDays(today, -d)
      const writes: Promise<boolean>[] = []
      ids.forEach((unitId, i) => {
        // Most units report, a few late, some not at all: the page shows every kind.
        if (i % 10 === 9) return
        const at = zonedInstant(date, i % 7 === 0 ? '11:30' : '09:15', TIME_ZONE).toISOString()
        for (const [formId, values] of [
          ['daily-health', healthReport({ feverOrRespiratory: i % 13 === 0 ? 1 : 0 })],
          ['wildlife-daily', wildlifeReport()],
        ] as const) {
          const version: RecordVersion = {
            recordId: `${formId}.${date}.${unitId}`,
            formId,
            unitId,
            date,
            version: 1,
            values: values as RecordVersion['values'],
            receivedAt: at,
            firstReceivedAt: at,
            idempotencyKey: `bench-${formId}-${date}-${unitId}`,
            pendingMirror: false,
            pendingAlert: false,
          }
          writes.push(h.stores.records.putVersion(version))
          reports++
        }
      })
      await Promise.all(writes)
    }
    const cookie = await officeCookie(h.app)
    const timings: number[] = []
    let html = ''
    for (let i = 0; i < requests; i++) {
      const started = performance.now()
      const res = await h.app.request('http://localhost/dashboard', { headers: { cookie } })
      html = await res.text()
      timings.push(performance.now() - started)
      if (res.status !== 200) throw new Error(`/dashboard answered ${res.status}`)
    }
    timings.sort((a, b) => a - b)
    return {
      units,
      days,
      reports,
      bytes: Buffer.byteLength(html),
      gzipped: gzipSync(html).length,
      'median ms': Math.round(percentile(timings, 0.5)),
      'p95 ms': Math.round(percentile(timings, 0.95)),
    }
  } finally {
    await h.close()
  }
}
