// Alert latency: an emergency submitted to the real local system until a real HTTP receiver (a
// Slack-shaped robot and a generic JSON hook) has the message — one at a time, then with the
// receiver failing its first answers. Run: npx tsx bench/alert-latency.ts
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { systemClock } from '#commons/clock.ts'
import { silentLogger } from '#commons/log.ts'
import { addUnit } from '#commons/units/roster.ts'
import { parseLocalConfig } from '../functions/local/config.ts'
import { createLocalSystem } from '../functions/local/system.ts'
import { emergencyRequest } from '../testkit/fixtures.ts'
import { startWebhookReceiver } from '../testkit/webhook-receiver.ts'
import { printTable, report } from './report.ts'

// Two rounds of 15, failed attempts included, stay under Slack's 50 a minute (targets.ts), so
// nothing here is deferred or merged: this is the single-alert path. (WeCom and DingTalk allow 18.)
const EMERGENCIES = 15
const SPACING_MS = 200

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN

export async function benchAlertLatency(): Promise<Record<string, unknown>[]> {
  const receiver = await startWebhookReceiver()
  const dataDir = await mkdtemp(join(tmpdir(), 'sentinel-bench-alerts-'))
  const config = parseLocalConfig({
    DATA_DIR: dataDir,
    DEMO: 'off',
    ALERT_WEBHOOKS: `slack=${receiver.url}/services/T0/B0/bench,json=${receiver.url}/hooks/alerts`,
    ALERT_TICK_S: '1',
    // one unit raises all 30: latency, not the per-unit rate, is measured here
    UNIT_ALERT_LIMIT: '100',
  })
  const system = await createLocalSystem(config, { log: silentLogger, publicUrl: 'http://bench.local', workers: true })
  const { token } = await addUnit(system.stores.units, system.forms, systemClock, { id: 'bench-park', name: '基准公园', type: 'park' })
  const rows: Record<string, unknown>[] = []
  try {
    for (const failuresFirst of [0, 2]) {
      const latencies: Record<string, number[]> = { slack: [], json: [] }
      for (let i = 0; i < EMERGENCIES; i++) {
        receiver.reset()
        if (failuresFirst > 0) receiver.failNext(failuresFirst, 503)
        const sent = Date.now()
        const res = await system.app.request('/api/forms/emergency/submissions', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify(emergencyRequest({ description: `基准告警 ${i}` })),
        })
        if (res.status !== 201) throw new Error(`emergency ${i}: HTTP ${res.status}`)
        // Both channels, after the injected failures: the successful deliveries are the last two.
        const requests = await receiver.waitFor(failuresFirst + 2, 60_000)
        const delivered = requests.slice(failuresFirst)
        for (const r of delivered) latencies[r.path.startsWith('/services/') ? 'slack' : 'json']?.push(r.receivedAt - sent)
        await new Promise((r) => setTimeout(r, SPACING_MS))
      }
      for (const [channel, values] of Object.entries(latencies)) {
        const sorted = values.sort((a, b) => a - b)
        rows.push({
          channel,
          'receiver fails first': failuresFirst,
          alerts: sorted.length,
          'p50 ms': percentile(sorted, 50),
          'p95 ms': percentile(sorted, 95),
          'max ms': sorted.at(-1),
        })
      }
    }
  } finally {
    await system.close()
    await receiver.close()
    await rm(dataDir, { recursive: true, force: true })
  }
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchAlertLatency()
  printTable('alert latency: submission sent → the robot has the message', rows)
  await report('alert-latency', rows)
}
