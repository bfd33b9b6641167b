// The 概览 overview tab: who reported each daily form today and on each of the last 7 days,
// and the day's totals leaders watch. Built from dayStatus and dayTotals, the same code that
// answers GET /api/status, so the sheet and the API never disagree.
import { addDays, localDate, localDateTime } from '../clock.ts'
import { dayStatus, dayTotals, type ReportStatus, type StatusDeps } from '../daily/status.ts'
import { safeCell } from './layout.ts'
import type { Cell, ComputedTab, TabLayout } from './sink.ts'

export const OVERVIEW_TAB = '概览'
/** today and this many days back: the window in which a daily report may still be submitted */
const OVERVIEW_DAYS_BACK = 7

const dayColumns = Array.from({ length: OVERVIEW_DAYS_BACK + 1 }, (_, i) => (i === 0 ? '今天' : i === 1 ? '昨天' : `${i}天前`))
const FIRST_DAY = 4

export const overviewLayout: TabLayout = {
  title: OVERVIEW_TAB,
  header: ['单位/项目', '单位ID', '表单', '截止时间', ...dayColumns],
  keys: ['item', 'unitId', 'form', 'deadline', ...dayColumns.map((_, i) => `d${i}`)],
  highlights: (
    [
      ['未报', 'red'],
      ['迟报', 'amber'],
      ['按时', 'green'],
    ] as const
  ).map(([startsWith, tone]) => ({ from: FIRST_DAY, to: FIRST_DAY + OVERVIEW_DAYS_BACK, startsWith, tone })),
}

const STATUS_ZH: Record<ReportStatus, string> = { on_time: '按时', late: '迟报', missing: '未报' }

/** '按时 09:12'; a report that came on a later day shows that day too */
function statusCell(status: ReportStatus, submittedAt: string | undefined, date: string, timeZone: string): string {
  if (!submittedAt) return STATUS_ZH[status]
  const at = new Date(submittedAt)
  const when = localDate(at, timeZone) === date ? localDateTime(at, timeZone).slice(11, 16) : localDateTime(at, timeZone).slice(5, 16)
  return `${STATUS_ZH[status]} ${when}`
}

/** The rows under the header: the dates, totals per day, reported/owed per form, then each unit × daily form. */
export async function overviewRows(deps: StatusDeps, now: Date): Promise<Cell[][]> {
  const today = localDate(now, deps.timeZone)
  const dates = dayColumns.map((_, i) => addDays(today, -i))
  const [statuses, totals] = await Promise.all([
    Promise.all(dates.map((d) => dayStatus(deps, d))),
    Promise.all(dates.map((d) => dayTotals(deps, d))),
  ])
  const title = (formId: string) => deps.forms.get(formId)?.title.zh ?? formId
  const rows: Cell[][] = [['日期', '', '', '', ...dates]]

  // looked up by id, not position: a unit added between two reads must not shift the columns
  const totalOf = (day: number, formId: string, id: string) => totals[day]?.find((t) => t.formId === formId && t.id === id)?.value ?? 0
  const statusOf = (day: number, formId: string, unitId: string) =>
    statuses[day]?.forms.find((f) => f.formId === formId)?.units.find((u) => u.unitId === unitId)
  const owed = (day: number, formId: string) => statuses[day]?.forms.find((f) => f.formId === formId)?.units ?? []

  // the figures leaders watch, as each form declares them
  for (const total of totals[0] ?? []) {
    rows.push([total.label.zh, '', title(total.formId), '', ...dates.map((_, d) => totalOf(d, total.formId, total.id))])
  }
  const forms = statuses[0]?.forms ?? []
  for (const form of forms) {
    const reported = (d: number) => owed(d, form.formId).filter((u) => u.status !== 'missing').length
    rows.push(['已报/应报', '', title(form.formId), form.deadline, ...dates.map((_, d) => `${reported(d)}/${owed(d, form.formId).length}`)])
  }
  rows.push([])

  for (const form of forms) {
    // Every unit that owed the form on any of the days: a unit retired today keeps its row for the days before.
    const owing = new Map(dates.flatMap((_, d) => owed(d, form.formId)).map((u) => [u.unitId, u]))
    for (const unit of [...owing.values()].sort((a, b) => a.unitId.localeCompare(b.unitId))) {
      rows.push([
        unit.unitName,
        unit.unitId,
        title(form.formId),
        form.deadline,
        ...dates.map((date, d) => {
          const s = statusOf(d, form.formId, unit.unitId)
          return s ? statusCell(s.status, s.submittedAt, date, deps.timeZone) : ''
        }),
      ])
    }
  }
  return rows.map((row) => row.map(safeCell))
}

/** The overview as a tab the mirror rewrites on every sweep. */
export function overviewTab(deps: StatusDeps): ComputedTab {
  return { layout: overviewLayout, rows: (now) => overviewRows(deps, now) }
}
