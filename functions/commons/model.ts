// Domain types shared by every part: what a unit and a stored submission are.
import type { Severity } from './forms/definition.ts'
import type { Values } from './forms/validation.ts'

export const UNIT_TYPES = ['office', 'section', 'park', 'resource', 'engineering'] as const
export type UnitType = (typeof UNIT_TYPES)[number]

export interface Unit {
  id: string
  name: string
  type?: UnitType
  /** ids of the forms this unit may submit; the daily ones are the reports it owes */
  forms: string[]
  /** construction sites an engineering unit reports on, one site-daily each per day */
  sites?: string[]
  /** who the office calls when the report is missing */
  contact?: { name: string; phone: string }
  /** the unit's own chat channel for reminders (`type=url`, as in ALERT_WEBHOOKS) */
  webhook?: string
  /** SHA-256 of the token's secret part; the token itself is never stored */
  tokenHash: string
  createdAt: string
  rotatedAt?: string
  /** from this instant's day the unit owes nothing and its links stop working; its records stay */
  retiredAt?: string
}

/**
 * An alert beyond its unit's rate (emergencies/unit-rate.ts): the `first` one over it is alerted
 * with a note saying so; `more` reach the board, the sheet, the outbox and JSON endpoints, not the
 * chat robots or SMS. Decided when the submission is stored, and kept with it.
 */
export interface OverRate {
  kind: 'first' | 'more'
  /** alerts a unit may raise per window */
  limit: number
  windowMinutes: number
}

/** What the office sets on a unit (the rest is its id, token and history). */
export type UnitProfile = Pick<Unit, 'name' | 'type' | 'forms' | 'sites' | 'contact' | 'webhook'>

/** One version of one record. Daily records get a new version on every resubmission. */
export interface RecordVersion {
  /** stable across versions: daily `formId.date.unitId[.siteKey]`, on demand `formId.unitId.keyHash` */
  recordId: string
  formId: string
  unitId: string
  /** the organisation-local date the record is for (YYYY-MM-DD) */
  date: string
  version: number
  /** the version of the form definition it was validated against (absent before versioned forms: 1) */
  formVersion?: number
  values: Values
  receivedAt: string
  /** when version 1 arrived: on-time status is judged by the first submission */
  firstReceivedAt: string
  idempotencyKey: string
  /** set when the submission must raise an emergency alert */
  alert?: { category: string; severity: Severity; overRate?: OverRate }
  /** outbox marks: cleared by the workers only after the effect happened */
  pendingMirror: boolean
  pendingAlert: boolean
}

/** The answer to a submission, identical on every retry with the same Idempotency-Key. */
export interface SubmissionReceipt {
  id: string
  formId: string
  unitId: string
  date: string
  version: number
  /** the form definition's version the submission was checked against */
  formVersion: number
  receivedAt: string
}

export const receiptOf = (v: RecordVersion): SubmissionReceipt => ({
  id: v.recordId,
  formId: v.formId,
  unitId: v.unitId,
  date: v.date,
  version: v.version,
  formVersion: v.formVersion ?? 1,
  receivedAt: v.receivedAt,
})

/** Keeps the highest version of each record. */
export function latestPerRecord(versions: readonly RecordVersion[]): RecordVersion[] {
  const latest = new Map<string, RecordVersion>()
  for (const v of versions) {
    const seen = latest.get(v.recordId)
    if (!seen || seen.version < v.version) latest.set(v.recordId, v)
  }
  return [...latest.values()]
}
