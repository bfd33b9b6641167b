// Units: who may submit which forms, and the tokens that prove it. The office adds, edits,
// retires them and rotates their links.
import { parseWebhookList, WEBHOOK_TYPES, WebhookConfigError } from '../channels/webhook-config.ts'
import { type Clock, localDate } from '../clock.ts'
import type { FormDefinition } from '../forms/definition.ts'
import type { FormRegistry } from '../forms/registry.ts'
import type { Lang } from '../i18n.ts'
import { UNIT_TYPES, type Unit, type UnitProfile, type UnitType } from '../model.ts'
import type { UnitStore } from '../store.ts'
import { hashSecret, newSecret, secretMatches, signedUnitTokenValid, splitSignedUnitToken, splitUnitToken } from './tokens.ts'

/** The fields of a unit the office sets (and `id`, set once). */
export type UnitField = 'id' | 'name' | 'type' | 'forms' | 'sites' | 'contact' | 'webhook'

/** Refused input, naming the field; its text in both languages for the office's pages. */
export class UnitInputError extends Error {
  override name = 'UnitInputError'
  constructor(
    readonly field: UnitField,
    readonly text: Record<Lang, string>,
  ) {
    super(`${field}: ${text.en}`)
  }
}
export class UnitNotFoundError extends Error {
  override name = 'UnitNotFoundError'
}

export const UNIT_ID = /^[a-z0-9][a-z0-9-]{0,39}$/
const MAX_NAME_CHARS = 100
const MAX_SITES = 50
const MAX_SITE_CHARS = 100
const MAX_CONTACT_NAME_CHARS = 50
const MAX_CONTACT_PHONE_CHARS = 30
const MAX_WEBHOOK_CHARS = 2000

/** What the office sets on a unit, when adding it or editing it later. */
interface UnitInput {
  name: string
  type?: UnitType
  /** form ids; default by type (see `defaultFormsFor`), or every form without a type */
  forms?: string[]
  sites?: string[]
  contact?: { name: string; phone: string }
  webhook?: string
}

export interface NewUnit extends UnitInput {
  id: string
}

/** An edit: the fields given replace the unit's; `null` (or an empty value) removes an optional one. */
export type UnitChanges = { [K in keyof UnitInput]?: UnitInput[K] | null }

/** What a kind of unit owes by default: the forms naming its type (`unitTypes`), daily reports first. */
function defaultFormsFor(type: UnitType | undefined, registry: FormRegistry): string[] {
  const owed = registry.all.filter((f) => type === undefined || !f.unitTypes || f.unitTypes.includes(type))
  return [...owed.filter((f) => f.kind === 'daily'), ...owed.filter((f) => f.kind !== 'daily')].map((f) => f.id)
}

export interface IssuedToken {
  unit: Unit
  token: string
}

const refuse = (field: UnitField, zh: string, en: string): never => {
  throw new UnitInputError(field, { zh, en })
}

/** The profile as stored: trimmed, checked field by field, empty optional values dropped. */
function checkedProfile(input: UnitInput, registry: FormRegistry): UnitProfile {
  const name = input.name.trim()
  if (name === '' || name.length > MAX_NAME_CHARS)
    refuse('name', `单位名称须为 1–${MAX_NAME_CHARS} 个字符`, `1 to ${MAX_NAME_CHARS} characters`)
  if (input.type !== undefined && !UNIT_TYPES.includes(input.type)) {
    refuse('type', `须为 ${UNIT_TYPES.join('、')} 之一`, `must be one of ${UNIT_TYPES.join(', ')} (got "${input.type}")`)
  }
  const forms = input.forms ?? defaultFormsFor(input.type, registry)
  const known = registry.all.map((f) => f.id)
  const unknown = forms.filter((id) => !registry.get(id))
  if (unknown.length > 0) {
    refuse(
      'forms',
      `未知表单 ${unknown.join('、')}；可选 ${known.join('、')}`,
      `unknown form(s) ${unknown.join(', ')}; one or more of ${known.join(', ')}`,
    )
  }
  if (forms.length === 0) refuse('forms', `至少选择一个表单`, `at least one of ${known.join(', ')}`)
  const sites = (input.sites ?? []).map((s) => s.trim()).filter(Boolean)
  if (sites.length > MAX_SITES || sites.some((s) => s.length > MAX_SITE_CHARS)) {
    refuse(
      'sites',
      `最多 ${MAX_SITES} 个工地，每个不超过 ${MAX_SITE_CHARS} 个字符`,
      `at most ${MAX_SITES} sites of at most ${MAX_SITE_CHARS} characters`,
    )
  }
  const contactName = input.contact?.name.trim() ?? ''
  const contactPhone = input.contact?.phone.trim() ?? ''
  if (contactName.length > MAX_CONTACT_NAME_CHARS || contactPhone.length > MAX_CONTACT_PHONE_CHARS) {
    refuse(
      'contact',
      `联系人姓名不超过 ${MAX_CONTACT_NAME_CHARS} 个字符，电话不超过 ${MAX_CONTACT_PHONE_CHARS} 个字符`,
      `name at most ${MAX_CONTACT_NAME_CHARS} characters, phone at most ${MAX_CONTACT_PHONE_CHARS}`,
    )
  }
  const webhook = input.webhook?.trim() ?? ''
  if (webhook.length > MAX_WEBHOOK_CHARS) refuse('webhook', `不超过 ${MAX_WEBHOOK_CHARS} 个字符`, `at most ${MAX_WEBHOOK_CHARS} characters`)
  if (webhook !== '') {
    try {
      parseWebhookList(webhook, 'webhook')
    } catch (error) {
      // The message names the entry by position, type and host only: never the URL's secret part.
      if (error instanceof WebhookConfigError) {
        const zh = `第 ${error.entry} 项无法使用：格式应为 类型=地址，类型为 ${WEBHOOK_TYPES.join('、')} 之一，地址以 https:// 开头`
        refuse('webhook', zh, error.message)
      }
      throw error
    }
  }
  return {
    name,
    ...(input.type ? { type: input.type } : {}),
    forms: [...new Set(forms)],
    ...(sites.length ? { sites } : {}),
    ...(contactName || contactPhone ? { contact: { name: contactName, phone: contactPhone } } : {}),
    ...(webhook ? { webhook } : {}),
  }
}

export async function addUnit(units: UnitStore, registry: FormRegistry, clock: Clock, input: NewUnit): Promise<IssuedToken> {
  if (!UNIT_ID.test(input.id)) refuse('id', '只能用小写字母、数字和“-”，最多 40 个', 'lowercase letters, digits and "-", at most 40')
  const secret = newSecret()
  const unit: Unit = {
    id: input.id,
    ...checkedProfile(input, registry),
    tokenHash: hashSecret(secret),
    createdAt: clock.now().toISOString(),
  }
  if (!(await units.create(unit))) refuse('id', `单位 ${input.id} 已存在`, `unit "${input.id}" exists already`)
  return { unit, token: `${unit.id}.${secret}` }
}

/** The unit a change leaves: given fields replace, `null` removes; a new type without forms brings that type's forms. */
function edited(unit: Unit, changes: UnitChanges, registry: FormRegistry): UnitInput {
  const pick = <K extends keyof UnitInput>(key: K): UnitInput[K] =>
    changes[key] === undefined ? unit[key] : ((changes[key] ?? undefined) as UnitInput[K])
  const type = pick('type')
  const typeChanged = changes.type !== undefined && type !== unit.type
  const forms = changes.forms != null ? changes.forms : typeChanged ? defaultFormsFor(type, registry) : unit.forms
  return { name: pick('name') ?? unit.name, type, forms, sites: pick('sites'), contact: pick('contact'), webhook: pick('webhook') }
}

/** Changes what the office sets on a unit; its token, records and history stay. */
export async function editUnit(units: UnitStore, registry: FormRegistry, id: string, changes: UnitChanges): Promise<Unit> {
  const unit = await units.get(id)
  if (!unit) throw new UnitNotFoundError(`no unit "${id}"`)
  const profile = checkedProfile(edited(unit, changes, registry), registry)
  const updated = (await units.updateProfile(id, profile)) && (await units.get(id))
  if (!updated) throw new UnitNotFoundError(`no unit "${id}"`)
  return updated
}

/**
 * A form published for the first time goes to the active units of the types it names
 * (`unitTypes`); without them the office gives it to units one by one. Returns who got it.
 */
export async function assignNewForm(units: UnitStore, registry: FormRegistry, form: FormDefinition): Promise<string[]> {
  const types = form.unitTypes
  if (!types) return []
  const owing = (await units.list()).filter((u) => !u.retiredAt && u.type && types.includes(u.type) && !u.forms.includes(form.id))
  for (const unit of owing) await editUnit(units, registry, unit.id, { forms: [...unit.forms, form.id] })
  return owing.map((u) => u.id)
}

/**
 * Retires a unit: from that day it owes no report, and its link, token and reminder links stop
 * working. Every record stays. Retiring again changes nothing.
 */
export async function retireUnit(units: UnitStore, clock: Clock, id: string): Promise<Unit> {
  const at = clock.now().toISOString()
  await units.retire(id, at)
  const unit = await units.get(id)
  if (!unit?.retiredAt) throw new UnitNotFoundError(`no unit "${id}"`)
  return unit
}

/** Issues a new token; the old one stops working at once. A retired unit gets none. */
export async function rotateUnitToken(units: UnitStore, clock: Clock, id: string): Promise<IssuedToken> {
  const current = await units.get(id)
  if (!current) throw new UnitNotFoundError(`no unit "${id}"`)
  if (current.retiredAt) refuse('id', `单位 ${id} 已停用，没有链接`, `unit "${id}" is retired: it has no link`)
  const secret = newSecret()
  const at = clock.now().toISOString()
  if (!(await units.replaceToken(id, hashSecret(secret), at))) throw new UnitNotFoundError(`no unit "${id}"`)
  const unit = await units.get(id)
  if (!unit) throw new UnitNotFoundError(`no unit "${id}"`)
  return { unit, token: `${id}.${secret}` }
}

/** Whether a unit owes reports on `date`: not from the day it was retired. */
export function owesOn(unit: Unit, date: string, timeZone: string): boolean {
  return !unit.retiredAt || date < localDate(new Date(unit.retiredAt), timeZone)
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
    return unit && !unit.retiredAt && secretMatches(parts.secret, unit.tokenHash) ? unit : undefined
  }
  const signedParts = signed ? splitSignedUnitToken(token) : undefined
  if (!signed || !signedParts) return undefined
  const unit = await units.get(signedParts.unitId)
  return unit && !unit.retiredAt && signedUnitTokenValid(signedParts, unit.tokenHash, signed.key, signed.now()) ? unit : undefined
}
