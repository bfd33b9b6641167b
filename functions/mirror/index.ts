// The mirror function: the same mirror pass as the local server, woken three ways — by the
// table stream (records still marked for the mirror), by the scheduled sweep (re-drives what is
// still marked, refreshes the computed tabs) or a refresh asked after an emergency changed, and
// by the API for a whole-sheet rebuild.

import { createApprovalStore } from '#commons/adapters/dynamo/approvals.ts'
import { createDynamoEmergencyStore } from '#commons/adapters/dynamo/emergencies.ts'
import { createGoogleSheetSink, createSheetsClient } from '#commons/adapters/google-sheets.ts'
import { INFO_RELEASE_FORM, infoReleaseTab } from '#commons/approvals/requests.ts'
import { emergencyTab } from '#commons/emergencies/sheet-tab.ts'
import { MirrorConfig, parseLambdaConfig } from '#commons/lambda/config.ts'
import { drainPasses, remainingOf } from '#commons/lambda/drain.ts'
import { sheetsClientOptions } from '#commons/lambda/google.ts'
import { emitMetrics } from '#commons/lambda/metrics.ts'
import { isRebuildRequest } from '#commons/lambda/mirror-requests.ts'
import { lambdaRuntime } from '#commons/lambda/runtime.ts'
import { secretValue } from '#commons/lambda/secrets.ts'
import { type BatchResponse, batchResponse, isStreamEvent, markedRecords } from '#commons/lambda/stream.ts'
import { type MirrorDeps, mirrorPass, rebuildSheet } from '#commons/sheet/mirror.ts'
import { overviewTab } from '#commons/sheet/overview.ts'

const config = parseLambdaConfig(MirrorConfig)
const { doc, stores, forms, clock, log, secrets } = await lambdaRuntime(config)
const sheets = createSheetsClient(sheetsClientOptions(await secretValue(secrets, config.GOOGLE_KEY_SECRET_ARN), config.SHEETS_API_URL))
const sink = createGoogleSheetSink(sheets, { spreadsheetId: config.SHEET_ID, log })
const timeZone = config.ORG_TIMEZONE
const infoRelease = forms.get(INFO_RELEASE_FORM)
const deps: MirrorDeps = {
  ...stores,
  forms,
  sink,
  timeZone,
  log,
  computedTabs: [
    overviewTab({ ...stores, forms, timeZone }),
    ...(infoRelease
      ? [infoReleaseTab({ approvals: createApprovalStore(doc, config.TABLE_NAME), units: stores.units, form: infoRelease, timeZone })]
      : []),
    emergencyTab({ emergencies: createDynamoEmergencyStore(doc, config.TABLE_NAME), units: stores.units, forms, timeZone }),
  ],
  ready: sink.ready,
}

/** Passes until nothing is marked (or time runs short); one minute is kept for the last batch. */
async function drain(refresh: boolean, context: unknown) {
  const result = await drainPasses(
    (first) => mirrorPass(deps, { refresh: refresh && first, now: clock.now() }),
    remainingOf(context),
    60_000,
  )
  emitMetrics({ MirrorLagMs: result.last.lagMs }, 'Milliseconds')
  log.info('mirror drained', { passes: result.passes, finished: result.finished, pending: result.last.pending })
  return result
}

export async function handler(event: unknown, context?: unknown): Promise<BatchResponse | { rows: number } | undefined> {
  if (isRebuildRequest(event)) return rebuildSheet(deps, clock.now())
  if (isStreamEvent(event)) {
    const marked = markedRecords(event, 'mirrorQ')
    if (marked.length === 0) return batchResponse([], false)
    try {
      const { finished } = await drain(false, context)
      return batchResponse(marked, !finished)
    } catch (error) {
      // The marks stay; Lambda retries from the first record, the sweep after that.
      log.error('mirror pass failed', { error, records: marked.length })
      return batchResponse(marked, true)
    }
  }
  // The scheduled sweep or an asked refresh: a failure throws, for the retry and the failure queue.
  await drain(true, context)
}
