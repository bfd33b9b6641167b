// What the leaders' dashboard shows, computed from the same code as the office page, the API
// and the sheet (dayStatus, dayTotals, the emergency and approval stores), so they never disagree.
import { addDays, localDate } from '../clock.ts'
import { rates } from '../daily/cycle.ts'
import { type DayStatus, dayStatus, dayTotals, type FormStatus, type StatusDeps } from '../daily/status.ts'
import type { Emergency } from '../emergencies/emergency.ts'
import type { SheetHealth } from '../sheet/health.ts'
import { sheetHealth } from '../sheet/health.ts'
import type { ApprovalState, ApprovalStore, EmergencyStore, SettingsStore } from '../store.ts'

const TREND_DAYS = 14

export interface Trend {
  id: string
  title: string
  /** oldest first, one per day */
  points: { date: string; value: number | null }[]
}

export interface Dashboard {
  date: string
  /** today, per daily form */
  today: (FormStatus & { title: string; owed: number; reported: number; onTime: number })[]
  /** 报送率 and 按时率 (percent) per daily form over the last 14 days */
  rates: { formId: string; title: string; reported: Trend; onTime: Trend }[]
  /** the figures leaders watch, per day over the last 14 days */
  totals: Trend[]
  /** open and acknowledged emergencies, oldest first, with their age */
  emergencies: (Emergency & { ageS: number; unitName: string })[]
  /** information-release requests waiting for a decision, oldest first */
  pendingReleases: (ApprovalState & { unitName: string })[]
  sheet: SheetHealth
}

export interface DashboardDeps extends StatusDeps {
  settings: SettingsStore
  emergencies?: EmergencyStore
  approvals?: ApprovalStore
}

const percentOf = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 100))

/** The last 14 days: each day's status and totals, oldest first. */
async function history(deps: StatusDeps, now: Date) {
  const date = localDate(now, deps.timeZone)
  const days = Array.from({ length: TREND_DAYS }, (_, i) => addDays(date, i - TREND_DAYS + 1))
  const [statuses, totals] = await Promise.all([
    Promise.all(days.map((d) => dayStatus(deps, d))),
    Promise.all(days.map((d) => dayTotals(deps, d))),
  ])
  return { date, days, statuses, totals }
}

/** 报送率 and 按时率 per daily form and the declared totals over the last 14 days: the dashboard's charts and the sheet's 趋势 tab. */
export async function trends(
  deps: StatusDeps,
  now: Date,
): Promise<Pick<Dashboard, 'date' | 'rates' | 'totals'> & { statuses: DayStatus[] }> {
  const { date, days, statuses, totals } = await history(deps, now)
  const title = (formId: string) => deps.forms.get(formId)?.title.zh ?? formId
  const current = statuses.at(-1) as DayStatus
  const formOn = (day: DayStatus, formId: string) => day.forms.find((f) => f.formId === formId)
  const trend = (formId: string, which: 'reported' | 'onTime', label: string): Trend => ({
    id: `${formId}.${which}`,
    title: `${title(formId)} ${label}`,
    points: statuses.map((day, i) => {
      const form = formOn(day, formId)
      const r = form && rates(form)
      return { date: days[i] as string, value: r ? percentOf(r[which], r.owed) : null }
    }),
  })
  const declared = totals.at(-1) ?? []
  return {
    date,
    statuses,
    rates: current.forms
      .filter((f) => f.units.length > 0)
      .map((f) => ({
        formId: f.formId,
        title: title(f.formId),
        reported: trend(f.formId, 'reported', '报送率'),
        onTime: trend(f.formId, 'onTime', '按时率'),
      })),
    totals: declared.map((t) => ({
      id: `${t.formId}.${t.id}`,
      title: t.label.zh,
      points: totals.map((day, i) => ({
        date: days[i] as string,
        value: day.find((x) => x.formId === t.formId && x.id === t.id)?.value ?? 0,
      })),
    })),
  }
}

export async function dashboard(deps: DashboardDeps, now: Date): Promise<Dashboard> {
  const [{ date, statuses, rates: rateTrends, totals }, units, emergencies, pending, sheet] = await Promise.all([
    trends(deps, now),
    deps.units.list(),
    deps.emergencies ? deps.emergencies.list() : Promise.resolve([]),
    deps.approvals ? deps.approvals.byStatus('pending') : Promise.resolve([]),
    sheetHealth(deps, now),
  ])
  const names = new Map(units.map((u) => [u.id, u.name]))
  const title = (formId: string) => deps.forms.get(formId)?.title.zh ?? formId
  const current = statuses.at(-1) as DayStatus
  return {
    date,
    today: current.forms.filter((f) => f.units.length > 0).map((f) => ({ ...f, title: title(f.formId), ...rates(f) })),
    rates: rateTrends,
    totals,
    emergencies: emergencies
      .filter((e) => e.status !== 'resolved')
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((e) => ({
        ...e,
        ageS: Math.max(0, Math.floor((now.getTime() - Date.parse(e.createdAt)) / 1000)),
        unitName: names.get(e.unitId) ?? e.unitId,
      })),
    pendingReleases: pending
      .sort((a, b) => a.firstReceivedAt.localeCompare(b.firstReceivedAt))
      .map((s) => ({ ...s, unitName: names.get(s.unitId) ?? s.unitId })),
    sheet,
  }
}
