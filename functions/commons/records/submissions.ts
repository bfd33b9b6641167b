// Accepting a submission: validate, then one conditional write of one item that carries its
// own outbox marks. A retry with the same Idempotency-Key gets the first answer back.
import { createHash } from 'node:crypto'
import { addDays, type Clock, daysBetween, isIsoDate, localDate, zonedInstant } from '../clock.ts'
import type { AlertRate } from '../emergencies/unit-rate.ts'
import type { FormDefinition, Lang } from '../forms/definition.ts'
import { alertFor } from '../forms/triggers.ts'
import { type Issue, type Values, validateValues } from '../forms/validation.ts'
import { t } from '../i18n.ts'
import { type RecordVersion, receiptOf, type SubmissionReceipt, type Unit } from '../model.ts'
import { type PhotoStorage, photoIssues } from '../photos/photos.ts'
import type { RecordStore, Reopening } from '../store.ts'

/** How far back a unit may still report a missed day. */
const MAX_DAYS_BACK = 7
const MAX_WRITE_ATTEMPTS = 8
/** Versions one record may have: a unit correcting in a loop (or a script) stops here, with a clear 422. */
export const MAX_VERSIONS_PER_RECORD = 50

class SubmissionConflictError extends Error {
  override name = 'SubmissionConflictError'
}

export interface SubmissionDeps {
  records: RecordStore
  clock: Clock
  timeZone: string
  /** called after a new version is stored, to wake the in-process workers */
  onStored?: (version: RecordVersion) => void
  /** the unit's alert rate (emergencies/unit-rate.ts): an alert beyond it is stored all the same */
  alertRate?: AlertRate
  /** where photos are uploaded; without it a submission naming a photo is refused */
  photos?: PhotoStorage
}

export interface SubmissionRequest {
  unit: Unit
  form: FormDefinition
  /** the JSON body: field id → value, plus `date` for daily forms */
  body: unknown
  idempotencyKey: string
  lang: Lang
}

export type SubmissionOutcome =
  | { kind: 'created'; receipt: SubmissionReceipt; stored: RecordVersion }
  | { kind: 'replayed'; receipt: SubmissionReceipt; stored: RecordVersion }
  | { kind: 'invalid'; issues: Issue[] }

const shortHash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16)
const normalizeKeyText = (v: unknown) =>
  String(v ?? '')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase()

/** The stable id of the record a submission belongs to. */
export function recordIdFor(form: FormDefinition, unitId: string, date: string, values: Values, idempotencyKey: string): string {
  if (form.kind === 'on_demand') return `${form.id}.${unitId}.${shortHash(idempotencyKey)}`
  const base = `${form.id}.${date}.${unitId}`
  if (form.recordKeyFields.length === 0) return base
  return `${base}.${shortHash(form.recordKeyFields.map((id) => normalizeKeyText(values[id])).join('\u0000'))}`
}

function checkDate(raw: unknown, today: string, lang: Lang): { date: string } | { issue: Issue } {
  if (raw === undefined || raw === null || raw === '') return { date: today }
  if (typeof raw !== 'string' || !isIsoDate(raw)) return { issue: { path: 'date', message: t(lang, 'date') } }
  if (raw > today) return { issue: { path: 'date', message: t(lang, 'dateFuture') } }
  if (daysBetween(raw, today) > MAX_DAYS_BACK) {
    return { issue: { path: 'date', message: t(lang, 'datePast', { n: MAX_DAYS_BACK }) } }
  }
  return { date: raw }
}

/** How long after local midnight a retry without a date is also looked for in yesterday's record. */
const MIDNIGHT_RETRY_WINDOW_MS = 30 * 60_000

const hasDate = (raw: unknown) => raw !== undefined && raw !== null && raw !== ''
const justAfterMidnight = (now: Date, today: string, timeZone: string) =>
  now.getTime() - zonedInstant(today, '00:00', timeZone).getTime() < MIDNIGHT_RETRY_WINDOW_MS

/** The earliest date a daily form may still be reported for, given today. */
export const earliestReportDate = (today: string) => addDays(today, -MAX_DAYS_BACK)

/** A unit corrects a day's report until local midnight; after that only an office reopening allows it. */
export async function reopened(deps: Pick<SubmissionDeps, 'records'>, recordId: string, now: Date): Promise<boolean> {
  const reopening = await deps.records.lastReopening(recordId)
  return reopening !== undefined && Date.parse(reopening.until) > now.getTime()
}

/** A reopening that could not be used: a unit cannot report for a day that far back. */
/** The Idempotency-Key of a stored submission, sent again with other content (IETF httpapi idempotency-key draft: 422). */
export class IdempotencyKeyReusedError extends Error {
  override name = 'IdempotencyKeyReusedError'
}

export class TooManyVersionsError extends Error {
  override name = 'TooManyVersionsError'
}

/** Values as text with every object's keys sorted: the database does not keep a map's order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )

/** A retry gets its first answer back; the same key with other content is refused, and nothing is stored. */
export function replayOf(stored: RecordVersion, values: Values, date?: string): SubmissionOutcome {
  if (canonical(stored.values) !== canonical(values) || (date !== undefined && stored.date !== date))
    throw new IdempotencyKeyReusedError(
      `Idempotency-Key already used for version ${stored.version} of ${stored.recordId} with other content`,
    )
  return { kind: 'replayed', receipt: receiptOf(stored), stored }
}

export class ReopenTooOldError extends Error {
  override name = 'ReopenTooOldError'
}

/** Reopens a closed daily record for correction until the end of the office's current day. */
export async function reopenRecord(
  deps: Pick<SubmissionDeps, 'records' | 'clock' | 'timeZone'>,
  recordId: string,
  by: string,
): Promise<Reopening | undefined> {
  const first = (await deps.records.versions(recordId))[0]
  if (!first) return undefined
  const now = deps.clock.now()
  const date = first.date
  if (date < earliestReportDate(localDate(now, deps.timeZone))) {
    throw new ReopenTooOldError(
      `${date} is more than ${MAX_DAYS_BACK} days back: a unit cannot report for it, so reopening it would not help`,
    )
  }
  const reopening: Reopening = {
    recordId,
    by,
    at: now.toISOString(),
    until: zonedInstant(addDays(localDate(now, deps.timeZone), 1), '00:00', deps.timeZone).toISOString(),
  }
  await deps.records.reopen(reopening)
  return reopening
}

/**
 * What this process knows of a daily record: all its versions up to `latest`. A version never
 * changes once written (only its outbox marks go) and none is ever deleted, so this is never wrong,
 * only perhaps behind; the conditional write of `latest + 1` finds out when it is.
 */
interface KnownRecord {
  latest: number
  firstReceivedAt: string
  keys: Set<string>
}

/** records remembered per store, most recently used kept (a few hundred bytes each) */
const KNOWN_RECORDS = 5000

class KnownRecords {
  private readonly records = new Map<string, KnownRecord>()

  get(recordId: string): KnownRecord | undefined {
    const known = this.records.get(recordId)
    if (known) this.set(recordId, known)
    return known
  }

  set(recordId: string, known: KnownRecord): void {
    const before = this.records.get(recordId)
    if (before && before.latest > known.latest) return
    this.records.delete(recordId)
    this.records.set(recordId, known)
    if (this.records.size > KNOWN_RECORDS) this.records.delete(this.records.keys().next().value as string)
  }
}

// One memory per store, so one per process and per database: the wiring needs to pass nothing.
const knownByStore = new WeakMap<RecordStore, KnownRecords>()
function knownRecords(store: RecordStore): KnownRecords {
  const known = knownByStore.get(store) ?? new KnownRecords()
  knownByStore.set(store, known)
  return known
}

/** What a full read of a record's versions (oldest first) tells; undefined when it has none. */
function summaryOf(versions: RecordVersion[]): KnownRecord | undefined {
  const [first, last] = [versions[0], versions.at(-1)]
  if (!first || !last) return undefined
  return { latest: last.version, firstReceivedAt: first.receivedAt, keys: new Set(versions.map((v) => v.idempotencyKey)) }
}

export async function submit(deps: SubmissionDeps, request: SubmissionRequest): Promise<SubmissionOutcome> {
  const { form, unit, body, idempotencyKey, lang } = request
  const now = deps.clock.now()
  const today = localDate(now, deps.timeZone)

  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { kind: 'invalid', issues: [{ path: '', message: t(lang, 'notObject') }] }
  }
  const { date: rawDate, ...fields } = body as Record<string, unknown>
  const issues: Issue[] = []
  let date = today
  if (form.kind === 'daily') {
    const checked = checkDate(rawDate, today, lang)
    if ('issue' in checked) issues.push(checked.issue)
    else date = checked.date
  } else if (rawDate !== undefined) {
    issues.push({ path: 'date', message: t(lang, 'unknownField') })
  }
  const validated = validateValues(form, fields, lang)
  if (!validated.ok) issues.push(...validated.issues)
  if (issues.length > 0 || !validated.ok) return { kind: 'invalid', issues }
  // Every photo named is there before anything is stored: no record reaches the sheet without one.
  const missingPhotos = await photoIssues(deps.photos, form, unit.id, validated.values, lang)
  if (missingPhotos.length > 0) return { kind: 'invalid', issues: missingPhotos }

  const recordId = recordIdFor(form, unit.id, date, validated.values, idempotencyKey)
  if (form.kind === 'daily' && date === today && !hasDate(rawDate) && justAfterMidnight(now, today, deps.timeZone)) {
    // A retry lands on the record of its first try, unless it crossed local midnight without an
    // explicit date: shortly after midnight, yesterday's record is asked too.
    const yesterday = recordIdFor(form, unit.id, addDays(today, -1), validated.values, idempotencyKey)
    const same = (await deps.records.versions(yesterday)).find((v) => v.idempotencyKey === idempotencyKey)
    if (same) return replayOf(same, validated.values)
  }
  const raised = alertFor(form, validated.values)
  const overRate = raised && deps.alertRate ? await deps.alertRate(unit.id, recordId, now) : undefined
  const alert = raised && overRate ? { ...raised, overRate } : raised
  // On-demand records are new by construction (their id comes from the key): nothing to remember.
  const known = form.kind === 'daily' ? knownRecords(deps.records) : undefined
  let state = known?.get(recordId)
  // A retry of a version this process knows is answered from a fresh read; otherwise write first.
  let read = state?.keys.has(idempotencyKey) ?? false
  const isOpen = async () => date === today || (await reopened(deps, recordId, now))
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    // Write first, read only when the write finds the version taken: an on-demand record is new by
    // construction, most daily records get one version a day, and a correction goes straight to
    // the version after the last one this process knows. A retry, a cold process or a concurrent
    // writer then costs one refused write and one read more.
    if (read) {
      const versions = await deps.records.versions(recordId)
      const same = versions.find((v) => v.idempotencyKey === idempotencyKey)
      if (same) return replayOf(same, validated.values, date)
      state = summaryOf(versions)
      if (state) known?.set(recordId, state)
    }
    read = true
    if (state && !(await isOpen())) {
      return { kind: 'invalid', issues: [{ path: 'date', message: t(lang, 'closed') }] }
    }
    if ((state?.latest ?? 0) >= MAX_VERSIONS_PER_RECORD)
      throw new TooManyVersionsError(`${recordId} has ${MAX_VERSIONS_PER_RECORD} versions already`)
    const receivedAt = deps.clock.now().toISOString()
    const version: RecordVersion = {
      recordId,
      formId: form.id,
      unitId: unit.id,
      date,
      version: (state?.latest ?? 0) + 1,
      formVersion: form.version,
      values: validated.values,
      receivedAt,
      firstReceivedAt: state?.firstReceivedAt ?? receivedAt,
      idempotencyKey,
      ...(alert ? { alert } : {}),
      pendingMirror: true,
      pendingAlert: alert !== undefined,
    }
    if (await deps.records.putVersion(version)) {
      known?.set(recordId, {
        latest: version.version,
        firstReceivedAt: version.firstReceivedAt,
        keys: new Set([...(state?.keys ?? []), idempotencyKey]),
      })
      deps.onStored?.(version)
      return { kind: 'created', receipt: receiptOf(version), stored: version }
    }
    // Another write took this version number; read again and go one higher.
  }
  throw new SubmissionConflictError(`could not store ${recordId} after ${MAX_WRITE_ATTEMPTS} attempts`)
}
