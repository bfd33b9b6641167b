// The web app's dependencies, built the same way by the API function and the local server.
import { unitAlertRate } from '../emergencies/unit-rate.ts'
import type { WorkbookFiles } from '../forms/workbook.ts'
import type { RecordVersion } from '../model.ts'
import type { AlertSettings } from '../settings.ts'
import { hashSecret } from '../units/tokens.ts'
import type { AppDeps } from '../web/deps.ts'
import { emergencyAppDeps } from './alert-worker.ts'
import type { Edge, SiteSettings } from './edge.ts'

export interface AppParts {
  adminToken: string
  /** HMAC keys of the expiring unit links and of the acknowledge links */
  linkKey: string
  ackKey: string
  /** the address staff reach (no trailing slash) */
  publicUrl: string
  client: AppDeps['client']
  allowedHosts?: string[]
  rebuildSheet: () => Promise<{ rows: number }>
  /** the forms page's .xlsx files (the local server, the workbook function) */
  workbooks?: WorkbookFiles
  /** after a write: wakes the in-process workers (locally; streams do it on AWS) */
  onStored?: (version: RecordVersion) => void
  /** after a recorded approval change */
  approvalsChanged: () => void
  /** after an acknowledgement or resolution: the sheet's 应急 tab follows */
  emergenciesChanged: () => void
  /** photo uploads: S3 on AWS, files under DATA_DIR locally */
  photos?: AppDeps['photos']
}

export function appDeps(edge: Omit<Edge, 'fetch'>, settings: SiteSettings & AlertSettings, parts: AppParts): AppDeps {
  const approvalForm = edge.forms.approvalForm()
  return {
    forms: edge.forms,
    catalog: edge.forms,
    stores: edge.stores,
    clock: edge.clock,
    log: edge.log,
    timeZone: settings.ORG_TIMEZONE,
    adminTokenHash: hashSecret(parts.adminToken),
    linkKey: parts.linkKey,
    publicUrl: parts.publicUrl,
    client: parts.client,
    ...(parts.allowedHosts ? { allowedHosts: parts.allowedHosts } : {}),
    onStored: parts.onStored,
    rebuildSheet: parts.rebuildSheet,
    ...(parts.workbooks ? { workbooks: parts.workbooks } : {}),
    ...(approvalForm
      ? {
          approvals: {
            store: edge.approvals,
            // the current version: the office may publish a new one (forms/catalog.ts)
            get form() {
              return edge.forms.approvalForm() ?? approvalForm
            },
            changed: parts.approvalsChanged,
          },
        }
      : {}),
    alerts: emergencyAppDeps(edge, settings, { ackKey: parts.ackKey, onChanged: parts.emergenciesChanged }),
    leaders: edge.leaders,
    alertRate: unitAlertRate(edge.stores.alertRates, settings.UNIT_ALERT_LIMIT, edge.log),
    ...(parts.photos ? { photos: parts.photos } : {}),
  }
}
