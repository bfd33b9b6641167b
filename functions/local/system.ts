// Wires the whole system on one machine: embedded DynamoDB (or DYNAMODB_ENDPOINT), the .xlsx
// workbook as the sheet, the in-process workers, and the Hono app. The server and the admin CLI
// both build it here.
import { existsSync } from 'node:fs'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createApprovalStore } from '#commons/adapters/dynamo/approvals.ts'
import { createDynamoClients } from '#commons/adapters/dynamo/client.ts'
import { createDynamoEmergencyStore } from '#commons/adapters/dynamo/emergencies.ts'
import { createFormVersionStore } from '#commons/adapters/dynamo/form-versions.ts'
import { createLinkHolderStore } from '#commons/adapters/dynamo/link-holders.ts'
import { createDynamoStores } from '#commons/adapters/dynamo/stores.ts'
import { ensureTable } from '#commons/adapters/dynamo/table.ts'
import { createFeishuSheetSink } from '#commons/adapters/feishu-sheets.ts'
import { formWorkbookFiles } from '#commons/adapters/form-workbook.ts'
import { createGoogleSheetSink, createSheetsClient } from '#commons/adapters/google-sheets.ts'
import { type Clock, systemClock } from '#commons/clock.ts'
import { createFormCatalog, type FormCatalog } from '#commons/forms/catalog.ts'
import { loadFormInputs } from '#commons/forms/registry.ts'
import type { Logger } from '#commons/log.ts'
import { mirrorPass, rebuildSheet } from '#commons/sheet/mirror.ts'
import type { SheetSink } from '#commons/sheet/sink.ts'
import type { Stores } from '#commons/store.ts'
import { withUnitCache } from '#commons/units/cached-units.ts'
import { newSecret } from '#commons/units/tokens.ts'
import { createApp } from '#commons/web/app.tsx'
import { appDeps } from '#commons/wiring/app.ts'
import type { Edge } from '#commons/wiring/edge.ts'
import { mirrorDeps } from '#commons/wiring/mirror.ts'
import { startAlerts } from './alerts.ts'
import { startApprovals } from './approvals.ts'
import { localClient } from './client-info.ts'
import type { LocalConfig } from './config.ts'
import { startDailyCycle } from './daily-timer.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from './embedded-dynamodb.ts'
import { restoreEmergencyWakeups } from './emergency-wakeups.ts'
import { makePrivate } from './instance.ts'
import { localPhotos } from './photos.ts'
import { type Pump, startPump } from './pump.ts'
import { createWorkbookSink } from './workbook-sink.ts'

/** Where leaders read: the Google Sheet when SHEET_ID is set, the Feishu sheet when FEISHU_SHEET_TOKEN is, else the local workbook. */
type LocalSink = SheetSink & { readonly path: string; ready?: () => Promise<void> }

async function createSink(config: LocalConfig, log: Logger): Promise<LocalSink> {
  if (config.FEISHU_SHEET_TOKEN && config.FEISHU_APP_ID && config.FEISHU_APP_SECRET) {
    return createFeishuSheetSink({
      spreadsheetToken: config.FEISHU_SHEET_TOKEN,
      appId: config.FEISHU_APP_ID,
      appSecret: config.FEISHU_APP_SECRET,
      apiUrl: config.FEISHU_API_URL,
      log,
    })
  }
  if (!config.SHEET_ID) return createWorkbookSink(join(config.DATA_DIR, 'leaders.xlsx'), log)
  const api = createSheetsClient({
    credentialsFile: config.GOOGLE_APPLICATION_CREDENTIALS,
    accessToken: config.GOOGLE_ACCESS_TOKEN,
    rootUrl: config.SHEETS_API_URL,
  })
  return createGoogleSheetSink(api, { spreadsheetId: config.SHEET_ID, log })
}

export interface LocalSystem {
  app: ReturnType<typeof createApp>
  stores: Stores
  forms: FormCatalog
  sink: LocalSink
  mirror: Pump
  adminToken: string
  /** the admin token was made just now (the first start): the banner shows it this once */
  adminTokenIsNew: boolean
  close(): Promise<void>
}

export interface SystemOptions {
  log: Logger
  clock?: Clock
  /** another forms folder (tests) */
  formsDir?: string
  /** the address staff reach, once known */
  publicUrl: string
  /** run the background workers (the server does; a one-off CLI command does not) */
  workers: boolean
}

/** A secret from the environment, or one generated once and kept in the data folder (owner-only). */
async function secretFor(config: LocalConfig, fromEnv: string | undefined, fileName: string): Promise<{ secret: string; isNew: boolean }> {
  if (fromEnv) return { secret: fromEnv, isNew: false }
  const file = join(config.DATA_DIR, fileName)
  if (existsSync(file)) return { secret: (await readFile(file, 'utf8')).trim(), isNew: false }
  const secret = newSecret()
  await writeFile(file, `${secret}\n`, { mode: 0o600 })
  await chmod(file, 0o600)
  return { secret, isNew: true }
}

export async function createLocalSystem(config: LocalConfig, options: SystemOptions): Promise<LocalSystem> {
  const { log } = options
  // This machine's Node 20 is known; the Lambda runtime is Node 22. Keep start-up output clean.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const clock = options.clock ?? systemClock
  await makePrivate(config.DATA_DIR)
  const embedded: EmbeddedDynamo | undefined = config.DYNAMODB_ENDPOINT ? undefined : await startEmbeddedDynamo(join(config.DATA_DIR, 'db'))
  const { client, doc } = createDynamoClients(config.DYNAMODB_ENDPOINT ?? embedded?.endpoint, embedded?.socketPath)
  await ensureTable(client, config.TABLE_NAME)
  const stores = withUnitCache(createDynamoStores(doc, config.TABLE_NAME))
  const forms = await createFormCatalog({
    builtIn: await loadFormInputs(options.formsDir),
    store: createFormVersionStore(doc, config.TABLE_NAME),
    clock,
    log,
  })
  await forms.refresh()
  const edge: Edge = {
    stores,
    approvals: createApprovalStore(doc, config.TABLE_NAME),
    emergencies: createDynamoEmergencyStore(doc, config.TABLE_NAME),
    leaders: createLinkHolderStore(doc, config.TABLE_NAME, 'LEADER'),
    forms,
    clock,
    log,
    fetch: (url, init) => fetch(url, init),
  }
  const sink = await createSink(config, log)
  const { secret: adminToken, isNew: adminTokenIsNew } = await secretFor(config, config.ADMIN_TOKEN, 'admin-token')
  const { secret: linkKey } = await secretFor(config, config.LINK_KEY, 'link-key')
  const { secret: ackKey } = await secretFor(config, config.ACK_LINK_SECRET, 'ack-link-secret')
  const { publicUrl, workers } = options
  // The computed tabs (应急, 信息发布) follow every change to them: the next mirror pass refreshes them.
  const sheetTabsChanged = () => {
    sweepDue = true
    mirror.wake()
  }
  if (workers) await restoreEmergencyWakeups(doc, config.TABLE_NAME)
  const alerts = startAlerts(config, edge, { publicUrl, ackKey, workers, changed: sheetTabsChanged })
  const approvals = startApprovals(config, edge, { publicUrl, workers, registered: sheetTabsChanged })

  const mirrorPassDeps = mirrorDeps(edge, config, sink, publicUrl)
  let sweepDue = true
  const mirror = startPump(
    async () => {
      // The sweep also refreshes the computed tabs (overview status changes with the clock).
      // Taken before the pass: a change during it (an acknowledged emergency) asks for another.
      const refresh = sweepDue
      sweepDue = false
      const result = await mirrorPass(mirrorPassDeps, { refresh, now: clock.now() }).catch((error: unknown) => {
        sweepDue ||= refresh
        throw error
      })
      if (result.mirrored > 0)
        log.info('mirrored', { records: result.mirrored, lagMs: result.lagMs, pending: result.pending, more: result.more })
      return result
    },
    {
      name: 'mirror',
      debounceMs: config.MIRROR_DEBOUNCE_MS,
      sweepMs: workers ? config.SWEEP_INTERVAL_S * 1000 : 2 ** 31 - 1,
      log,
      onSweep: () => {
        sweepDue = true
      },
    },
  )

  const app = createApp(
    appDeps(edge, config, {
      adminToken,
      linkKey,
      ackKey,
      publicUrl,
      client: localClient(config.TRUST_PROXY),
      photos: localPhotos(config.DATA_DIR, publicUrl, linkKey, clock),
      allowedHosts: config.ALLOWED_HOSTS,
      onStored: workers
        ? (version) => {
            mirror.wake()
            if (version.pendingAlert) alerts.wake()
            if (version.formId === forms.approvalForm()?.id) {
              approvals.changed()
              sweepDue = true
            }
          }
        : undefined,
      rebuildSheet: () => rebuildSheet(mirrorPassDeps, clock.now()),
      workbooks: formWorkbookFiles,
      // a decision reaches the 信息发布 tab on the next pass, not at the next sweep
      approvalsChanged: () => {
        approvals.changed()
        sheetTabsChanged()
      },
      emergenciesChanged: sheetTabsChanged,
    }),
  )
  if (workers) mirror.wake() // the start-up sweep: whatever a crash left marked
  const dailyCycle = workers ? startDailyCycle(config, edge, { linkKey, publicUrl }) : undefined

  return {
    app,
    stores,
    forms,
    sink,
    mirror,
    adminToken,
    adminTokenIsNew,
    async close() {
      await dailyCycle?.stop()
      await approvals.pump.stop()
      await alerts.stop()
      await mirror.stop()
      client.destroy()
      await embedded?.close()
    },
  }
}
