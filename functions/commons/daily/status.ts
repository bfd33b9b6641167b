// Who owes which daily report, and whether it came on time, late, or not at all.
import { zonedInstant } from '../clock.ts'
import type { FormDefinition, Total } from '../forms/definition.ts'
import type { FormRegistry } from '../forms/registry.ts'
import { conditionHolds } from '../forms/validation.ts'
import type { RecordVersion, Unit } from '../model.ts'
import type { RecordStore, SettingsStore, UnitStore } from '../store.ts'
import { owesOn } from '../units/roster.ts'
import { deadlineOf } from './deadlines.ts'

export type ReportStatus = 'on_time' | 'late' | 'missing'

interface UnitStatus {
  unitId: string
  unitName: string
  status: ReportStatus
  /** first submission for the day (ISO), absent when missing */
  submittedAt?: string
  /** per site, for units that report on named sites (site-daily) */
  sites?: { site: string; status: ReportStatus; submittedAt?: string }[]
}

export interface FormStatus {
  formId: string
  /** HH:MM in the organisation's time zone */
  deadline: string
  units: UnitStatus[]
}

export interface DayStatus {
  date: string
  forms: FormStatus[]
}

export interface StatusDeps {
  records: RecordStore
  units: UnitStore
  settings: SettingsStore
  forms: FormRegistry
  timeZone: string
}

/** On time when the first version arrived by the deadline of that date. */
function reportStatus(records: RecordVersion[], deadlineAt: Date): { status: ReportStatus; submittedAt?: string } {
  if (records.length === 0) return { status: 'missing' }
  const first = records.map((r) => r.firstReceivedAt).sort()[0] as string
  return { status: Date.parse(first) <= deadlineAt.getTime() ? 'on_time' : 'late', submittedAt: first }
}

const siteKey = (v: unknown) =>
  String(v ?? '')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase()

/** A unit with named sites owes one report per site: missing if any is missing, late if any is late. */
function unitStatus(form: FormDefinition, unit: Unit, records: RecordVersion[], deadlineAt: Date): UnitStatus {
  const base = { unitId: unit.id, unitName: unit.name }
  const keyField = form.recordKeyFields[0]
  if (!keyField || !unit.sites?.length) return { ...base, ...reportStatus(records, deadlineAt) }
  const sites = unit.sites.map((site) => ({
    site,
    ...reportStatus(
      records.filter((r) => siteKey(r.values[keyField]) === siteKey(site)),
      deadlineAt,
    ),
  }))
  const worst = sites.some((s) => s.status === 'missing') ? 'missing' : sites.some((s) => s.status === 'late') ? 'late' : 'on_time'
  const firsts = sites.flatMap((s) => (s.submittedAt ? [s.submittedAt] : [])).sort()
  return { ...base, status: worst, ...(worst !== 'missing' && firsts[0] ? { submittedAt: firsts[0] } : {}), sites }
}

/** The status of every unit for every daily form it owes, on `date`. */
export async function dayStatus(deps: StatusDeps, date: string): Promise<DayStatus> {
  // A retired unit owes nothing from the day it was retired; earlier days keep their status.
  const units = (await deps.units.list()).filter((u) => owesOn(u, date, deps.timeZone)).sort((a, b) => a.id.localeCompare(b.id))
  const daily = deps.forms.all.filter((f) => f.kind === 'daily')
  const forms = await Promise.all(
    daily.map(async (form): Promise<FormStatus> => {
      const [deadline, records] = await Promise.all([deadlineOf(deps.settings, form.id), deps.records.currentOfDay(form.id, date)])
      const deadlineAt = zonedInstant(date, deadline, deps.timeZone)
      return {
        formId: form.id,
        deadline,
        units: units
          .filter((u) => u.forms.includes(form.id))
          .map((u) =>
            unitStatus(
              form,
              u,
              records.filter((r) => r.unitId === u.id),
              deadlineAt,
            ),
          ),
      }
    }),
  )
  return { date, forms }
}

export interface DayTotal {
  formId: string
  id: string
  label: Total['label']
  value: number
}

function totalOf(total: Total, records: RecordVersion[]): number {
  if ('countWhere' in total) return records.filter((r) => conditionHolds(total.countWhere, r.values)).length
  return records.reduce(
    (sum, r) => sum + total.sum.reduce((s, id) => s + (typeof r.values[id] === 'number' ? (r.values[id] as number) : 0), 0),
    0,
  )
}

/** The figures leaders watch for `date`, as declared by each form's `totals`. */
export async function dayTotals(deps: Pick<StatusDeps, 'records' | 'forms'>, date: string): Promise<DayTotal[]> {
  const withTotals = deps.forms.all.filter((f: FormDefinition) => f.totals.length > 0)
  const perForm = await Promise.all(
    withTotals.map(async (form) => {
      const records = await deps.records.currentOfDay(form.id, date)
      return form.totals.map((total) => ({ formId: form.id, id: total.id, label: total.label, value: totalOf(total, records) }))
    }),
  )
  return perForm.flat()
}
