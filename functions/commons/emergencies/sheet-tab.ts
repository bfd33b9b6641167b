// The leaders' 应急 tab: one row per emergency, its status following its life (待确认 → 已确认 →
// 已解决, with who and when), rewritten whole by every mirror refresh.
import { localDateTime } from '../clock.ts'
import type { FormRegistry } from '../forms/registry.ts'
import { safeCell } from '../sheet/layout.ts'
import type { Cell, ComputedTab } from '../sheet/sink.ts'
import type { EmergencyStore, UnitStore } from '../store.ts'
import { categoryLabel } from './compose.ts'
import { type Emergency, SEVERITY_LABEL, STATUS_LABEL } from './emergency.ts'

export const EMERGENCY_TAB = '应急'

const columns = [
  ['编号', 'id'],
  ['状态', 'status'],
  ['紧急程度', 'severity'],
  ['类别', 'category'],
  ['单位', 'unitName'],
  ['提交时间', 'createdAt'],
  ['确认人', 'acknowledgedBy'],
  ['确认时间', 'acknowledgedAt'],
  ['解决人', 'resolvedBy'],
  ['解决时间', 'resolvedAt'],
  ['升级次数', 'escalations'],
  ['送达', 'delivered'],
  ['记录ID', 'recordId'],
] as const

/** `3/4` delivered, with failures named. */
function deliveryCell(e: Emergency): string {
  const live = e.deliveries.filter((d) => d.state !== 'cancelled')
  const delivered = live.filter((d) => d.state === 'delivered').length
  const failed = live.filter((d) => d.state === 'failed').map((d) => d.channel)
  return `${delivered}/${live.length}${failed.length > 0 ? ` 失败: ${failed.join(', ')}` : ''}`
}

export function emergencyTab(deps: { emergencies: EmergencyStore; units: UnitStore; forms: FormRegistry; timeZone: string }): ComputedTab {
  const time = (iso: string | undefined) => (iso ? localDateTime(new Date(iso), deps.timeZone) : '')
  return {
    layout: {
      title: EMERGENCY_TAB,
      header: columns.map(([zh]) => zh),
      keys: columns.map(([, id]) => id),
      kinds: columns.map(([, id]) => (id.endsWith('At') ? 'datetime' : id === 'escalations' ? 'number' : 'text')),
      highlights: (
        [
          ['待确认', 'red'],
          ['已确认', 'amber'],
          ['已解决', 'green'],
        ] as const
      ).map(([startsWith, tone]) => ({ from: 1, to: 1, startsWith, tone })),
    },
    async rows() {
      const [emergencies, units] = await Promise.all([deps.emergencies.list(), deps.units.list()])
      const names = new Map(units.map((u) => [u.id, u.name]))
      return emergencies
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
        .map((e): Cell[] =>
          [
            e.id,
            STATUS_LABEL[e.status].zh,
            SEVERITY_LABEL[e.severity].zh,
            categoryLabel(deps.forms, e.category).zh,
            names.get(e.unitId) ?? e.unitId,
            time(e.createdAt),
            e.acknowledgedBy ?? '',
            time(e.acknowledgedAt),
            e.resolvedBy ?? '',
            time(e.resolvedAt),
            e.escalations,
            deliveryCell(e),
            e.recordId,
          ].map(safeCell),
        )
    },
  }
}
