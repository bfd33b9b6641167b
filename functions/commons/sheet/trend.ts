// The 趋势 (trend) tab: the last 14 days of 报送率 and 按时率 per daily form and the totals
// leaders watch, one row a day, oldest first. In the Google Sheet native charts read these cells
// (written with the layout, updated in place, never duplicated); the workbook has the figures.
import type { StatusDeps } from '../daily/status.ts'
import { trends } from '../leaders/dashboard.ts'
import type { Cell, ColumnKind, ComputedTab, TabLayout } from './sink.ts'

const TREND_TAB = '趋势'

/** The tab for the forms and totals declared now: its columns follow the definitions. */
function trendLayout(deps: StatusDeps): TabLayout {
  const daily = deps.forms.all.filter((f) => f.kind === 'daily')
  const totals = deps.forms.all.flatMap((f) => f.totals.map((t) => ({ formId: f.id, id: t.id, label: t.label.zh })))
  const columns = [
    { key: 'date', label: '日期', kind: 'date' as ColumnKind },
    ...daily.flatMap((f) => [
      { key: `${f.id}.reported`, label: `${f.tab} 报送率%`, kind: 'number' as ColumnKind },
      { key: `${f.id}.onTime`, label: `${f.tab} 按时率%`, kind: 'number' as ColumnKind },
    ]),
    ...totals.map((t) => ({ key: `${t.formId}.${t.id}`, label: t.label, kind: 'number' as ColumnKind })),
  ]
  const rateCharts = daily.map((f, i) => ({
    title: `${f.title.zh} 报送率与按时率（近14天）`,
    type: 'LINE' as const,
    series: [1 + 2 * i, 2 + 2 * i],
  }))
  const totalChart = { title: '每日合计（近14天）', type: 'COLUMN' as const, series: totals.map((_, i) => 1 + 2 * daily.length + i) }
  return {
    title: TREND_TAB,
    header: columns.map((c) => c.label),
    keys: columns.map((c) => c.key),
    kinds: columns.map((c) => c.kind),
    charts: [...rateCharts, ...(totals.length > 0 ? [totalChart] : [])],
  }
}

export function trendTab(deps: StatusDeps): ComputedTab {
  const layout = trendLayout(deps)
  return {
    layout,
    async rows(now) {
      const { rates, totals } = await trends(deps, now)
      const byKey = new Map<string, (number | null)[]>([
        ...rates.flatMap((r) => [
          [`${r.formId}.reported`, r.reported.points.map((p) => p.value)] as const,
          [`${r.formId}.onTime`, r.onTime.points.map((p) => p.value)] as const,
        ]),
        ...totals.map((t) => [t.id, t.points.map((p) => p.value)] as const),
      ])
      const dates = (totals[0] ?? rates[0]?.reported)?.points.map((p) => p.date) ?? []
      return dates.map((date, day): Cell[] => [date, ...layout.keys.slice(1).map((key) => byKey.get(key)?.[day] ?? '')])
    },
  }
}
