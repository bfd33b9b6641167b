// What the web app needs, created at the edge (local server or Lambda) and passed in.
import type { Context } from 'hono'
import type { Clock } from '../clock.ts'
import type { EscalationPolicy } from '../emergencies/emergency.ts'
import type { AlertRate } from '../emergencies/unit-rate.ts'
import type { FormCatalog } from '../forms/catalog.ts'
import type { ApprovalFormDefinition } from '../forms/definition.ts'
import type { FormRegistry } from '../forms/registry.ts'
import type { WorkbookFiles } from '../forms/workbook.ts'
import type { Lang } from '../i18n.ts'
import type { LeaderStore } from '../leaders/leaders.ts'
import type { Logger } from '../log.ts'
import type { RecordVersion, Unit } from '../model.ts'
import type { PhotoStorage, UploadReceiver } from '../photos/photos.ts'
import type { ApprovalStore, EmergencyStore, Stores } from '../store.ts'
import type { GuessingGuard } from './guessing-guard.ts'

export interface AppDeps {
  forms: FormRegistry
  /** publishing forms (forms/catalog.ts); its admin routes and office page are mounted only when given */
  catalog?: FormCatalog
  /** the .xlsx files of the forms page; absent in the API function, whose workbook routes go to the workbook function */
  workbooks?: WorkbookFiles
  stores: Stores
  clock: Clock
  timeZone: string
  /** SHA-256 of the admin token */
  adminTokenHash: string
  /** HMAC key of the expiring unit links sent in reminders */
  linkKey: string
  /** the address staff reach, for the links printed and shown (no trailing slash) */
  publicUrl: string
  log: Logger
  /** wakes the in-process workers after a write (locally; streams do it on AWS) */
  onStored?: (version: RecordVersion) => void
  /** rewrites the whole sheet from the database */
  rebuildSheet(): Promise<{ rows: number }>
  /** information-release approval (approvals/); its routes are mounted only when given */
  approvals?: Approvals
  /** who sent a request, as the edge sees it (the guessing guard's address, the session cookie's Secure) */
  client?: (c: Context) => ClientInfo
  /** `Host` values the app answers; any when unset */
  allowedHosts?: string[]
  /** refused tokens or links allowed per address or subject and window (guessing-guard.ts has the defaults) */
  guessing?: { limit: number; windowMs: number }
  /** emergencies (emergencies/); their API and pages are mounted only when given */
  alerts?: AlertAppDeps
  /** each unit's alert rate (emergencies/unit-rate.ts); without it every alert goes out */
  alertRate?: AlertRate
  /** the leaders and their dashboard links (leaders/); the links and their admin API are mounted only when given */
  leaders?: LeaderStore
  /** photo uploads (photos/); `POST /api/uploads` and the photo routes are mounted only when given */
  photos?: PhotoDeps
}

export interface PhotoDeps {
  storage: PhotoStorage
  /** the local server's own upload target at LOCAL_UPLOAD_PATH (S3 takes uploads on AWS) */
  receive?: UploadReceiver
  /** the upload target's origin when it is not the app's (the bucket's), allowed by the pages' CSP */
  uploadOrigin?: string
}

/** Information-release approval, as the web app needs it. */
export interface Approvals {
  store: ApprovalStore
  /** the form that goes through approval (`forms.approvalForm()`) */
  form: ApprovalFormDefinition
  /** wakes the notifier after a recorded change */
  changed?: () => void
}

export interface AlertAppDeps {
  emergencies: EmergencyStore
  policy: EscalationPolicy
  /** HMAC key of the one-tap acknowledge links, and how long they last */
  ackKey: string
  ackTtlS: number
  /** the language of alert texts (outbox page) */
  lang: Lang
  /** after an acknowledgement or resolution: the sheet's 应急 tab follows */
  onChanged?: () => void
}

/** The client of a request: its address, and whether it arrived over TLS. */
export interface ClientInfo {
  address?: string
  tls: boolean
}

/** The edge's view of the client; without one (in-process requests), the URL's scheme alone. */
export const clientOf = (deps: Pick<AppDeps, 'client'>, c: Context): ClientInfo =>
  deps.client?.(c) ?? { tls: new URL(c.req.url).protocol === 'https:' }

export type AppEnv = { Variables: { unit: Unit; lang: Lang; guard: GuessingGuard } }

export const unitLink = (deps: Pick<AppDeps, 'publicUrl'>, token: string) => `${deps.publicUrl}/u/${token}`

/** How the app accepts expiring reminder links next to the units' own tokens. */
export const signedLinksOf = (deps: Pick<AppDeps, 'linkKey' | 'clock'>) => ({ key: deps.linkKey, now: () => deps.clock.now() })
