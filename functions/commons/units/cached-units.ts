// Units change rarely and every request reads one. An organisation has a few hundred units and
// each submits a few times a day, so a cache of single units would mostly miss: the whole roster
// is kept instead, read in one query at most once per `ttlMs`. Ids the roster lacks (a unit added
// by another process since, or a guess) are read one by one and remembered as long. Writes
// through this store drop what is cached at once; another process (another Lambda instance)
// sees a rotated token within `ttlMs`.
import type { Unit } from '../model.ts'
import type { UnitStore } from '../store.ts'

const UNIT_CACHE_TTL_MS = 10_000

/** Unknown ids (guessing) must not grow the memory without end. */
const MAX_SINGLES = 10_000

export function cachedUnits(store: UnitStore, ttlMs = UNIT_CACHE_TTL_MS, now: () => number = Date.now): UnitStore {
  let roster: { units: Map<string, Unit>; until: number } | undefined
  let loading: { generation: number; list: Promise<Unit[]> } | undefined
  const singles = new Map<string, { unit: Unit | undefined; until: number }>()
  // Bumped by every write through this store: a roster read that began before it may hold the
  // old token, so its answer is not kept.
  let generation = 0

  async function currentRoster(): Promise<Map<string, Unit> | undefined> {
    if (roster && roster.until > now()) return roster.units
    if (loading?.generation !== generation) {
      const started = { generation, list: store.list() }
      loading = started
      void started.list
        .catch(() => {})
        .finally(() => {
          if (loading === started) loading = undefined
        })
    }
    const started = loading.generation
    const units = await loading.list
    if (started !== generation) return undefined
    roster = { units: new Map(units.map((unit) => [unit.id, unit])), until: now() + ttlMs }
    return roster.units
  }

  const forget = () => {
    generation++
    roster = undefined
    singles.clear()
  }

  return {
    async get(id) {
      const listed = (await currentRoster())?.get(id)
      if (listed) return listed
      const hit = singles.get(id)
      if (hit && hit.until > now()) return hit.unit
      const unit = await store.get(id)
      if (singles.size >= MAX_SINGLES) singles.clear()
      singles.set(id, { unit, until: now() + ttlMs })
      return unit
    },
    list: () => store.list(),
    async create(unit) {
      forget()
      return store.create(unit)
    },
    async replaceToken(id, tokenHash, at) {
      forget()
      const replaced = await store.replaceToken(id, tokenHash, at)
      forget()
      return replaced
    },
    async updateProfile(id, profile) {
      forget()
      const updated = await store.updateProfile(id, profile)
      forget()
      return updated
    },
    async retire(id, at) {
      forget()
      const retired = await store.retire(id, at)
      forget()
      return retired
    },
  }
}

/** The same stores with the unit reads cached: what both the local system and a Lambda use. */
export function withUnitCache<S extends { units: UnitStore }>(stores: S): S {
  return { ...stores, units: cachedUnits(stores.units) }
}
