// Same-day corrections: what they cost in database calls, and that concurrent ones from several
// processes (one record store each, one database) end with consecutive versions, none lost or doubled.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createDynamoClients } from '#commons/adapters/dynamo/client.ts'
import { createDynamoStores } from '#commons/adapters/dynamo/stores.ts'
import { ensureTable } from '#commons/adapters/dynamo/table.ts'
import type { FormDefinition } from '#commons/forms/definition.ts'
import { loadForms } from '#commons/forms/registry.ts'
import type { Unit } from '#commons/model.ts'
import { type SubmissionDeps, type SubmissionOutcome, submit } from '#commons/records/submissions.ts'
import type { RecordStore } from '#commons/store.ts'
import { startEmbeddedDynamo } from '../../functions/local/embedded-dynamodb.ts'
import { healthReport, newKey } from '../../testkit/fixtures.ts'
import { fixedClock, TIME_ZONE } from '../../testkit/harness.ts'

let dynamo: Awaited<ReturnType<typeof startEmbeddedDynamo>>
let clients: ReturnType<typeof createDynamoClients>
let form: FormDefinition
/** the commands sent to the database since the last reset, by name */
let calls: string[] = []
let unitCount = 0

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo()
  clients = createDynamoClients(dynamo.endpoint)
  await ensureTable(clients.client, 'test')
  countCalls(clients.doc)
  const daily = (await loadForms()).get('daily-health')
  if (!daily) throw new Error('daily-health form missing')
  form = daily
})
afterAll(async () => {
  clients.client.destroy()
  await dynamo.close()
})
beforeEach(() => {
  calls = []
})

function countCalls(doc: DynamoDBDocumentClient) {
  const send = doc.send.bind(doc)
  doc.send = ((command: { constructor: { name: string } }, ...rest: unknown[]) => {
    calls.push(command.constructor.name)
    return (send as (...args: unknown[]) => unknown)(command, ...rest)
  }) as typeof doc.send
}

/** A record store as one process (one Lambda instance, one local server) has it. */
const processStore = (): RecordStore => createDynamoStores(clients.doc, 'test').records

const clock = fixedClock('2026-11-28T02:00:00Z') // 10:00 in Shanghai
const newUnit = (): Unit => ({
  id: `unit-${++unitCount}`,
  name: `单位 ${unitCount}`,
  forms: ['daily-health'],
  tokenHash: 'x',
  createdAt: '2026-11-01T00:00:00Z',
})
const deps = (records: RecordStore): SubmissionDeps => ({ records, clock, timeZone: TIME_ZONE })
const report = (records: RecordStore, unit: Unit, onDuty: number, idempotencyKey = newKey()) =>
  submit(deps(records), { unit, form, body: healthReport({ onDuty }), idempotencyKey, lang: 'en' })

function versionOf(outcome: SubmissionOutcome): number {
  if (outcome.kind === 'invalid') throw new Error(JSON.stringify(outcome.issues))
  return outcome.stored.version
}

describe('a same-day correction', () => {
  it('costs one write for a first report, and one write for a correction in the process that stored the day before', async () => {
    const records = processStore()
    const unit = newUnit()

    const first = await report(records, unit, 30)
    expect(calls).toEqual(['PutCommand'])
    calls = []
    const correction = await report(records, unit, 31)

    expect(calls).toEqual(['PutCommand'])
    expect(versionOf(first)).toBe(1)
    expect(correction).toMatchObject({ kind: 'created', stored: { version: 2, values: { onDuty: 31 } } })
    if (first.kind === 'created' && correction.kind === 'created') {
      expect(correction.stored.firstReceivedAt).toBe(first.stored.receivedAt)
    }
  })

  it('costs at most three calls in a process that has not seen the record, and two from then on', async () => {
    const unit = newUnit()
    await report(processStore(), unit, 30)
    const other = processStore()
    calls = []

    expect(versionOf(await report(other, unit, 31))).toBe(2)
    expect(calls).toEqual(['PutCommand', 'QueryCommand', 'PutCommand'])
    calls = []
    expect(versionOf(await report(other, unit, 32))).toBe(3)
    expect(calls).toEqual(['PutCommand'])
  })

  it('answers a retry with the receipt of the version it stored, whichever process stored it and whatever came after', async () => {
    const unit = newUnit()
    const [a, b] = [processStore(), processStore()]
    await report(a, unit, 30)
    await report(a, unit, 31) // a knows versions 1 and 2
    const key = newKey()
    const stored = await report(b, unit, 32, key) // version 3, which a has not seen
    await report(b, unit, 29)

    const fromA = await report(a, unit, 32, key)
    const fromB = await report(b, unit, 32, key)

    expect(stored.kind).toBe('created')
    for (const retry of [fromA, fromB]) {
      expect(retry.kind).toBe('replayed')
      if (retry.kind === 'replayed' && stored.kind === 'created') expect(retry.receipt).toEqual(stored.receipt)
    }
    expect((await a.versions(`daily-health.2026-11-28.${unit.id}`)).map((v) => v.version)).toEqual([1, 2, 3, 4])
  })

  it('ends with consecutive versions, none lost or doubled, when two processes correct one record at once', async () => {
    const unit = newUnit()
    const [a, b] = [processStore(), processStore()]
    await report(a, unit, 30)
    await report(b, unit, 30) // b knows the record too: both write straight to the next version
    const keys = Array.from({ length: 24 }, () => newKey())
    /** one client: its corrections one after another, each through its own process */
    const client = async (records: RecordStore, mine: string[]) => {
      const outcomes: SubmissionOutcome[] = []
      for (const [i, key] of mine.entries()) outcomes.push(await report(records, unit, i, key))
      return outcomes
    }

    const outcomes = (await Promise.all([client(a, keys.slice(0, 12)), client(b, keys.slice(12))])).flat()

    expect(outcomes.every((o) => o.kind === 'created')).toBe(true)
    const versions = await a.versions(`daily-health.2026-11-28.${unit.id}`)
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1))
    expect(new Set(versions.map((v) => v.idempotencyKey)).size).toBe(26)
    expect(
      versions
        .slice(2)
        .map((v) => v.idempotencyKey)
        .sort(),
    ).toEqual([...keys].sort())
    expect(new Set(versions.map((v) => v.firstReceivedAt))).toEqual(new Set([versions[0]?.receivedAt]))
  })

  it('stores a retry sent twice at once as one version', async () => {
    const unit = newUnit()
    const [a, b] = [processStore(), processStore()]
    await report(a, unit, 30)
    await report(b, unit, 30)
    const key = newKey()

    const outcomes = await Promise.all([report(a, unit, 31, key), report(b, unit, 31, key), report(a, unit, 31, key)])

    expect(outcomes.map((o) => o.kind).sort()).toEqual(['created', 'replayed', 'replayed'])
    expect((await a.versions(`daily-health.2026-11-28.${unit.id}`)).filter((v) => v.idempotencyKey === key)).toHaveLength(1)
  })
})
