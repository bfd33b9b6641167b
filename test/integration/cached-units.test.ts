// The unit cache over the real DynamoDB store on dynalite: one roster query per window serves every
// unit; a token rotated in another process stops working once the window passes, one rotated here
// at once; unknown ids are answered and cannot grow the cache without end.
import { afterAll, beforeAll, describe, it } from 'vitest'
import { createDynamoClients } from '../../functions/commons/adapters/dynamo/client.ts'
import { createDynamoStores } from '../../functions/commons/adapters/dynamo/stores.ts'
import { ensureTable } from '../../functions/commons/adapters/dynamo/table.ts'
import { loadForms } from '../../functions/commons/forms/registry.ts'
import type { UnitStore } from '../../functions/commons/store.ts'
import { cachedUnits } from '../../functions/commons/units/cached-units.ts'
import { addUnit, rotateUnitToken, unitForToken } from '../../functions/commons/units/roster.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../functions/local/embedded-dynamodb.ts'
import { fixedClock } from '../../testkit/harness.ts'

const TTL_MS = 10_000
let dynamo: EmbeddedDynamo
let store: UnitStore
const clock = fixedClock('2026-11-29T02:00:00.000Z')

/** The real store, with its calls counted (the counting only observes; every call goes through). */
function counted(units: UnitStore) {
  const calls = { get: 0, list: 0 }
  const observed: UnitStore = {
    ...units,
    get: (id) => {
      calls.get++
      return units.get(id)
    },
    list: () => {
      calls.list++
      return units.list()
    },
  }
  return { observed, calls }
}

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo()
  const { client, doc } = createDynamoClients(dynamo.endpoint)
  await ensureTable(client, 'units-cache')
  store = createDynamoStores(doc, 'units-cache').units
})
afterAll(() => dynamo?.close())

describe('the unit cache', () => {
  it('serves every unit from one roster query per window, and reads the roster again after it', async ({ expect }) => {
    const forms = await loadForms()
    const tokens: string[] = []
    for (let n = 0; n < 30; n++) tokens.push((await addUnit(store, forms, clock, { id: `roster-${n}`, name: `单位 ${n}` })).token)
    const { observed, calls } = counted(store)
    let now = 0
    const cache = cachedUnits(observed, TTL_MS, () => now)

    const units = await Promise.all(tokens.map((token) => unitForToken(cache, token)))
    expect(units.map((u) => u?.id)).toEqual(tokens.map((t) => t.split('.')[0]))
    expect(calls).toEqual({ get: 0, list: 1 })

    now += TTL_MS + 1
    expect((await unitForToken(cache, tokens[0]!))?.id).toBe('roster-0')
    expect(calls).toEqual({ get: 0, list: 2 })
  })

  it('sees a unit added by another process at once, and a token rotated there once the window passes', async ({ expect }) => {
    const forms = await loadForms()
    const { observed } = counted(store)
    let now = 0
    const cache = cachedUnits(observed, TTL_MS, () => now)
    await cache.get('anything') // the roster is read now, before the unit below exists

    const added = await addUnit(store, forms, clock, { id: 'added-elsewhere', name: '别处新增' })
    expect((await unitForToken(cache, added.token))?.id).toBe('added-elsewhere')

    const rotated = await rotateUnitToken(store, clock, 'added-elsewhere')
    expect(await unitForToken(cache, rotated.token), 'within the window the old hash is still cached').toBeUndefined()
    expect(await unitForToken(cache, added.token)).toBeDefined()
    now += TTL_MS + 1
    expect((await unitForToken(cache, rotated.token))?.id).toBe('added-elsewhere')
    expect(await unitForToken(cache, added.token)).toBeUndefined()
  })

  it('drops what it holds when a token is rotated through it, even while a roster read is under way', async ({ expect }) => {
    const forms = await loadForms()
    const old = await addUnit(store, forms, clock, { id: 'rotated-here', name: '本处轮换' })
    const cache = cachedUnits(store, TTL_MS, () => 0)
    expect(await unitForToken(cache, old.token)).toBeDefined()

    const [rotated] = await Promise.all([rotateUnitToken(cache, clock, 'rotated-here'), cache.get('rotated-here')])
    expect(await unitForToken(cache, old.token)).toBeUndefined()
    expect((await unitForToken(cache, rotated.token))?.id).toBe('rotated-here')
  })

  it('answers unknown ids with nothing, reading each once per window', async ({ expect }) => {
    const { observed, calls } = counted(store)
    const cache = cachedUnits(observed, TTL_MS, () => 0)
    expect(await cache.get('no-such-unit')).toBeUndefined()
    expect(await cache.get('no-such-unit')).toBeUndefined()
    expect(calls).toEqual({ get: 1, list: 1 })
  })
})
