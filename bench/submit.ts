// Submit throughput and latency at concurrency 1, 16 and 64, each against a bare Hono route doing
// one PutItem on the same embedded DynamoDB in the same run. Prints a table; numbers, not asserts.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createInterface } from 'node:readline'
import { emergencyRequest, healthReport } from '../testkit/fixtures.ts'
import { printTable, report } from './report.ts'

const REQUESTS_PER_LEVEL = Number(process.env.BENCH_REQUESTS ?? 2000)
const LEVELS = [1, 16, 64]

interface Servers {
  ours: string
  baseline: string
  tokens: string[]
}

async function startServers(): Promise<{ servers: Servers; stop(): void }> {
  // One unit per daily first report of the run: each level's reports are each unit's first of the day.
  const units = String(REQUESTS_PER_LEVEL * LEVELS.length)
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/submit-servers.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_UNITS: units },
  })
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve))
  return { servers: JSON.parse(line) as Servers, stop: () => child.kill('SIGKILL') }
}

interface Run {
  throughput: number
  p50: number
  p99: number
  errors: number
}

/** `total` requests from `concurrency` clients, each waiting for its answer before the next. */
async function load(concurrency: number, total: number, request: (i: number) => Promise<Response>): Promise<Run> {
  const latencies: number[] = []
  let next = 0
  let errors = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++
        const t0 = performance.now()
        const res = await request(i)
        await res.arrayBuffer()
        latencies.push(performance.now() - t0)
        if (res.status >= 300) errors++
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  return { throughput: total / seconds, p50: at(0.5), p99: at(0.99), errors }
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

export async function benchSubmit(): Promise<Record<string, unknown>[]> {
  const { servers, stop } = await startServers()
  const { tokens } = servers
  const token = (i: number) => tokens[i % tokens.length] as string
  const paths = {
    baseline: (i: number) => post(`${servers.baseline}/baseline`, emergencyRequest({ n: i })),
    emergency: (i: number) =>
      post(`${servers.ours}/api/forms/emergency/submissions`, emergencyRequest(), {
        authorization: `Bearer ${token(i)}`,
        'idempotency-key': randomUUID(),
      }),
    // Each unit's first report of the day: the daily path as it mostly runs (`offset` moves each
    // level on to units that have not reported yet).
    'daily-health': (i: number) =>
      post(`${servers.ours}/api/forms/daily-health/submissions`, healthReport(), {
        authorization: `Bearer ${token(offset + i)}`,
        'idempotency-key': randomUUID(),
      }),
    // Same-day corrections by 200 units, in the process that stored their first report: one write each.
    'daily-health correction': (i: number) =>
      post(`${servers.ours}/api/forms/daily-health/submissions`, healthReport({ onDuty: 31 }), {
        authorization: `Bearer ${token(i % 200)}`,
        'idempotency-key': randomUUID(),
      }),
  }
  let offset = 0
  const rows: Record<string, unknown>[] = []
  try {
    await load(8, 300, paths.baseline) // warm-up: JIT, connections
    await load(8, 300, paths.emergency)
    for (const concurrency of LEVELS) {
      const base = await load(concurrency, REQUESTS_PER_LEVEL, paths.baseline)
      for (const path of ['emergency', 'daily-health', 'daily-health correction'] as const) {
        if (path === 'daily-health correction' && concurrency !== 16) continue
        const run = await load(concurrency, REQUESTS_PER_LEVEL, paths[path])
        if (path === 'daily-health') offset += REQUESTS_PER_LEVEL
        rows.push({
          path,
          concurrency,
          'req/s': Math.round(run.throughput),
          'p50 ms': round(run.p50),
          'p99 ms': round(run.p99),
          errors: run.errors,
          'baseline req/s': Math.round(base.throughput),
          'baseline p99 ms': round(base.p99),
          'ratio to baseline': round(run.throughput / base.throughput),
        })
      }
    }
  } finally {
    stop()
  }
  return rows
}

const round = (n: number) => Math.round(n * 100) / 100

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchSubmit()
  printTable('submit: our path vs one bare PutItem on the same dynalite', rows)
  await report('submit', rows)
}
