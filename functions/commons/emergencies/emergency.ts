// An emergency's life: open → acknowledged → resolved, its alerts (the first one and each
// escalation) and every delivery of each alert to each channel. Pure functions over one value:
// the store saves it whole with optimistic concurrency, the worker and the API only mutate it.
import { createHash } from 'node:crypto'
import type { Severity } from '../forms/definition.ts'
import type { RecordVersion } from '../model.ts'

export type EmergencyStatus = 'open' | 'acknowledged' | 'resolved'

type DeliveryState = 'pending' | 'delivered' | 'failed' | 'cancelled'

/** One alert (the first, or the n-th escalation) to one channel. */
export interface Delivery {
  /** `<emergencyId>.<escalation>`: the same on every retry */
  alertId: string
  escalation: number
  /** the channel's stable name, safe to show */
  channel: string
  state: DeliveryState
  attempts: number
  /** not before this time (ISO), after a failed attempt */
  nextAttemptAt?: string
  deliveredAt?: string
  /** from the alert's creation to the channel's answer */
  latencyMs?: number
  /** set when the alert went out merged with others (robot rate limits) */
  mergedInto?: string
  /** the last failure, secret-free */
  error?: string
}

/** An alert as it was raised: the outbox lists these. */
interface AlertRecord {
  id: string
  escalation: number
  createdAt: string
}

export interface Emergency {
  /** derived from the record id, so creating it again is a no-op */
  id: string
  /** the record (submission) that raised it */
  recordId: string
  version: number
  formId: string
  unitId: string
  date: string
  category: string
  severity: Severity
  /** when the submission arrived: escalation windows count from here */
  createdAt: string
  status: EmergencyStatus
  acknowledgedAt?: string
  acknowledgedBy?: string
  resolvedAt?: string
  resolvedBy?: string
  /** escalations sent so far */
  escalations: number
  alerts: AlertRecord[]
  deliveries: Delivery[]
  /** the next time the worker must look at it; absent when nothing is left to do */
  wakeAt?: string
  /** optimistic concurrency: bumped by every save */
  rev: number
}

export class EmergencyNotFoundError extends Error {
  override name = 'EmergencyNotFoundError'
}

/** How long an unacknowledged emergency waits before each escalation, and how many there are. */
export interface EscalationPolicy {
  /** ESCALATE_AFTER_S for every severity; otherwise the defaults below */
  afterS?: number
  /** at most this many escalations per emergency */
  max: number
}

const DEFAULT_ESCALATE_AFTER_S: Record<Severity, number> = { critical: 300, urgent: 900, general: 3600 }
export const DEFAULT_MAX_ESCALATIONS = 3

const escalationWindowMs = (policy: EscalationPolicy, severity: Severity): number =>
  (policy.afterS ?? DEFAULT_ESCALATE_AFTER_S[severity]) * 1000

export const emergencyIdFor = (recordId: string): string => `em-${createHash('sha256').update(recordId).digest('hex').slice(0, 20)}`

export const alertIdOf = (emergencyId: string, escalation: number) => `${emergencyId}.${escalation}`

/** The emergency a marked version raises (its first alert is planned by `plan`). */
export function emergencyFrom(version: RecordVersion & { alert: NonNullable<RecordVersion['alert']> }): Emergency {
  const id = emergencyIdFor(version.recordId)
  return {
    id,
    recordId: version.recordId,
    version: version.version,
    formId: version.formId,
    unitId: version.unitId,
    date: version.date,
    category: version.alert.category,
    severity: version.alert.severity,
    createdAt: version.receivedAt,
    status: 'open',
    escalations: 0,
    alerts: [],
    deliveries: [],
    wakeAt: version.receivedAt,
    rev: 0,
  }
}

const addMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString()

/** When escalation `n` falls due. */
const escalationDueAt = (e: Emergency, policy: EscalationPolicy, n: number): string =>
  addMs(e.createdAt, n * escalationWindowMs(policy, e.severity))

function withAlert(e: Emergency, escalation: number, createdAt: string, channels: readonly string[]): Emergency {
  const alertId = alertIdOf(e.id, escalation)
  if (e.alerts.some((a) => a.id === alertId)) return e
  return {
    ...e,
    escalations: Math.max(e.escalations, escalation),
    alerts: [...e.alerts, { id: alertId, escalation, createdAt }],
    deliveries: [
      ...e.deliveries,
      ...channels.map((channel): Delivery => ({ alertId, escalation, channel, state: 'pending', attempts: 0 })),
    ],
  }
}

/**
 * Adds the alerts now due: the first one, and the escalation whose window has passed while the
 * emergency is still open. After downtime only the latest due escalation is sent, not a backlog.
 */
export function plan(
  e: Emergency,
  now: Date,
  policy: EscalationPolicy,
  channels: { alert: readonly string[]; escalation: readonly string[] },
): Emergency {
  let next = withAlert(e, 0, e.createdAt, channels.alert)
  if (next.status === 'open' && next.escalations < policy.max) {
    const windows = Math.floor((now.getTime() - Date.parse(next.createdAt)) / escalationWindowMs(policy, next.severity))
    const due = Math.min(policy.max, windows)
    if (due > next.escalations) next = withAlert(next, due, now.toISOString(), channels.escalation)
  }
  const wake = wakeAt(next, policy)
  return next === e && wake === e.wakeAt ? e : { ...next, wakeAt: wake }
}

/** Deliveries to make now: pending, and past any back-off. */
export const dueDeliveries = (e: Emergency, now: Date): Delivery[] =>
  e.deliveries.filter((d) => d.state === 'pending' && (!d.nextAttemptAt || Date.parse(d.nextAttemptAt) <= now.getTime()))

export type DeliveryOutcome =
  | { alertId: string; channel: string; ok: true; attempts: number; at: string; mergedInto?: string }
  | { alertId: string; channel: string; ok: false; attempts: number; at: string; retryAt?: string; error: string }

/** Records what happened to deliveries; a failure without `retryAt` is final. */
export function recordOutcomes(e: Emergency, outcomes: readonly DeliveryOutcome[], policy: EscalationPolicy): Emergency {
  if (outcomes.length === 0) return e
  const created = new Map(e.alerts.map((a) => [a.id, a.createdAt]))
  const deliveries = e.deliveries.map((d): Delivery => {
    const o = outcomes.find((x) => x.alertId === d.alertId && x.channel === d.channel)
    if (!o || d.state !== 'pending') return d
    const attempts = d.attempts + o.attempts
    if (o.ok) {
      const { nextAttemptAt: _n, error: _e, ...rest } = d
      const latencyMs = Date.parse(o.at) - Date.parse(created.get(d.alertId) ?? o.at)
      return { ...rest, state: 'delivered', attempts, deliveredAt: o.at, latencyMs, ...(o.mergedInto ? { mergedInto: o.mergedInto } : {}) }
    }
    return o.retryAt ? { ...d, attempts, nextAttemptAt: o.retryAt, error: o.error } : { ...d, state: 'failed', attempts, error: o.error }
  })
  const next = { ...e, deliveries }
  return { ...next, wakeAt: wakeAt(next, policy) }
}

/** The next time the worker must look at `e`, or undefined when nothing is left to do. */
function wakeAt(e: Emergency, policy: EscalationPolicy): string | undefined {
  const times = e.deliveries.filter((d) => d.state === 'pending').map((d) => d.nextAttemptAt ?? e.createdAt)
  if (e.alerts.length === 0) times.push(e.createdAt)
  if (e.status === 'open' && e.escalations < policy.max) times.push(escalationDueAt(e, policy, e.escalations + 1))
  return times.length === 0 ? undefined : times.sort()[0]
}

/** Stops escalation; escalations not yet delivered are dropped (the first alert still goes out). */
function stopEscalating(e: Emergency, policy: EscalationPolicy): Emergency {
  const deliveries = e.deliveries.map((d): Delivery => (d.state === 'pending' && d.escalation > 0 ? { ...d, state: 'cancelled' } : d))
  const next = { ...e, deliveries }
  return { ...next, wakeAt: wakeAt(next, policy) }
}

export function acknowledge(e: Emergency, by: string, at: Date, policy: EscalationPolicy): Emergency {
  if (e.status !== 'open') return e // acknowledging twice keeps the first who and when
  return stopEscalating({ ...e, status: 'acknowledged', acknowledgedAt: at.toISOString(), acknowledgedBy: by }, policy)
}

/** Resolving an open emergency acknowledges it too. */
export function resolve(e: Emergency, by: string, at: Date, policy: EscalationPolicy): Emergency {
  if (e.status === 'resolved') return e
  const acked = e.status === 'open' ? acknowledge(e, by, at, policy) : e
  return { ...acked, status: 'resolved', resolvedAt: at.toISOString(), resolvedBy: by }
}

export const STATUS_LABEL: Record<EmergencyStatus, { zh: string; en: string }> = {
  open: { zh: '待确认', en: 'Open' },
  acknowledged: { zh: '已确认', en: 'Acknowledged' },
  resolved: { zh: '已解决', en: 'Resolved' },
}

export const SEVERITY_LABEL: Record<Severity, { zh: string; en: string }> = {
  general: { zh: '一般', en: 'General' },
  urgent: { zh: '紧急', en: 'Urgent' },
  critical: { zh: '特急', en: 'Critical' },
}
