// Units: who may submit which forms, and the tokens that prove it.
import type { Clock } from '../clock.ts'
import type { FormRegistry } from '../forms/registry.ts'
import { UNIT_TYPES, type Unit, type UnitType } from '../model.ts'
import type { UnitStore } from '../store.ts'
import { hashSecret, newSecret, secretMatches, signedUnitTokenValid, splitSignedUnitToken, splitUnitToken } from './tokens.ts'

export class UnitInputError extends Error {
  override name = 'UnitInputError'
}
export class UnitNotFoundError extends Error {
  override name = 'UnitNotFoundError'
}

export const UNIT_ID = /^[a-z0-9][a-z0-9-]{0,39}$/

export interface NewUnit {
  id: string
  name: string
  type?: UnitType
  /** form ids; default by type (see `defaultFormsFor`), or every form without a type */
  forms?: string[]
  sites?: string[]
  contact?: { name: string; phone: string }
  webhook?: string
}

/** What each kind of unit owes by default, from the work plan's groups. */
const formsByType: Record<UnitType, string[]> = {
  office: ['daily-health', 'emergency', 'info-release'],
  section: ['daily-health', 'emergency', 'info-release'],
  park: ['daily-health', 'wildlife-daily', 'emergency', 'info-release'],
  resource: ['daily-health', 'wildlife-daily', 'emergency', 'info-release'],
  engineering: ['daily-health', 'site-daily', 'emergency', 'info-release'],
}

function defaultFormsFor(type: UnitType | undefined, registry: FormRegistry): string[] {
  return type ? formsByType[type].filter((id) => registry.get(id)) : registry.all.map((f) => f.id)
}

export interface IssuedToken {
  unit: Unit
  token: string
}

function checkForms(forms: string[], registry: FormRegistry): void {
  const unknown = forms.filter((id) => !registry.get(id))
  if (unknown.length > 0) throw new UnitInputError(`unknown form(s): ${unknown.join(', ')}`)
}

export async function addUnit(units: UnitStore, registry: FormRegistry, clock: Clock, input: NewUnit): Promise<IssuedToken> {
  if (!UNIT_ID.test(input.id)) throw new UnitInputError('unit id: lowercase letters, digits and "-", at most 40')
  const name = input.name.trim()
  if (name === '' || name.length > 100) throw new UnitInputError('unit name: 1 to 100 characters')
  if (input.type !== undefined && !UNIT_TYPES.includes(input.type)) {
    throw new UnitInputError(`unit type: one of ${UNIT_TYPES.join(', ')}`)
  }
  const forms = input.forms ?? defaultFormsFor(input.type, registry)
  checkForms(forms, registry)
  const sites = input.sites?.map((s) => s.trim()).filter(Boolean)
  const secret = newSecret()
  const unit: Unit = {
    id: input.id,
    name,
    ...(input.type ? { type: input.type } : {}),
    forms,
    ...(sites?.length ? { sites } : {}),
    ...(input.contact ? { contact: input.contact } : {}),
    ...(input.webhook ? { webhook: input.webhook } : {}),
    tokenHash: hashSecret(secret),
    createdAt: clock.now().toISOString(),
  }
  if (!(await units.create(unit))) throw new UnitInputError(`unit "${input.id}" exists already`)
  return { unit, token: `${unit.id}.${secret}` }
}

/** Issues a new token; the old one stops working at once. */
export async function rotateUnitToken(units: UnitStore, clock: Clock, id: string): Promise<IssuedToken> {
  const secret = newSecret()
  const at = clock.now().toISOString()
  if (!(await units.replaceToken(id, hashSecret(secret), at))) throw new UnitNotFoundError(`no unit "${id}"`)
  const unit = await units.get(id)
  if (!unit) throw new UnitNotFoundError(`no unit "${id}"`)
  return { unit, token: `${id}.${secret}` }
}

/** Accepting signed, expiring reminder links needs the server's link key and the time. */
export interface SignedLinks {
  key: string
  now(): Date
}

/** The unit a token belongs to, or undefined for any wrong, malformed, expired or revoked token. */
export async function unitForToken(units: UnitStore, token: string, signed?: SignedLinks): Promise<Unit | undefined> {
  const parts = splitUnitToken(token)
  if (parts) {
    const unit = await units.get(parts.unitId)
    return unit && secretMatches(parts.secret, unit.tokenHash) ? unit : undefined
  }
  const signedParts = signed ? splitSignedUnitToken(token) : undefined
  if (!signed || !signedParts) return undefined
  const unit = await units.get(signedParts.unitId)
  return unit && signedUnitTokenValid(signedParts, unit.tokenHash, signed.key, signed.now()) ? unit : undefined
}
