// The set of forms the system serves. Every `*.ts` file in `forms/` is one form: adding a
// form is adding one file, with no list to update.
import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type ApprovalFormDefinition, type FieldType, FormDefinition, type FormDefinitionInput } from './definition.ts'

export class FormDefinitionError extends Error {
  override name = 'FormDefinitionError'
}

export interface FormRegistry {
  /** every form, in display order */
  readonly all: readonly FormDefinition[]
  get(id: string): FormDefinition | undefined
  /** the form whose requests go through approval (`approval` declared), if any */
  approvalForm(): ApprovalFormDefinition | undefined
  /** the emergency request form the pages offer one tap away (`emergencyRequest`), if any */
  emergencyForm(): FormDefinition | undefined
}

export const defaultFormsDir = resolve(fileURLToPath(import.meta.url), '../../../../forms')

function checkReferences(form: FormDefinition): void {
  const ids = new Set<string>()
  for (const field of form.fields) {
    if (ids.has(field.id)) throw new FormDefinitionError(`${form.id}: field "${field.id}" is defined twice`)
    ids.add(field.id)
  }
  const referenced = [
    ...form.recordKeyFields,
    ...form.rules.flatMap((r) => (r.kind === 'sumAtMost' ? [...r.fields, r.max] : r.fields)),
    ...form.alerts.flatMap((a) => ('categoryField' in a ? [a.categoryField, a.severityField] : [])),
    ...form.totals.flatMap((total) => ('sum' in total ? total.sum : [])),
  ]
  for (const id of referenced) {
    if (!ids.has(id)) throw new FormDefinitionError(`${form.id}: rule refers to unknown field "${id}"`)
  }
  if (form.kind === 'on_demand' && form.recordKeyFields.length > 0) {
    throw new FormDefinitionError(`${form.id}: only daily forms have record key fields`)
  }
  checkApproval(form)
  checkEmergencyRequest(form)
}

/** The field types each approval role may name. */
const approvalFieldTypes = {
  titleField: ['text'],
  channelField: ['select', 'text'],
  requesterNameField: ['text'],
  requesterPhoneField: ['phone', 'text'],
} as const satisfies Record<string, readonly FieldType[]>

function checkApproval(form: FormDefinition): void {
  const { approval } = form
  if (!approval) return
  if (form.kind !== 'on_demand') throw new FormDefinitionError(`${form.id}: only on-demand forms go through approval`)
  for (const role of Object.keys(approvalFieldTypes) as (keyof typeof approvalFieldTypes)[]) {
    const id = approval[role]
    if (id === undefined) continue
    const field = form.fields.find((f) => f.id === id)
    const types: readonly FieldType[] = approvalFieldTypes[role]
    if (!field) throw new FormDefinitionError(`${form.id}: approval.${role} names unknown field "${id}"`)
    if (!types.includes(field.type)) {
      throw new FormDefinitionError(`${form.id}: approval.${role} "${id}" is a ${field.type} field; it must be ${types.join(' or ')}`)
    }
  }
}

function checkEmergencyRequest(form: FormDefinition): void {
  if (!form.emergencyRequest) return
  if (form.kind !== 'on_demand') throw new FormDefinitionError(`${form.id}: an emergency request form is on-demand`)
  if (!form.alerts.some((a) => 'categoryField' in a)) {
    throw new FormDefinitionError(`${form.id}: an emergency request form raises its alert from categoryField/severityField`)
  }
}

/** At most one form may hold a role the system looks up by role rather than by id. */
function onlyOne<T extends FormDefinition>(
  forms: readonly FormDefinition[],
  has: (f: FormDefinition) => f is T,
  what: string,
): T | undefined {
  const found = forms.filter(has)
  if (found.length > 1) throw new FormDefinitionError(`only one form may be ${what}: ${found.map((f) => f.id).join(', ')}`)
  return found[0]
}

/** Parses and cross-checks definitions; fails loudly on the first bad one. */
export function createRegistry(inputs: readonly FormDefinitionInput[]): FormRegistry {
  const forms = inputs.map((input) => {
    const parsed = FormDefinition.safeParse(input)
    const id = (input as { id?: unknown }).id
    if (!parsed.success) throw new FormDefinitionError(`form ${String(id)}: ${parsed.error.message}`)
    checkReferences(parsed.data)
    return parsed.data
  })
  for (const key of ['id', 'tab'] as const) {
    const seen = new Set<string>()
    for (const form of forms) {
      if (seen.has(form[key])) throw new FormDefinitionError(`two forms share the ${key} "${form[key]}"`)
      seen.add(form[key])
    }
  }
  forms.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id))
  const byId = new Map(forms.map((f) => [f.id, f]))
  const approval = onlyOne(forms, (f): f is ApprovalFormDefinition => f.approval !== undefined, 'the approval form')
  const emergency = onlyOne(forms, (f): f is FormDefinition => f.emergencyRequest, 'the emergency request form')
  return { all: forms, get: (id) => byId.get(id), approvalForm: () => approval, emergencyForm: () => emergency }
}

/** Loads every form definition file in `dir` (default: the repository's `forms/`). */
export async function loadForms(dir: string = defaultFormsDir): Promise<FormRegistry> {
  const files = (await readdir(dir)).filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts')).sort()
  const inputs = await Promise.all(
    files.map(async (file) => {
      const module = (await import(pathToFileURL(join(dir, file)).href)) as { default?: FormDefinitionInput }
      if (!module.default) throw new FormDefinitionError(`${file} has no default export`)
      return module.default
    }),
  )
  return createRegistry(inputs)
}
