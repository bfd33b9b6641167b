// The crash run's load: the roster added through the admin API, then concurrent clients sending
// the plan with its Idempotency-Keys, retrying whatever got no 2xx with the same key and body.
import { setTimeout as sleep } from 'node:timers/promises'
import type { SubmissionReceipt } from '#commons/model.ts'
import type { PlannedUnit, Submission } from './plan.ts'

/** Adds the roster as the office would, and returns each unit's token. */
export async function addRoster(url: string, adminToken: string, units: PlannedUnit[]): Promise<Map<string, string>> {
  const tokens = new Map<string, string>()
  for (const unit of units) {
    const res = await fetch(`${url}/api/admin/units`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(unit),
    })
    if (res.status !== 201) throw new Error(`adding unit ${unit.id}: HTTP ${res.status} ${await res.text()}`)
    tokens.set(unit.id, ((await res.json()) as { token: string }).token)
  }
  return tokens
}

/** What the clients saw, filled in while they run. */
export interface Load {
  /** acknowledged keys → the receipt and the status of the try that got it */
  receipts: Map<string, { receipt: SubmissionReceipt; status: number }>
  /** server life → the first 2xx it gave */
  firstAckOfLife: Map<number, number>
  statuses: Record<string, number>
  counts: { retries: number; networkErrors: number; serverErrors: number; gaveUp: number }
  unexpected: string[]
  /** 2xx since the killer last reset it */
  acksSinceStart: number
  /** every client has finished */
  done: boolean
  finished: Promise<void>
}

export interface LoadOptions {
  plan: Submission[]
  tokens: Map<string, string>
  concurrency: number
  settleTimeoutMs: number
  /** the server's address now: it may move between two lives */
  url(): string
  /** the server's life now (0 for the first start, one more per restart) */
  life(): number
}

/** Starts `concurrency` clients taking the plan's submissions in turn; `finished` settles when all are sent. */
export function startLoad(options: LoadOptions): Load {
  const { plan, tokens, concurrency, settleTimeoutMs, url } = options
  const load: Load = {
    receipts: new Map(),
    firstAckOfLife: new Map(),
    statuses: {},
    counts: { retries: 0, networkErrors: 0, serverErrors: 0, gaveUp: 0 },
    unexpected: [],
    acksSinceStart: 0,
    done: false,
    finished: Promise.resolve(),
  }
  const { receipts, firstAckOfLife, statuses, counts, unexpected } = load
  let next = 0

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
      const lifeAtSend = options.life()
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
        load.acksSinceStart++
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

  load.finished = Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < plan.length; i = next++) await send(plan[i] as Submission)
    }),
  ).then(() => {
    load.done = true
  })
  return load
}
