// The mirror function: the same mirror pass as the local server, woken three ways — by the
// table stream (records still marked for the mirror), by the scheduled sweep (re-drives what is
// still marked, refreshes the computed tabs) or a refresh asked after an emergency changed, and
// by the API for a whole-sheet rebuild.

import { createGoogleSheetSink, createSheetsClient } from '#commons/adapters/google-sheets.ts'
import { MirrorConfig, parseLambdaConfig } from '#commons/lambda/config.ts'
import { drainPasses, remainingOf } from '#commons/lambda/drain.ts'
import { sheetsClientOptions } from '#commons/lambda/google.ts'
import { isRebuildRequest } from '#commons/lambda/mirror-requests.ts'
import { lambdaHandler, lambdaRuntime } from '#commons/lambda/runtime.ts'
import { rebuiltOnChange, secretValue } from '#commons/lambda/secrets.ts'
import { type BatchResponse, batchResponse, isStreamEvent, markedRecords } from '#commons/lambda/stream.ts'
import { mirrorPass, rebuildSheet } from '#commons/sheet/mirror.ts'
import { mirrorDeps } from '#commons/wiring/mirror.ts'

const config = parseLambdaConfig(MirrorConfig)
const edge = await lambdaRuntime(config)
const { clock, log, metrics } = edge
// Built again when the Google key changes (read at most every SECRETS_MAX_AGE_S).
const currentDeps = rebuiltOnChange(
  () => secretValue(edge.secrets, config.GOOGLE_KEY_SECRET_ARN),
  (key) => {
    const sheets = createSheetsClient(sheetsClientOptions(key, config.SHEETS_API_URL))
    return mirrorDeps(edge, config, createGoogleSheetSink(sheets, { spreadsheetId: config.SHEET_ID, log }), config.PUBLIC_URL)
  },
)
await currentDeps()

/**
 * Passes until nothing is marked (or time runs short); one minute is kept for the last batch.
 * Every drain reports the lag (0 when nothing waited) or a sheet write failure: the lag alarm
 * takes silence for breakage.
 */
async function drain(refresh: boolean, context: unknown) {
  const deps = await currentDeps()
  try {
    const result = await drainPasses(
      (first) => mirrorPass(deps, { refresh: refresh && first, now: clock.now() }),
      remainingOf(context),
      60_000,
    )
    metrics.publish({ MirrorLagMs: result.last.lagMs, MirrorPending: result.last.pending, SheetWriteFailures: 0 })
    log.info('mirror drained', { passes: result.passes, finished: result.finished, pending: result.last.pending })
    return result
  } catch (error) {
    metrics.publish({ SheetWriteFailures: 1 })
    throw error
  }
}

export const handler = lambdaHandler(
  edge,
  async (event: unknown, context?: unknown): Promise<BatchResponse | { rows: number } | undefined> => {
    if (isRebuildRequest(event)) return rebuildSheet(await currentDeps(), clock.now())
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
  },
)
