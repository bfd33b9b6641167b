// Information-release approval (信息发布审批制度): a request is pending until an approver approves
// it or rejects it with a comment; a rejected request may come back as a new version.
//
// The record: the request versions (RecordStore, append-only) and one event per change (a
// version submitted, a version decided), each written once by a conditional put and never
// rewritten. The decision of a version has one key, so a request cannot be decided twice; the
// state shown in lists is derived from the events and may be rebuilt from them at any time.
//
// Which form is the request, and which of its fields are the title, channel and requester, is
// declared in the form (`approval` in forms/*.ts): this code names no field, and finds the form
// through the registry (`forms.approvalForm()`), passed in as `form`.
import { addDays, type Clock, localDate, localDateTime, zonedInstant } from '../clock.ts'
import { BY_HINT, PersonName } from '../decided-by.ts'
import type { ApprovalFormDefinition, FormDefinition, Lang } from '../forms/definition.ts'
import { validateValues } from '../forms/validation.ts'
import { t } from '../i18n.ts'
import { linkHolders } from '../link-holders.ts'
import { type RecordVersion, receiptOf, type Unit } from '../model.ts'
import { MAX_VERSIONS_PER_RECORD, replayOf, type SubmissionOutcome, TooManyVersionsError } from '../records/submissions.ts'
import { safeCell } from '../sheet/layout.ts'
import type { Cell, ComputedTab } from '../sheet/sink.ts'
import type { ApprovalEvent, ApprovalState, ApprovalStore, RecordStore, SettingsStore, UnitStore } from '../store.ts'
import { secretMatches } from '../units/tokens.ts'

export const MAX_COMMENT_CHARS = 1000
/** How far back the registration sweep looks on a fresh install. */
const FIRST_SCAN_DAYS = 7
const SCAN_FROM_SETTING = 'approvals.scanFrom'
const REGISTER_BATCH = 10
const STATUSES: ApprovalState['status'][] = ['pending', 'approved', 'rejected']

export class ApprovalNotFoundError extends Error {
  override name = 'ApprovalNotFoundError'
}
/** The version was decided already: nothing changed. */
export class AlreadyDecidedError extends Error {
  override name = 'AlreadyDecidedError'
}
/** The request is not in the state the caller assumed (another version, not rejected, a race). */
export class ApprovalConflictError extends Error {
  override name = 'ApprovalConflictError'
}
export class ApprovalInputError extends Error {
  override name = 'ApprovalInputError'
}

export interface ApprovalDeps {
  records: RecordStore
  approvals: ApprovalStore
  settings: SettingsStore
  clock: Clock
  timeZone: string
  /** the approval form: `forms.approvalForm()` */
  form: ApprovalFormDefinition
  /** a change was recorded whose notice waits: wake the notifier */
  onChange?: () => void
  /** a new request version was stored: wake the mirror */
  onStored?: (version: RecordVersion) => void
}

/** Who decides: an approver, or the office with the admin token. */
export interface Decider {
  id: string
  /** the approver's name; empty for the office, whose shared token names no one */
  name: string
}

/** The office: each of its decisions names the person (`by`). */
export const OFFICE_DECIDER: Decider = { id: 'admin', name: '' }

const seqOf = (e: Pick<ApprovalEvent, 'version' | 'kind'>) => e.version * 2 + (e.kind === 'submitted' ? 0 : 1)
const text = (v: unknown) => (typeof v === 'string' ? v : '')

/** The state the events describe; undefined before the first version is registered. */
export function stateOf(form: ApprovalFormDefinition, versions: RecordVersion[], events: ApprovalEvent[]): ApprovalState | undefined {
  const last = events.at(-1)
  const first = versions[0]
  const about = versions.find((v) => v.version === last?.version)
  if (!last || !first || !about) return undefined
  return {
    recordId: last.recordId,
    unitId: last.unitId,
    version: last.version,
    status: last.kind === 'submitted' ? 'pending' : last.kind,
    firstReceivedAt: first.receivedAt,
    at: last.at,
    by: last.by,
    byName: last.byName,
    ...(last.comment !== undefined ? { comment: last.comment } : {}),
    title: text(about.values[form.approval.titleField]),
    channel: text(about.values[form.approval.channelField]),
    seq: seqOf(last),
  }
}

/** Rewrites the derived state from the record; a lower seq never overwrites a higher one. */
async function project(deps: ApprovalDeps, versions: RecordVersion[]): Promise<ApprovalState | undefined> {
  const recordId = versions[0]?.recordId
  if (!recordId) return undefined
  const state = stateOf(deps.form, versions, await deps.approvals.events(recordId))
  if (state) await deps.approvals.putState(state)
  return state
}

/** Records that `version` waits for a decision (idempotent); the approvers get a notice. */
async function register(deps: ApprovalDeps, versions: RecordVersion[], version: RecordVersion): Promise<void> {
  const fresh = await deps.approvals.putEvent({
    recordId: version.recordId,
    version: version.version,
    kind: 'submitted',
    unitId: version.unitId,
    by: version.unitId,
    byName: text(version.values[deps.form.approval.requesterNameField]),
    at: version.receivedAt,
    pendingNotice: true,
  })
  await project(deps, versions)
  if (fresh) deps.onChange?.()
}

/**
 * Registers request versions stored since the last sweep. Requests arrive through the ordinary
 * submission path, so they are found by date; a date is scanned again until a later day began.
 */
export async function registerNew(deps: ApprovalDeps): Promise<{ registered: number }> {
  const form = deps.form
  const today = localDate(deps.clock.now(), deps.timeZone)
  const from = (await deps.settings.get(SCAN_FROM_SETTING)) ?? addDays(today, -FIRST_SCAN_DAYS)
  // States of the requests first received in the window: most of what the scan finds is known.
  const since = zonedInstant(from, '00:00', deps.timeZone).toISOString()
  const known = new Map(
    (await Promise.all(STATUSES.map((s) => deps.approvals.byStatus(s, since)))).flat().map((s) => [s.recordId, s.version]),
  )
  const unknown = new Set<string>()
  for (let date = from; date <= today; date = addDays(date, 1)) {
    for (const seen of await deps.records.currentOfDay(form.id, date)) {
      if ((known.get(seen.recordId) ?? 0) < seen.version) unknown.add(seen.recordId)
    }
  }
  let registered = 0
  // A few at a time: a burst registers quickly without flooding the table with requests.
  const ids = [...unknown]
  for (let i = 0; i < ids.length; i += REGISTER_BATCH) {
    await Promise.all(
      ids.slice(i, i + REGISTER_BATCH).map(async (recordId) => {
        const [versions, events] = await Promise.all([deps.records.versions(recordId), deps.approvals.events(recordId)])
        const current = versions.at(-1)
        if (!current || events.some((e) => e.version === current.version)) return
        await register(deps, versions, current)
        registered++
      }),
    )
  }
  // Yesterday stays in the window: a request stored just before midnight may show up late.
  const next = addDays(today, -1)
  if (next > from) await deps.settings.put(SCAN_FROM_SETTING, next)
  return { registered }
}

/** Requests in one state (or all), oldest first; new submissions are registered first. */
export async function listRequests(deps: ApprovalDeps, status?: ApprovalState['status']): Promise<ApprovalState[]> {
  await registerNew(deps)
  const statuses = status ? [status] : STATUSES
  const states = (await Promise.all(statuses.map((s) => deps.approvals.byStatus(s)))).flat()
  return states.sort((a, b) => a.firstReceivedAt.localeCompare(b.firstReceivedAt) || a.recordId.localeCompare(b.recordId))
}

export interface RequestDetail {
  state: ApprovalState
  current: RecordVersion
  /** every recorded change, oldest first */
  events: ApprovalEvent[]
}

/** One request with its content and history; undefined when there is no such request. */
export async function requestDetail(deps: ApprovalDeps, recordId: string): Promise<RequestDetail | undefined> {
  const versions = await deps.records.versions(recordId)
  const current = versions.at(-1)
  if (!current || current.formId !== deps.form.id) return undefined
  let events = await deps.approvals.events(recordId)
  if (!events.some((e) => e.version === current.version)) {
    await register(deps, versions, current)
    events = await deps.approvals.events(recordId)
  }
  const state = stateOf(deps.form, versions, events)
  return state && { state, current, events }
}

export interface DecisionRequest {
  recordId: string
  decision: 'approved' | 'rejected'
  comment?: string
  decider: Decider
  /** the person deciding; required when the decider's token names no one (the office) */
  by?: string
  /** the version the approver read: refuses when a newer one came meanwhile */
  version?: number
}

/** Approves or rejects the current version, once. Rejecting needs a comment. */
export async function decide(deps: ApprovalDeps, request: DecisionRequest): Promise<ApprovalState> {
  const comment = request.comment?.trim() ?? ''
  if (comment.length > MAX_COMMENT_CHARS) throw new ApprovalInputError(`comment: at most ${MAX_COMMENT_CHARS} characters`)
  if (request.decision === 'rejected' && comment === '') throw new ApprovalInputError('comment: say why the request is rejected')
  const byName = PersonName.safeParse(request.by?.trim() || request.decider.name)
  if (!byName.success) throw new ApprovalInputError(BY_HINT)
  const versions = await deps.records.versions(request.recordId)
  const current = versions.at(-1)
  if (!current || current.formId !== deps.form.id) throw new ApprovalNotFoundError(`no request ${request.recordId}`)
  if (request.version !== undefined && request.version !== current.version) {
    throw new ApprovalConflictError(`version ${request.version} is not the current one (${current.version})`)
  }
  if (!(await deps.approvals.events(current.recordId)).some((e) => e.version === current.version)) {
    await register(deps, versions, current)
  }
  const recorded = await deps.approvals.putEvent({
    recordId: current.recordId,
    version: current.version,
    kind: request.decision,
    unitId: current.unitId,
    by: request.decider.id,
    byName: byName.data,
    ...(comment !== '' ? { comment } : {}),
    at: deps.clock.now().toISOString(),
    pendingNotice: true,
  })
  // Also after a lost race: the state may lag behind the winner's event (a crash in between).
  const state = await project(deps, versions)
  if (!recorded) throw new AlreadyDecidedError(`version ${current.version} of ${current.recordId} was decided already`)
  deps.onChange?.()
  return state as ApprovalState
}

export interface ResubmitRequest {
  unit: Unit
  recordId: string
  body: unknown
  idempotencyKey: string
  lang: Lang
}

/** A rejected request, corrected by its unit, stored as the next version of the same record. */
export async function resubmit(deps: ApprovalDeps, request: ResubmitRequest): Promise<SubmissionOutcome> {
  const { unit, recordId, idempotencyKey, lang } = request
  const { form } = deps
  const versions = await deps.records.versions(recordId)
  const current = versions.at(-1)
  if (!current || current.unitId !== unit.id || current.formId !== form.id) throw new ApprovalNotFoundError(`no request ${recordId}`)
  if (typeof request.body !== 'object' || request.body === null || Array.isArray(request.body)) {
    return { kind: 'invalid', issues: [{ path: '', message: t(lang, 'notObject') }] }
  }
  const validated = validateValues(form, request.body as Record<string, unknown>, lang)
  const same = versions.find((v) => v.idempotencyKey === idempotencyKey)
  if (same && validated.ok) return replayOf(same, validated.values)
  const last = (await deps.approvals.events(recordId)).at(-1)
  if (last?.kind !== 'rejected' || last.version !== current.version) {
    throw new ApprovalConflictError('only a rejected request can be submitted again')
  }
  if (!validated.ok) return { kind: 'invalid', issues: validated.issues }
  if (current.version >= MAX_VERSIONS_PER_RECORD)
    throw new TooManyVersionsError(`${recordId} has ${MAX_VERSIONS_PER_RECORD} versions already`)
  const now = deps.clock.now()
  const version: RecordVersion = {
    recordId,
    formId: form.id,
    unitId: unit.id,
    date: localDate(now, deps.timeZone),
    version: current.version + 1,
    values: validated.values,
    receivedAt: now.toISOString(),
    firstReceivedAt: current.firstReceivedAt,
    idempotencyKey,
    pendingMirror: true,
    pendingAlert: false,
  }
  if (!(await deps.records.putVersion(version))) {
    const winner = (await deps.records.versions(recordId)).find((v) => v.version === version.version)
    if (winner?.idempotencyKey === idempotencyKey) return replayOf(winner, validated.values)
    throw new ApprovalConflictError('the request was submitted again meanwhile')
  }
  deps.onStored?.(version)
  await register(deps, [...versions, version], version)
  return { kind: 'created', receipt: receiptOf(version), stored: version }
}

const approvers = linkHolders('approver', {
  inputError: (message) => new ApprovalInputError(message),
  notFound: (message) => new ApprovalNotFoundError(message),
})

export const addApprover = (store: ApprovalStore, clock: Clock, input: { id: string; name: string }) =>
  approvers.add(store.approvers, clock, input)
export const rotateApprover = (store: ApprovalStore, clock: Clock, id: string) => approvers.rotate(store.approvers, clock, id)
export const revokeApprover = (store: ApprovalStore, clock: Clock, id: string) => approvers.revoke(store.approvers, clock, id)

/** The approver an approver token belongs to; undefined for any other token, or a revoked approver's. */
export async function approverForToken(store: ApprovalStore, token: string): Promise<Decider | undefined> {
  const approver = await approvers.forToken(store.approvers, token)
  return approver && { id: approver.id, name: approver.name }
}

/** Who a bearer token speaks for: the admin token or an approver's own; undefined otherwise. */
export async function deciderForToken(store: ApprovalStore, adminTokenHash: string, token: string): Promise<Decider | undefined> {
  return secretMatches(token, adminTokenHash) ? OFFICE_DECIDER : approverForToken(store, token)
}

const STATUS_ZH: Record<ApprovalState['status'], string> = { pending: '待审批', approved: '已批准', rejected: '未通过' }

/** The zh-CN label of a select field's option; undefined for another field or an unknown value. */
export function optionLabel(form: FormDefinition, fieldId: string, value: unknown): string | undefined {
  const field = form.fields.find((f) => f.id === fieldId)
  return field?.type === 'select' ? field.options.find((o) => o.value === value)?.label.zh : undefined
}

/** The leaders' 信息发布 tab: every request with its status, approver and time. */
export function infoReleaseTab(deps: {
  approvals: ApprovalStore
  units: UnitStore
  form: ApprovalFormDefinition
  timeZone: string
}): ComputedTab {
  const form = deps.form
  const channelLabel = (value: string) => optionLabel(form, form.approval.channelField, value) ?? value
  const at = (iso: string) => localDateTime(new Date(iso), deps.timeZone)
  return {
    layout: {
      title: '信息发布',
      header: ['记录ID', '单位', '标题', '渠道', '版本', '状态', '提交时间', '审批人', '审批时间', '审批意见'],
      keys: ['recordId', 'unitName', 'title', 'channel', 'version', 'status', 'submittedAt', 'decidedBy', 'decidedAt', 'comment'],
      kinds: [undefined, undefined, undefined, undefined, 'number', undefined, 'datetime', undefined, 'datetime'],
      highlights: (
        [
          [STATUS_ZH.pending, 'amber'],
          [STATUS_ZH.rejected, 'red'],
          [STATUS_ZH.approved, 'green'],
        ] as const
      ).map(([startsWith, tone]) => ({ from: 5, to: 5, startsWith, tone })),
    },
    async rows() {
      const [states, units] = await Promise.all([Promise.all(STATUSES.map((s) => deps.approvals.byStatus(s))), deps.units.list()])
      const names = new Map(units.map((u) => [u.id, u.name]))
      return states
        .flat()
        .sort((a, b) => a.firstReceivedAt.localeCompare(b.firstReceivedAt) || a.recordId.localeCompare(b.recordId))
        .map((s) => {
          const decided = s.status !== 'pending'
          const cells: Cell[] = [
            s.recordId,
            names.get(s.unitId) ?? s.unitId,
            s.title,
            channelLabel(s.channel),
            s.version,
            STATUS_ZH[s.status],
            at(s.firstReceivedAt),
            decided ? s.byName : '',
            decided ? at(s.at) : '',
            decided ? (s.comment ?? '') : '',
          ]
          return cells.map(safeCell)
        })
    },
  }
}
