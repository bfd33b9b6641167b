// What every worker's builder takes from its edition (functions/local or a Lambda entry): the
// clients created there once, the stores and forms built on them, the clock and the log.
import type { DynamoClients } from '../adapters/dynamo/client.ts'
import type { FetchFn } from '../channels/deliver.ts'
import type { Clock } from '../clock.ts'
import type { FormRegistry } from '../forms/registry.ts'
import type { Logger } from '../log.ts'
import type { Stores } from '../store.ts'

export interface Edge {
  doc: DynamoClients['doc']
  stores: Stores
  forms: FormRegistry
  clock: Clock
  log: Logger
  /** outgoing HTTP, for chat robots and JSON endpoints */
  fetch: FetchFn
}

/** The settings every builder reads. */
export interface SiteSettings {
  TABLE_NAME: string
  ORG_TIMEZONE: string
}
