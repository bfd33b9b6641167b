// The persistence the domain needs, as small interfaces. DynamoDB implements them in
// `adapters/dynamo/`; the domain never imports an SDK.
import type { Emergency } from './emergencies/emergency.ts'
import type { LinkHolderStore } from './link-holders.ts'
import type { RecordVersion, Unit, UnitProfile } from './model.ts'

export interface VersionRef {
  recordId: string
  version: number
}

export interface RecordStore {
  /** every version of one record, oldest first, read consistently */
  versions(recordId: string): Promise<RecordVersion[]>
  /** the newest version of each of these records (those that exist), read consistently */
  currentOf(recordIds: readonly string[]): Promise<RecordVersion[]>
  /** one conditional write; false when that version exists already (a concurrent write won) */
  putVersion(version: RecordVersion): Promise<boolean>
  /** the current version of every record of a form for one date */
  currentOfDay(formId: string, date: string): Promise<RecordVersion[]>
  /** the current version of every record (sheet rebuild) */
  currentOfAll(): Promise<RecordVersion[]>
  /** versions still marked for the mirror, oldest first */
  pendingMirror(limit: number): Promise<RecordVersion[]>
  clearMirror(refs: VersionRef[]): Promise<void>
  /** versions still marked for the alerter, oldest first */
  pendingAlerts(limit: number): Promise<RecordVersion[]>
  clearAlert(ref: VersionRef): Promise<void>
  /** appends a reopening of a closed daily record */
  reopen(reopening: Reopening): Promise<void>
  /** the latest reopening of a record, if any */
  lastReopening(recordId: string): Promise<Reopening | undefined>
}

/** The office's reopening of a closed daily record: recorded, never edited away. */
export interface Reopening {
  recordId: string
  by: string
  at: string
  /** the unit may correct the record until this instant */
  until: string
}

export interface UnitStore {
  get(id: string): Promise<Unit | undefined>
  list(): Promise<Unit[]>
  /** false when a unit with that id exists already */
  create(unit: Unit): Promise<boolean>
  /** replaces the token hash; false when the unit does not exist */
  replaceToken(id: string, tokenHash: string, at: string): Promise<boolean>
  /** replaces what the office sets (name, type, forms, sites, contact, webhook; absent ones removed); false when no such unit */
  updateProfile(id: string, profile: UnitProfile): Promise<boolean>
  /** sets `retiredAt` unless the unit is retired already; false when no such unit or retired already */
  retire(id: string, at: string): Promise<boolean>
}

export interface RowStore {
  /** the sheet row of each record on `tab`, allocating rows for records that have none */
  rowsFor(tab: string, recordIds: string[]): Promise<Map<string, number>>
}

export interface SettingsStore {
  get(name: string): Promise<string | undefined>
  put(name: string, value: string): Promise<void>
}

/** Claims on notices (reminders, summaries) so each goes out once, across restarts. */
export interface NoticeClaim {
  /** the channels (target labels) an earlier attempt reached: they are not sent it again */
  deliveredTo: string[]
}

export interface NoticeStore {
  /** a claim when this caller may send now: never claimed, released after a failure, or a stale claim */
  claim(id: string, now: Date): Promise<NoticeClaim | undefined>
  markSent(id: string, now: Date): Promise<void>
  /** releases the claim for a later run, remembering every channel reached so far */
  markFailed(id: string, deliveredTo: string[]): Promise<void>
}

/** The office's signed-in browsers: a random id per sign-in, known to the store only as its hash. */
interface OfficeSession {
  idHash: string
  /** the admin token (its hash) the session was opened with: changing the token ends every session */
  adminTokenHash: string
  createdAt: string
  expiresAt: string
}

export interface SessionStore {
  put(session: OfficeSession): Promise<void>
  /** the session with that id hash; the caller checks its expiry */
  get(idHash: string): Promise<OfficeSession | undefined>
  delete(idHash: string): Promise<void>
}

/** Counts of refused tokens per key (an address, a unit) and fixed time window, shared by every process. */
export interface RefusalCounter {
  /** adds one refusal to each key's count in `window`; returns the counts after it, in the keys' order */
  add(keys: string[], window: { id: string; endsAt: Date }): Promise<number[]>
}

export interface Stores {
  records: RecordStore
  units: UnitStore
  rows: RowStore
  settings: SettingsStore
  notices: NoticeStore
  sessions: SessionStore
  refusals: RefusalCounter
  alertRates: AlertRateStore
}

/** Alerting records per unit and window, counted in the table: one count for every process and instance. */
export interface AlertRateStore {
  /**
   * The record's place (1-based) among its unit's alerting records in the unit's current window
   * (which starts at the first alert after the last window ended and lasts `windowMs`), the same
   * on every retry within it; undefined once `cap` records have places (it is beyond).
   */
  admit(unitId: string, recordId: string, now: Date, windowMs: number, cap: number): Promise<number | undefined>
}

/** One recorded change of an information-release request (see approvals/requests.ts). */
export interface ApprovalEvent {
  recordId: string
  /** the request version the change is about */
  version: number
  kind: 'submitted' | 'approved' | 'rejected'
  unitId: string
  /** the submitting unit's id, or the deciding approver's id (`admin` for the admin token) */
  by: string
  byName: string
  comment?: string
  at: string
  /** outbox mark: the notice about this change is still to be delivered */
  pendingNotice: boolean
  /** while pending: the channels (target labels) that took the notice already, and the passes tried */
  noticeDeliveredTo?: string[]
  noticeAttempts?: number
}

/** The current state of a request, derived from its events (a view: rebuilt, never the record). */
export interface ApprovalState {
  recordId: string
  unitId: string
  version: number
  status: 'pending' | 'approved' | 'rejected'
  /** when version 1 arrived: the list order */
  firstReceivedAt: string
  /** the last change */
  at: string
  by: string
  byName: string
  comment?: string
  title: string
  channel: string
  /** orders states: a write with a lower seq never replaces a higher one */
  seq: number
}

export interface ApprovalStore {
  /** every recorded change of one request, oldest first, read consistently */
  events(recordId: string): Promise<ApprovalEvent[]>
  /** one conditional write; false when that change (version and kind of change) is recorded already */
  putEvent(event: ApprovalEvent): Promise<boolean>
  /** stores the derived state unless a state with a higher seq is stored already */
  putState(state: ApprovalState): Promise<void>
  /** states in one status, by first arrival; with `since` (ISO), only requests first received from then on */
  byStatus(status: ApprovalState['status'], since?: string): Promise<ApprovalState[]>
  ofUnit(unitId: string): Promise<ApprovalState[]>
  /** events whose notice is still to be delivered, oldest first */
  pendingNotices(limit: number): Promise<ApprovalEvent[]>
  clearNotice(event: ApprovalEvent): Promise<void>
  /** keeps the notice pending after a pass that left a channel to retry, with the channels reached */
  noteNoticeAttempt(event: ApprovalEvent, deliveredTo: string[]): Promise<void>
  /** the approvers and their links */
  approvers: LinkHolderStore
}

/** Emergencies raised by alerting submissions (see emergencies/emergency.ts). */
export interface EmergencyStore {
  get(id: string): Promise<Emergency | undefined>
  /** false when it exists already */
  create(emergency: Emergency): Promise<boolean>
  /**
   * Read, change, write back unless someone else wrote in between (then read and change again).
   * `change` returns the value unchanged to write nothing. Undefined when there is no such emergency.
   */
  update(id: string, change: (current: Emergency) => Emergency): Promise<Emergency | undefined>
  /** every emergency, newest first */
  list(): Promise<Emergency[]>
  /** emergencies with work due at or before `now`, soonest first */
  due(now: Date, limit: number): Promise<Emergency[]>
}
