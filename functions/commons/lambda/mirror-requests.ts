// On AWS the API and the alert worker ask the mirror function for sheet work: only the mirror
// holds the Google key and client, which keeps the other bundles small.
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda'
import * as z from 'zod'
import type { Logger } from '../log.ts'
import type { InFlight } from './in-flight.ts'

class RebuildFailedError extends Error {
  override name = 'RebuildFailedError'
}

/** The direct-invoke payload the mirror function answers with a whole-sheet rebuild. */
const REBUILD_REQUEST = { action: 'rebuild' } as const

export const isRebuildRequest = (event: unknown): boolean => (event as { action?: unknown } | null)?.action === REBUILD_REQUEST.action

const RebuildResult = z.object({ rows: z.number().int().min(0) })

export async function invokeRebuild(client: LambdaClient, functionName: string): Promise<{ rows: number }> {
  const out = await client.send(
    new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: JSON.stringify(REBUILD_REQUEST) }),
  )
  const text = out.Payload ? new TextDecoder().decode(out.Payload) : ''
  if (out.FunctionError)
    throw new RebuildFailedError(`the mirror function failed the rebuild (${out.FunctionError}): ${text.slice(0, 500)}`)
  const parsed = RebuildResult.safeParse(JSON.parse(text || 'null'))
  if (!parsed.success) throw new RebuildFailedError('the mirror function answered the rebuild with an unexpected payload')
  return parsed.data
}

/**
 * Asks for a sweep now (asynchronous invoke): an emergency changed and the sheet's 应急 tab
 * should follow at once rather than at the next scheduled sweep. Never fails the caller; the
 * handler waits for the request to leave (`inFlight`), and one request at a time is enough.
 */
export function requestRefresh(client: LambdaClient, functionName: string, log: Logger, inFlight: InFlight): () => void {
  let sending = false
  return () => {
    if (sending) return
    sending = true
    inFlight.track(
      client
        .send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: JSON.stringify({ action: 'refresh' }) }))
        .then(
          () => undefined,
          (error: unknown) => log.warn('sheet refresh not requested; the scheduled sweep will do it', { error }),
        )
        .finally(() => {
          sending = false
        }),
    )
  }
}
