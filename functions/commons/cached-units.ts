// Units change rarely and every request reads one: a short in-memory cache takes that read off
// the hot path. Writes through the same store drop the entry at once; another process (another
// Lambda instance) sees a rotated token within `ttlMs`.
import type { Unit } from './model.ts'
import type { UnitStore } from './store.ts'

export const UNIT_CACHE_TTL_MS = 10_000

export function cachedUnits(store: UnitStore, ttlMs = UNIT_CACHE_TTL_MS, now: () => number = Date.now): UnitStore {
  const cache = new Map<string, { unit: Unit | undefined; until: number }>()
  return {
    async get(id) {
      const hit = cache.get(id)
      if (hit && hit.until > now()) return hit.unit
      const unit = await store.get(id)
      // Bounded: unknown ids (guessing) must not grow the map without end.
      if (cache.size > 10_000) cache.clear()
      cache.set(id, { unit, until: now() + ttlMs })
      return unit
    },
    list: () => store.list(),
    async create(unit) {
      cache.delete(unit.id)
      return store.create(unit)
    },
    async replaceToken(id, tokenHash, at) {
      cache.delete(id)
      const replaced = await store.replaceToken(id, tokenHash, at)
      cache.delete(id)
      return replaced
    },
  }
}

/** The same stores with the unit reads cached: what both the local system and a Lambda use. */
export function withUnitCache<S extends { units: UnitStore }>(stores: S): S {
  return { ...stores, units: cachedUnits(stores.units) }
}
