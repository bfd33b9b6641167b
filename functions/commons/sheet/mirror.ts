// The mirror: brings the sheet up to date with the database. Rows are keyed (row numbers come
// from the database), so repeating a pass rewrites the same rows: at-least-once delivery gives
// exactly-once rows.
import type { FormRegistry } from '../forms/registry.ts'
import type { Logger } from '../log.ts'
import { latestPerRecord, type RecordVersion } from '../model.ts'
import { photoLinks } from '../photos/photos.ts'
import type { RecordStore, RowStore, SettingsStore, UnitStore } from '../store.ts'
import { noteSheetFailure, noteSheetWrite } from './health.ts'
import { allFormTabs, formTabLayout, recordRow } from './layout.ts'
import type { ComputedTab, RowWrite, SheetBatch, SheetSink } from './sink.ts'

export interface MirrorDeps {
  records: RecordStore
  rows: RowStore
  units: UnitStore
  forms: FormRegistry
  sink: SheetSink
  timeZone: string
  log: Logger
  /** tabs rewritten whole on every refresh (overview, emergencies, …) */
  computedTabs?: ComputedTab[]
  /** waits until the sink may write again (quota pacing); marks are read after it, so the pass carries all that arrived meanwhile */
  ready?: () => Promise<void>
  /** where each pass notes its outcome for the sheet's health (GET /api/admin/sheet/health) */
  settings?: SettingsStore
  /** the app's address, for the links in cells (a photo's); without it a photo shows its upload key */
  publicUrl?: string
}

/** Runs a pass's writes, noting how they went for the sheet's health. */
async function noted<T>(deps: MirrorDeps, now: Date, writes: () => Promise<T>): Promise<T> {
  try {
    const result = await writes()
    if (deps.settings) await noteSheetWrite(deps.settings, now)
    return result
  } catch (error) {
    if (deps.settings) await noteSheetFailure(deps.settings, now, error).catch(() => undefined)
    throw error
  }
}

export interface MirrorPassOptions {
  /** at most this many marked versions per pass */
  limit?: number
  /** also rewrite the computed tabs even when nothing is marked (the periodic sweep) */
  refresh?: boolean
  now?: Date
}

export interface MirrorPassResult {
  /** records written to the sheet */
  mirrored: number
  /** true when more marked versions wait (the caller runs another pass at once) */
  more: boolean
  /** age in ms of the oldest mark this pass cleared: the mirror lag */
  lagMs: number
  /** marks this pass found (at most `limit`): with `more`, the backlog */
  pending: number
}

async function unitNames(units: UnitStore): Promise<Map<string, string>> {
  return new Map((await units.list()).map((u) => [u.id, u.name]))
}

/** Rows for these current versions, allocating row numbers where a record has none yet. */
async function rowWrites(deps: MirrorDeps, current: RecordVersion[]): Promise<RowWrite[]> {
  const names = await unitNames(deps.units)
  const writes: RowWrite[] = []
  for (const form of deps.forms.all) {
    const ofForm = current.filter((r) => r.formId === form.id)
    if (ofForm.length === 0) continue
    const tab = formTabLayout(form).title
    const rows = await deps.rows.rowsFor(
      tab,
      ofForm.map((r) => r.recordId),
    )
    for (const record of ofForm) {
      const row = rows.get(record.recordId)
      if (row === undefined) continue
      writes.push({
        tab,
        row,
        cells: recordRow(
          form,
          record,
          names.get(record.unitId) ?? record.unitId,
          deps.timeZone,
          deps.publicUrl ? photoLinks(deps.publicUrl) : undefined,
        ),
      })
    }
  }
  return writes
}

/** every tab in the order leaders see them: the computed ones (概览 first), then the forms */
const layouts = (deps: MirrorDeps) => [...(deps.computedTabs ?? []).map((t) => t.layout), ...allFormTabs(deps.forms)]

async function computedReplacements(deps: MirrorDeps, now: Date): Promise<NonNullable<SheetBatch['replace']>> {
  return Promise.all((deps.computedTabs ?? []).map(async (tab) => ({ tab: tab.layout.title, rows: await tab.rows(now) })))
}

/**
 * A slower concurrent writer (another pass, a rebuild) may have landed an older version over a
 * newer row whose mark is already cleared. Looking again after our own write and rewriting what
 * moved on settles it: whichever write lands last was checked after it landed.
 */
async function settle(deps: MirrorDeps, written: Map<string, number>, reread: (ids: string[]) => Promise<RecordVersion[]>): Promise<void> {
  for (let round = 0; round < 3 && written.size > 0; round++) {
    const moved = (await reread([...written.keys()])).filter((v) => v.version > (written.get(v.recordId) ?? Infinity))
    if (moved.length === 0) return
    await deps.sink.apply({ tabs: layouts(deps), rows: await rowWrites(deps, moved) })
    written = new Map(moved.map((v) => [v.recordId, v.version]))
  }
}

/**
 * One pass over at most `limit` marked versions, in one sheet batch with the computed tabs.
 * Throws when the sink fails: the marks stay and the next pass or sweep retries.
 */
export async function mirrorPass(deps: MirrorDeps, options: MirrorPassOptions = {}): Promise<MirrorPassResult> {
  const { limit = 1000, refresh = false, now = new Date() } = options
  const marked = async () => (await deps.records.pendingMirror(limit)).filter((v) => deps.forms.get(v.formId))
  let pending = await marked()
  if (pending.length === 0 && !refresh) return { mirrored: 0, more: false, lagMs: 0, pending: 0 }
  if (deps.ready) {
    await deps.ready()
    pending = await marked()
  }
  // The newest marked version of each record; one that arrived after the marks were read is
  // caught by settle(), which looks again after the write (one read per record, not two).
  const current = latestPerRecord(pending)
  const newest = new Map(current.map((v) => [v.recordId, v.version]))
  const [rows, replace] = await Promise.all([rowWrites(deps, current), computedReplacements(deps, now)])
  await noted(deps, now, async () => {
    await deps.sink.apply({ tabs: layouts(deps), rows, replace })
    // Every mark read is at or below what was just written, so the marks go while settle looks
    // for newer versions: those carry marks of their own until a pass writes them.
    await Promise.all([settle(deps, newest, (ids) => deps.records.currentOf(ids)), deps.records.clearMirror(pending)])
  })
  const lagMs = Math.max(0, ...pending.map((v) => now.getTime() - Date.parse(v.receivedAt)))
  return { mirrored: current.length, more: pending.length >= limit, lagMs, pending: pending.length }
}

/** Rewrites every form tab from the database: the repair after hand edits. Idempotent. */
export async function rebuildSheet(deps: MirrorDeps, now: Date = new Date()): Promise<{ rows: number }> {
  // Marks read before the records: whatever they point at is in what we write next.
  const pending = await deps.records.pendingMirror(Number.MAX_SAFE_INTEGER)
  const current = await deps.records.currentOfAll()
  const writes = await rowWrites(deps, current)
  const replace = allFormTabs(deps.forms).map((layout) => {
    const mine = writes.filter((w) => w.tab === layout.title)
    const rows: RowWrite['cells'][] = Array.from({ length: Math.max(1, ...mine.map((w) => w.row)) - 1 }, () => [])
    for (const w of mine) rows[w.row - 2] = w.cells
    return { tab: layout.title, rows }
  })
  const batch = { tabs: layouts(deps), rows: [], replace: [...replace, ...(await computedReplacements(deps, now))], relayout: true }
  const newest = new Map(current.map((v) => [v.recordId, v.version]))
  await noted(deps, now, async () => {
    await deps.sink.apply(batch)
    // one scan rather than a read per record
    await settle(deps, newest, async () => deps.records.currentOfAll())
  })
  await deps.records.clearMirror(pending.filter((v) => v.version <= (newest.get(v.recordId) ?? 0)))
  return { rows: writes.length }
}
