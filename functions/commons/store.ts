// The persistence the domain needs, as small interfaces. DynamoDB implements them in
// `dynamo/`; the domain never imports an SDK.
import type { RecordVersion, Unit } from './model.ts'

export interface VersionRef {
  recordId: string
  version: number
}

export interface RecordStore {
  /** every version of one record, oldest first, read consistently */
  versions(recordId: string): Promise<RecordVersion[]>
  /** one conditional write; false when that version exists already (a concurrent write won) */
  putVersion(version: RecordVersion): Promise<boolean>
  /** the version first stored under this unit's Idempotency-Key (eventually consistent) */
  findByIdempotencyKey(unitId: string, key: string): Promise<RecordVersion | undefined>
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
}

export interface UnitStore {
  get(id: string): Promise<Unit | undefined>
  list(): Promise<Unit[]>
  /** false when a unit with that id exists already */
  create(unit: Unit): Promise<boolean>
  /** replaces the token hash; false when the unit does not exist */
  replaceToken(id: string, tokenHash: string, at: string): Promise<boolean>
}

export interface RowStore {
  /** the sheet row of each record on `tab`, allocating rows for records that have none */
  rowsFor(tab: string, recordIds: string[]): Promise<Map<string, number>>
}

export interface SettingsStore {
  get(name: string): Promise<string | undefined>
  put(name: string, value: string): Promise<void>
}

export interface Stores {
  records: RecordStore
  units: UnitStore
  rows: RowStore
  settings: SettingsStore
}
