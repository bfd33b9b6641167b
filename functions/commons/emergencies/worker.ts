// The alert worker. One pass: turns each record version marked for the alerter into its
// emergency (idempotent: the id comes from the record), plans what is due (the first alert,
// escalations of emergencies nobody acknowledged), delivers to every channel, records each
// delivery, and only then clears the record's mark. Channels are independent: one failing or
// rate-limited channel never holds up another (in a long-lived process, `lanes` keep a slow channel
// from holding up the next pass too). A crash anywhere repeats work, never loses it;
// a channel may see an alert again only if the crash fell between its answer and the record,
// and then with the same id.

import type { DeliveryResult } from '../channels/deliver.ts'
import type { AlertMessage, Severity } from '../channels/message.ts'
import type { AlertChannel } from '../channels/targets.ts'
import type { Clock } from '../clock.ts'
import type { Lang } from '../forms/definition.ts'
import type { FormRegistry } from '../forms/registry.ts'
import type { Logger } from '../log.ts'
import type { RecordVersion } from '../model.ts'
import { photoLinks } from '../photos/photos.ts'
import type { EmergencyStore, RecordStore, UnitStore } from '../store.ts'
import { ackUrl, signAckToken } from './ack-link.ts'
import { composeAlert, mergeAlerts } from './compose.ts'
import {
  type Delivery,
  type DeliveryOutcome,
  dueDeliveries,
  type Emergency,
  type EscalationPolicy,
  emergencyFrom,
  plan,
  recordOutcomes,
} from './emergency.ts'

export interface RetryPolicy {
  /** tries of one delivery within one pass */
  attemptsPerPass: number
  /** waits between those tries */
  delaysMs: number[]
  /** a robot asking for a longer pause is left to a later pass */
  maxInPassWaitMs: number
  /** after this many tries in all, a delivery is given up as failed */
  maxAttempts: number
  /** back-off between passes: base × 2^(tries − 1), at most `maxBackoffMs` */
  backoffMs: number
  maxBackoffMs: number
  sleep(ms: number): Promise<void>
}

export const defaultRetryPolicy: RetryPolicy = {
  attemptsPerPass: 3,
  delaysMs: [500, 2000],
  maxInPassWaitMs: 5000,
  maxAttempts: 20,
  backoffMs: 5000,
  maxBackoffMs: 10 * 60_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

/** Messages sent per channel in the last minute (in memory: one per process, like the robots' own view). */
export interface RateWindow {
  remaining(channel: string, perMinute: number, now: Date): number
  /** when the oldest send in the window leaves it */
  freeAt(channel: string, now: Date): Date
  record(channel: string, now: Date): void
}

export function createRateWindow(): RateWindow {
  const sent = new Map<string, number[]>()
  const recent = (channel: string, now: Date) => {
    const list = (sent.get(channel) ?? []).filter((t) => t > now.getTime() - 60_000)
    sent.set(channel, list)
    return list
  }
  return {
    remaining: (channel, perMinute, now) => Math.max(0, perMinute - recent(channel, now).length),
    freeAt: (channel, now) => new Date((recent(channel, now)[0] ?? now.getTime() - 60_000) + 60_000),
    record: (channel, now) => {
      recent(channel, now).push(now.getTime())
    },
  }
}

export interface AlertWorkerDeps {
  records: RecordStore
  units: UnitStore
  emergencies: EmergencyStore
  forms: FormRegistry
  /** first alerts go to `alert`; escalations to `escalation` */
  channels: { alert: AlertChannel[]; escalation: AlertChannel[] }
  policy: EscalationPolicy
  retry: RetryPolicy
  rate: RateWindow
  clock: Clock
  timeZone: string
  lang: Lang
  /** for the acknowledge links and the board */
  publicUrl: string
  ackKey: string
  ackTtlS: number
  log: Logger
  /** told when an emergency was created or changed (the sheet's 应急 tab follows) */
  onChanged?: () => void
  /** a long-lived process's channel lanes (see ChannelLanes); without them a pass waits for every channel */
  lanes?: ChannelLanes
}

/**
 * Channels at work across passes, in one long-lived process (the local server). A pass waits for
 * its channels up to `waitMs`, then leaves a slow one (a robot that does not answer, back-off
 * waits) working in the background. Later passes skip a channel while it is busy, so a new
 * emergency reaches every other channel at once; the busy channel's deliveries stay due and are
 * taken up when it is free again (`freed` asks for that pass). A channel records its own outcomes.
 * functions/local/channel-lanes.ts makes them.
 */
export interface ChannelLanes {
  readonly waitMs: number
  /** the channels at work, by name */
  readonly busy: Map<string, Promise<void>>
  freed?: () => void
}

export interface AlertPassResult {
  created: number
  delivered: number
  failed: number
  /** failures that are final (no retry planned): the alarm's count */
  gaveUp: number
  more: boolean
}

interface Job {
  emergency: Emergency
  delivery: Delivery
  message: AlertMessage
  /** beyond its unit's alert rate, on a channel that does not get every alert: recorded, not sent */
  held: boolean
}

const RANK: Record<Severity, number> = { critical: 0, urgent: 1, general: 2 }

/** Records beyond their unit's alert rate taken in one pass, at most. */
const HELD_PER_PASS = 10

/** What a delivery held back by its unit's alert rate is recorded as merged into (the outbox page shows it). */
const HELD_BY_UNIT_RATE = 'board: unit over its alert rate'

/**
 * The order a channel sends in: every unit's first alert before any unit's second, and among
 * those, units with fewer alerts due first, so one unit's flood cannot keep another unit's alert
 * out of the robot's minute or bury it at the end of a merged message; then the most severe, then
 * the oldest.
 */
function fairOrder(list: Job[]): Job[] {
  const bySeverity = [...list].sort(
    (a, b) => RANK[a.message.severity] - RANK[b.message.severity] || a.message.createdAt.localeCompare(b.message.createdAt),
  )
  const due = new Map<string, number>()
  const turn = new Map<Job, number>()
  for (const job of bySeverity) {
    const n = (due.get(job.emergency.unitId) ?? 0) + 1
    due.set(job.emergency.unitId, n)
    turn.set(job, n)
  }
  const rank = (job: Job) => [turn.get(job) ?? 0, due.get(job.emergency.unitId) ?? 0] as const
  return bySeverity.sort((a, b) => {
    const [x, y] = [rank(a), rank(b)]
    return x[0] - y[0] || x[1] - y[1]
  })
}

export async function alertPass(deps: AlertWorkerDeps, options: { limit?: number } = {}): Promise<AlertPassResult> {
  const limit = options.limit ?? 50
  const now = deps.clock.now()
  const pending = await deps.records.pendingAlerts(limit)
  // A flood held back by its unit's rate comes last (the store's order) and a few at a time, so a
  // pass stays short and another unit's alert submitted meanwhile waits for one short pass at most.
  const heldBack = pending.filter((v) => v.alert?.overRate?.kind === 'more')
  const marked = [...pending.filter((v) => v.alert?.overRate?.kind !== 'more'), ...heldBack.slice(0, HELD_PER_PASS)]
  // Creating and reading touch every item at once: under a burst the process is busy with
  // submissions, and one database round trip per item after another would let the alerts fall behind.
  const made = await Promise.all(
    marked.map((v) => v.alert !== undefined && deps.emergencies.create(emergencyFrom({ ...v, alert: v.alert }))),
  )
  const created = made.filter(Boolean).length

  const names = { alert: deps.channels.alert.map((c) => c.name), escalation: deps.channels.escalation.map((c) => c.name) }
  const due = await deps.emergencies.due(now, limit)
  // The emergencies just created are due now: planned in this pass even when older ones (a flood's)
  // fill the due list, so a new unit's alert never waits behind another unit's backlog.
  const fresh = marked.flatMap((v, i) => (made[i] && v.alert ? [emergencyFrom({ ...v, alert: v.alert })] : []))
  const toPlan = [...fresh.filter((e) => !due.some((d) => d.id === e.id)), ...due]
  const planned = (
    await Promise.all(toPlan.map((e) => deps.emergencies.update(e.id, (current) => plan(current, now, deps.policy, names))))
  ).filter((e): e is Emergency => e !== undefined)

  const { jobs, skipped } = await jobsFor(deps, planned, now)
  // Beyond their unit's rate: recorded at once for every channel that does not get every alert
  // (one write per emergency), so they never occupy a robot's lane.
  const at = now.toISOString()
  const held = new Map(
    jobs
      .filter((job) => job.held)
      .map((job): [Job, DeliveryOutcome] => [
        job,
        { alertId: job.delivery.alertId, channel: job.delivery.channel, ok: true, attempts: 0, at, mergedInto: HELD_BY_UNIT_RATE },
      ]),
  )
  if (held.size > 0) await recordAll(deps, held)
  const outcomes = await deliverJobs(
    deps,
    jobs.filter((job) => !job.held),
  )
  for (const [job, outcome] of held) outcomes.set(job, outcome)

  // The mark's effect is the emergency, which now carries its own deliveries and escalations.
  // One after another: dynalite drops a mark's index entry before it writes the item, so a kill
  // amid many clears at once would strand as many marks on their items (harmless, but untidy).
  for (const version of marked) await deps.records.clearAlert(version)
  const delivered = [...outcomes.values()].filter((o) => o.ok).length
  const failed = [...outcomes.values()].filter((o) => !o.ok).length
  const gaveUp = [...outcomes.values()].filter((o) => !o.ok && o.retryAt === undefined).length
  if (created > 0 || outcomes.size > 0) deps.onChanged?.()
  // Deliveries left to a busy channel are not "more": its lane asks for a pass when it is free.
  return {
    created,
    delivered,
    failed,
    gaveUp,
    more: pending.length >= limit || heldBack.length > HELD_PER_PASS || (due.length >= limit && skipped === 0),
  }
}

/** What each emergency's record says after these outcomes (one update per emergency touched). */
async function recordAll(deps: AlertWorkerDeps, outcomes: Map<Job, DeliveryOutcome>): Promise<void> {
  const byEmergency = new Map<string, DeliveryOutcome[]>()
  for (const [job, outcome] of outcomes) byEmergency.set(job.emergency.id, [...(byEmergency.get(job.emergency.id) ?? []), outcome])
  await Promise.all(
    [...byEmergency].map(([id, list]) => deps.emergencies.update(id, (current) => recordOutcomes(current, list, deps.policy))),
  )
}

async function jobsFor(deps: AlertWorkerDeps, emergencies: Emergency[], now: Date): Promise<{ jobs: Job[]; skipped: number }> {
  let skipped = 0
  const everyAlert = new Set([...deps.channels.alert, ...deps.channels.escalation].filter((c) => c.everyAlert).map((c) => c.name))
  const perEmergency = await Promise.all(
    emergencies.map(async (e): Promise<Job[]> => {
      const due = dueDeliveries(e, now)
      const deliveries = due.filter((d) => !deps.lanes?.busy.has(d.channel))
      skipped += due.length - deliveries.length
      if (deliveries.length === 0) return []
      const jobs: Job[] = []
      const [versions, unit] = await Promise.all([deps.records.versions(e.recordId), deps.units.get(e.unitId)])
      const record: RecordVersion | undefined = versions.at(-1)
      const beyondRate = versions.some((v) => v.alert?.overRate?.kind === 'more')
      const messages = new Map<number, AlertMessage>()
      for (const delivery of deliveries) {
        let message = messages.get(delivery.escalation)
        if (!message) {
          const createdAt = e.alerts.find((a) => a.id === delivery.alertId)?.createdAt ?? e.createdAt
          // The link's expiry counts from the alert, so every retry carries the same link.
          const token = signAckToken(e.id, new Date(Date.parse(createdAt) + deps.ackTtlS * 1000), deps.ackKey)
          message = composeAlert({
            emergency: e,
            escalation: delivery.escalation,
            createdAt,
            form: deps.forms.get(e.formId),
            record,
            unitName: unit?.name ?? e.unitId,
            forms: deps.forms,
            ackUrl: ackUrl(deps.publicUrl, token),
            lang: deps.lang,
            links: photoLinks(deps.publicUrl),
          })
          messages.set(delivery.escalation, message)
        }
        jobs.push({ emergency: e, delivery, message, held: beyondRate && !everyAlert.has(delivery.channel) })
      }
      return jobs
    }),
  )
  return { jobs: perEmergency.flat(), skipped }
}

/**
 * Every channel at once; within a channel one message after another, the most severe first. Each
 * channel records its outcomes when it is done. The outcomes of the channels done in time (all of
 * them without lanes).
 */
async function deliverJobs(deps: AlertWorkerDeps, jobs: Job[]): Promise<Map<Job, DeliveryOutcome>> {
  const channels = new Map([...deps.channels.alert, ...deps.channels.escalation].map((c) => [c.name, c]))
  const outcomes = new Map<Job, DeliveryOutcome>()
  const byChannel = new Map<string, Job[]>()
  for (const job of jobs) byChannel.set(job.delivery.channel, [...(byChannel.get(job.delivery.channel) ?? []), job])
  let passOver = false
  const tasks = [...byChannel].map(async ([name, list]) => {
    const mine = new Map<Job, DeliveryOutcome>()
    const channel = channels.get(name)
    // Each message's outcome is recorded as soon as it is known, while the next one goes out: a
    // crash then repeats at most the messages whose record was still on its way.
    const recording: Promise<void>[] = []
    let recordFailed: { error: unknown } | undefined
    const record = (outcomes: Map<Job, DeliveryOutcome>) =>
      recording.push(
        recordAll(deps, outcomes).catch((error: unknown) => {
          recordFailed ??= { error }
        }),
      )
    if (!channel) {
      const at = deps.clock.now().toISOString()
      for (const job of list)
        mine.set(job, { alertId: job.delivery.alertId, channel: name, ok: false, attempts: 0, at, error: 'channel no longer configured' })
      record(mine)
    } else {
      for (const [jobsOfMessage, message] of batches(deps, channel, fairOrder(list))) {
        const outcome = await sendWithRetries(deps, channel, message, jobsOfMessage)
        const these = new Map(
          jobsOfMessage.map((job): [Job, DeliveryOutcome] => [job, { ...outcome, alertId: job.delivery.alertId, channel: name }]),
        )
        record(these)
        for (const [job, o] of these) mine.set(job, o)
      }
    }
    await Promise.all(recording)
    if (recordFailed) throw recordFailed.error
    if (passOver)
      deps.onChanged?.() // done after its pass: the sheet's tab follows
    else for (const [job, outcome] of mine) outcomes.set(job, outcome)
  })
  const { lanes } = deps
  if (!lanes) {
    await Promise.all(tasks)
    return outcomes
  }
  ;[...byChannel.keys()].forEach((name, i) => {
    const lane = (tasks[i] as Promise<void>)
      .catch((error: unknown) => deps.log.error('alert channel failed; its deliveries stay due', { channel: name, error }))
      .finally(() => {
        lanes.busy.delete(name)
        if (passOver) lanes.freed?.()
      })
    lanes.busy.set(name, lane)
  })
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    Promise.allSettled(tasks),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, lanes.waitMs)
    }),
  ])
  clearTimeout(timer)
  passOver = true
  return outcomes
}

/**
 * What to send to a channel now. Within its rate: one message per alert. Beyond it: the rest go
 * as one merged message in the last free slot; with no slot left they wait for one.
 */
function batches(deps: AlertWorkerDeps, channel: AlertChannel, list: Job[]): [Job[], AlertMessage | 'wait'][] {
  const now = deps.clock.now()
  if (channel.perMinute === undefined) return list.map((job) => [[job], job.message])
  const free = deps.rate.remaining(channel.name, channel.perMinute, now)
  if (list.length <= free) return list.map((job) => [[job], job.message])
  if (free === 0 || !channel.mergeable) {
    return [...list.slice(0, free).map((job): [Job[], AlertMessage] => [[job], job.message]), [list.slice(free), 'wait']]
  }
  const single = list.slice(0, free - 1)
  const rest = list.slice(free - 1)
  const merged =
    rest.length === 1
      ? (rest[0] as Job).message
      : mergeAlerts(
          rest.map((j) => j.message),
          `${deps.publicUrl}/emergencies`,
          now,
        )
  return [...single.map((job): [Job[], AlertMessage] => [[job], job.message]), [rest, merged]]
}

type Outcome = DeliveryOutcome extends infer T ? (T extends unknown ? Omit<T, 'alertId' | 'channel'> : never) : never

async function sendWithRetries(
  deps: AlertWorkerDeps,
  channel: AlertChannel,
  message: AlertMessage | 'wait',
  jobs: Job[],
): Promise<Outcome> {
  const previous = Math.max(...jobs.map((j) => j.delivery.attempts))
  if (message === 'wait') {
    const retryAt = deps.rate.freeAt(channel.name, deps.clock.now()).toISOString()
    return { ok: false, attempts: 0, at: deps.clock.now().toISOString(), retryAt, error: 'waiting for the robot rate limit' }
  }
  const merged = jobs.length > 1 || jobs[0]?.message !== message
  let tried = 0
  let result: Extract<DeliveryResult, { ok: false }>
  for (;;) {
    deps.rate.record(channel.name, deps.clock.now())
    const answer = await channel.send(message)
    tried++
    if (answer.ok) {
      return { ok: true, attempts: tried, at: deps.clock.now().toISOString(), ...(merged ? { mergedInto: message.id } : {}) }
    }
    result = answer
    deps.log.warn('alert delivery failed', { alertId: message.id, channel: channel.name, attempt: previous + tried, error: result.error })
    const wait = result.retryAfterMs ?? deps.retry.delaysMs[tried - 1] ?? deps.retry.delaysMs.at(-1) ?? 0
    if (!result.retryable || wait > deps.retry.maxInPassWaitMs || tried >= deps.retry.attemptsPerPass) break
    await deps.retry.sleep(wait)
  }
  const attempts = previous + tried
  if (!result.retryable || attempts >= deps.retry.maxAttempts) {
    deps.log.error('alert delivery given up', { alertId: message.id, channel: channel.name, attempts, error: result.error })
    return { ok: false, attempts: tried, at: deps.clock.now().toISOString(), error: result.error }
  }
  const backoff = Math.min(deps.retry.maxBackoffMs, deps.retry.backoffMs * 2 ** Math.max(0, attempts - 1))
  const retryAt = new Date(deps.clock.now().getTime() + Math.max(backoff, result.retryAfterMs ?? 0)).toISOString()
  return { ok: false, attempts: tried, at: deps.clock.now().toISOString(), retryAt, error: result.error }
}
