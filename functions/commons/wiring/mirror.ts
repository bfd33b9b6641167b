// The mirror's dependencies: the sheet sink and the computed tabs (概览, 信息发布 when its form
// is loaded, 应急), built the same way by the mirror function and the local server.
import { infoReleaseTab } from '../approvals/requests.ts'
import { emergencyTab } from '../emergencies/sheet-tab.ts'
import type { MirrorDeps } from '../sheet/mirror.ts'
import { overviewTab } from '../sheet/overview.ts'
import type { SheetSink } from '../sheet/sink.ts'
import { trendTab } from '../sheet/trend.ts'
import type { Edge, SiteSettings } from './edge.ts'

export function mirrorDeps(
  edge: Omit<Edge, 'fetch' | 'clock'>,
  settings: SiteSettings,
  sink: SheetSink & { ready?: () => Promise<void> },
  publicUrl?: string,
): MirrorDeps {
  const { stores, approvals, emergencies, forms, log } = edge
  const timeZone = settings.ORG_TIMEZONE
  const infoRelease = forms.approvalForm()
  return {
    ...stores,
    forms,
    sink,
    timeZone,
    log,
    ...(publicUrl ? { publicUrl } : {}),
    computedTabs: [
      overviewTab({ ...stores, forms, timeZone }),
      emergencyTab({ emergencies, units: stores.units, forms, timeZone }),
      trendTab({ ...stores, forms, timeZone }),
      ...(infoRelease ? [infoReleaseTab({ approvals, units: stores.units, form: infoRelease, timeZone })] : []),
    ],
    ready: sink.ready,
  }
}
