// The mirror function: the same mirror pass as the local server, woken three ways — by the
// table stream (records still marked for the mirror), by the scheduled sweep (re-drives what is
// still marked, refreshes the computed tabs) or a refresh asked after an emergency changed, and
// by the API for a whole-sheet rebuild.

import { createFeishuSheetSink } from '#commons/adapters/feishu-sheets.ts'
import { createGoogleSheetSink, createSheetsClient } from '#commons/adapters/google-sheets.ts'
import { MirrorConfig, parseLambdaConfig } from '#commons/lambda/config.ts'
import { drainPasses, remainingOf } from '#commons/lambda/drain.ts'
import { sheetsClientOptions } from '#commons/lambda/google.ts'
import { isRebuildRequest } from '#commons/lambda/mirror-requests.ts'
import { lambdaHandler, lambdaRuntime } from '#commons/lambda/runtime.ts'
import { rebuiltOnChange, secretValue } from '#commons/lambda/secrets.ts'
import { type BatchResponse, batchResponse, isStreamEvent, markedRecords } from '#commons/lambda/stream.ts'
import { SettingsError, sheetTarget } from '#commons/settings.ts'
import { mirrorPass, rebuildSheet } from '#commons/sheet/mirror.ts'
import { mirrorDeps } from '#commons/wiring/mirror.ts'

const config = parseLambdaConfig(MirrorConfig)
const edge = await lambdaRuntime(config)
const { clock, log, metrics } = edge
// One sheet: Google's or Feishu's, as the stack set it (both, or neither, stops the start).
const target = sheetTarget(config, { name: 'FEISHU_SECRET_ARN', set: config.FEISHU_SECRET_ARN !== undefined })
const keySecret = target?.kind === 'feishu' ? config.FEISHU_SECRET_ARN : config.GOOGLE_KEY_SECRET_ARN
if (!target || !keySecret)
  throw new SettingsError('bad configuration: the mirror needs SHEET_ID and GOOGLE_KEY_SECRET_ARN, or FEISHU_SHEET_TOKEN')
// Built again when the key (the Google key, the Feishu app secret) changes (read at most every SECRETS_MAX_AGE_S).
const currentDeps = rebuiltOnChange(
  () => secretValue(edge.secrets, keySecret),
  (key) => {
    if (target.kind === 'feishu') {
      const sink = createFeishuSheetSink({
        spreadsheetToken: target.token,
        appId: target.appId,
        appSecret: key.trim(),
        ...(config.FEISHU_API_URL ? { apiUrl: config.FEISHU_API_URL } : {}),
        log,
      })
      return mirrorDeps(edge, config, sink, config.PUBLIC_URL)
    }
    const sheets = createSheetsClient(sheetsClientOptions(key, config.SHEETS_API_URL))
    return mirrorDeps(edge, config, createGoogleSheetSink(sheets, { spreadsheetId: target.sheetId, log }), config.PUBLIC_URL)
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
