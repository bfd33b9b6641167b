// The crash test, fast variant (bench/crash.ts runs the big one): the real `npm start` process
// killed with SIGKILL at random moments under concurrent submissions, restarted on the same
// data folder, clients retrying with the same Idempotency-Key. Every acknowledged submission is
// stored exactly once, the workbook / the Sheets test server hold exactly one row per record with
// its current version, and every emergency reaches the webhook under one alert id.
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it } from 'vitest'
import { createDynamoClients } from '#commons/adapters/dynamo/client.ts'
import { createDynamoStores } from '#commons/adapters/dynamo/stores.ts'
import { ensureTable } from '#commons/adapters/dynamo/table.ts'
import { startEmbeddedDynamo } from '../../functions/local/embedded-dynamodb.ts'
import { type CrashResult, crashTest } from '../../testkit/crash/crash.ts'

const SUBMISSIONS = 300
const CONCURRENCY = 16
const KILLS = 3

function expectExactlyOnce(r: CrashResult): void {
  console.log(
    `crash (${r.sink}): ${r.acknowledged}/${r.submissions} acknowledged (${r.replayed} replayed), ${r.retries} retries, ` +
      `${r.kills} kills (${r.killsDuringLoad} during the load), recovered in ${r.recoverMs.join('/')} ms; ` +
      `${r.recordsFound} records, ${r.rowsFound} rows (${r.blankRows} blank), ${r.alertsDelivered}/${r.alertsExpected} alerts, ` +
      `${r.duplicateDeliveries} repeated deliveries of one id; ${r.totalSeconds} s`,
  )
  expect(r.problems).toEqual([])
  // the load and the kills happened
  expect(r.unexpected).toEqual([])
  expect(r.acknowledged).toBe(SUBMISSIONS)
  expect(r.kills).toBe(KILLS)
  expect(r.restarts).toBe(KILLS)
  expect(r.killsDuringLoad).toBeGreaterThan(0)
  // every acknowledged key stored exactly once, as its receipt says
  expect(r.keysFound).toBe(r.keys)
  expect(r.duplicateKeys).toBe(0)
  expect(r.missingKeys).toBe(0)
  expect(r.unknownVersions).toBe(0)
  expect(r.receiptMismatches).toBe(0)
  expect(r.versionsFound).toBe(SUBMISSIONS)
  expect(r.recordsFound).toBe(r.records)
  // the sheet: one row per record, the current version's values, nothing else
  expect(r.rowsExpected).toBe(r.records)
  expect(r.rowsFound).toBe(r.records)
  expect([r.rowsMissing, r.rowsDuplicated, r.rowsExtra, r.rowsWrong]).toEqual([0, 0, 0, 0])
  expect(r.blankRows).toBe(0)
  expect(r.emergencyRowsFound).toBe(r.alertsExpected)
  expect(r.emergencyRowsWrong).toBe(0)
  expect([r.pendingMirrorMarks, r.pendingAlertMarks]).toEqual([0, 0])
  // alerts: one emergency per alerting record, each delivered, none under two ids
  expect(r.alertsExpected).toBeGreaterThan(0)
  expect(r.emergenciesFound).toBe(r.alertsExpected)
  expect(r.alertsDelivered).toBe(r.alertsExpected)
  expect(r.alertsMissing).toBe(0)
  expect(r.alertsDoubled).toBe(0)
  expect(r.undeliveredInDatabase).toBe(0)
}

describe('SIGKILL under load', () => {
  it('loses and doubles nothing with the workbook', { timeout: 150_000 }, async () => {
    expectExactlyOnce(
      await crashTest({
        submissions: SUBMISSIONS,
        concurrency: CONCURRENCY,
        kills: KILLS,
        sink: 'workbook',
        seed: 1,
        settleTimeoutMs: 90_000,
      }),
    )
  })

  it('loses and doubles nothing with the Google Sheet', { timeout: 150_000 }, async () => {
    expectExactlyOnce(
      await crashTest({
        submissions: SUBMISSIONS,
        concurrency: CONCURRENCY,
        kills: KILLS,
        sink: 'sheet',
        seed: 2,
        settleTimeoutMs: 90_000,
      }),
    )
  })
})

it('gives the rows a killed pass had reserved to the same records: no blank row', async () => {
  const dynamo = await startEmbeddedDynamo()
  const { client, doc } = createDynamoClients(dynamo.endpoint)
  try {
    await ensureTable(client, 'rows')
    // The process dies right after the counter bump: none of its row claims is written.
    let dead = false
    const dying = {
      send: (command: unknown) =>
        dead && command instanceof PutCommand ? Promise.reject(new Error('SIGKILL')) : doc.send(command as never),
    } as unknown as DynamoDBDocumentClient
    const { rows } = createDynamoStores(dying, 'rows')
    expect(Object.fromEntries(await rows.rowsFor('T', ['first']))).toEqual({ first: 2 })
    dead = true
    await expect(rows.rowsFor('T', ['a', 'b'])).rejects.toThrow('SIGKILL')
    dead = false
    // the restarted pass: the killed pass's records (still marked) and a new one
    expect(Object.fromEntries(await rows.rowsFor('T', ['c', 'b', 'a']))).toEqual({ a: 3, b: 4, c: 5 })
    expect(Object.fromEntries(await rows.rowsFor('T', ['d', 'a']))).toEqual({ a: 3, d: 6 })
  } finally {
    client.destroy()
    await dynamo.close()
  }
})
