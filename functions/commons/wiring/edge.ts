// What every worker's builder takes from its edition (functions/local or a Lambda entry): the
// stores built there once on its DynamoDB client, the forms, the clock, the log and fetch. The
// builders import no adapter: what talks to AWS is created at the edge and passed in.
import type { FetchFn } from '../channels/deliver.ts'
import type { Clock } from '../clock.ts'
import type { FormCatalog } from '../forms/catalog.ts'
import type { LeaderStore } from '../leaders/leaders.ts'
import type { Logger } from '../log.ts'
import type { ApprovalStore, EmergencyStore, Stores } from '../store.ts'

export interface Edge {
  stores: Stores
  approvals: ApprovalStore
  emergencies: EmergencyStore
  /** the leaders and their dashboard links */
  leaders: LeaderStore
  /** the current forms, and their published versions */
  forms: FormCatalog
  clock: Clock
  log: Logger
  /** outgoing HTTP, for chat robots and JSON endpoints */
  fetch: FetchFn
}

/** The settings every builder reads. */
export interface SiteSettings {
  ORG_TIMEZONE: string
}
