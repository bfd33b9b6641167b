// Whether the leaders' sheet is current: what still waits for it, when it last took a write,
// and why it last refused one. Each mirror pass notes its outcome in the settings, so every
// process (the API, the mirror, the schedule on AWS) reads the same state.
import type { RecordStore, SettingsStore } from '../store.ts'

export interface SheetHealth {
  /** records waiting for the sheet (counted up to HEALTH_SCAN_LIMIT) */
  pending: number
  /** seconds the oldest of them has waited (0 when none) */
  oldestPendingS: number
  /** when the sheet last took a write (ISO), null before the first */
  lastWriteAt: string | null
  /** why the last failed write failed, null once a write succeeded after it */
  lastError: string | null
}

interface LastError {
  at: string
  message: string
  /** the HTTP status the sheet answered, if it answered */
  status?: number
  /** what to do about it, when the sink said (the Feishu sink names its app and FEISHU_SHEET_TOKEN) */
  fix?: string
}

/** What the pages show as a problem: a refused write, or a record waiting longer than MIRROR_ALERT_AFTER_S's default. */
export const sheetNeedsAttention = (health: SheetHealth, alertAfterS = 600) =>
  health.lastError !== null || health.oldestPendingS > alertAfterS

const LAST_WRITE = 'sheet.lastWriteAt'
const LAST_ERROR = 'sheet.lastError'
/** a count of marks past this says enough; the exact number is not worth a longer scan */
const HEALTH_SCAN_LIMIT = 10_000

/** Statuses that no retry mends: the sheet is not shared with us (403) or not there (404). */
const REFUSED = new Set([401, 403, 404])

export async function noteSheetWrite(settings: SettingsStore, at: Date): Promise<void> {
  await Promise.all([settings.put(LAST_WRITE, at.toISOString()), settings.put(LAST_ERROR, '')])
}

export async function noteSheetFailure(settings: SettingsStore, at: Date, error: unknown): Promise<void> {
  const { status, fix } = (error ?? {}) as { status?: unknown; fix?: unknown }
  const failure: LastError = {
    at: at.toISOString(),
    message: error instanceof Error ? error.message : String(error),
    ...(typeof status === 'number' ? { status } : {}),
    ...(typeof fix === 'string' ? { fix } : {}),
  }
  await settings.put(LAST_ERROR, JSON.stringify(failure))
}

async function lastError(settings: SettingsStore): Promise<LastError | undefined> {
  const raw = await settings.get(LAST_ERROR)
  if (!raw) return undefined
  try {
    return JSON.parse(raw) as LastError
  } catch {
    return { at: '', message: raw }
  }
}

export async function sheetHealth(deps: { records: RecordStore; settings: SettingsStore }, now: Date): Promise<SheetHealth> {
  const [pending, lastWriteAt, error] = await Promise.all([
    deps.records.pendingMirror(HEALTH_SCAN_LIMIT),
    deps.settings.get(LAST_WRITE),
    lastError(deps.settings),
  ])
  const oldest = Math.min(now.getTime(), ...pending.map((v) => Date.parse(v.receivedAt)))
  return {
    pending: pending.length,
    oldestPendingS: Math.max(0, Math.floor((now.getTime() - oldest) / 1000)),
    lastWriteAt: lastWriteAt || null,
    lastError: error ? `${error.status ? `HTTP ${error.status}: ` : ''}${error.message}` : null,
  }
}

/** The status (and the sink's fix, if it named one) of the last refused write while no write has succeeded since. */
export async function refusal(settings: SettingsStore): Promise<{ status: number; fix?: string } | undefined> {
  const error = await lastError(settings)
  if (error?.status === undefined || !REFUSED.has(error.status)) return undefined
  return { status: error.status, ...(error.fix ? { fix: error.fix } : {}) }
}
