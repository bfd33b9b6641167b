// The set of forms the system serves. Every `*.ts` file in `forms/` is one form: adding a
// form is adding one file, with no list to update.
import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type ApprovalFormDefinition, type Condition, type FieldType, FormDefinition, type FormDefinitionInput } from './definition.ts'

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

/** A problem with one definition: where in it (a zod-style path), and what. */
export interface DefinitionIssue {
  path: (string | number)[]
  message: string
  /** the message in Chinese, for the office's pages */
  zh?: string
}

type Path = DefinitionIssue['path']

/** Every field id a rule, alert, total or declaration names, with where it is named. */
function references(form: FormDefinition): { path: Path; id: string; active: boolean }[] {
  const refs: { path: Path; id: string; active: boolean }[] = []
  const add = (path: Path, id: string, active = true): void => {
    refs.push({ path, id, active })
  }
  for (const [i, id] of form.recordKeyFields.entries()) add(['recordKeyFields', i], id)
  const condition = (path: Path, c: Condition, active = true) => {
    if ('anyPositive' in c) for (const [i, id] of c.anyPositive.entries()) add([...path, 'anyPositive', i], id, active)
    else if ('isTrue' in c) add([...path, 'isTrue'], c.isTrue, active)
    else add([...path, 'equals', 'field'], c.equals.field, active)
  }
  form.rules.forEach((rule, r) => {
    for (const [i, id] of rule.fields.entries()) add(['rules', r, 'fields', i], id)
    if (rule.kind === 'sumAtMost') add(['rules', r, 'max'], rule.max)
    else condition(['rules', r, 'when'], rule.when)
  })
  form.alerts.forEach((alert, a) => {
    if ('categoryField' in alert) {
      add(['alerts', a, 'categoryField'], alert.categoryField)
      add(['alerts', a, 'severityField'], alert.severityField)
    } else condition(['alerts', a, 'when'], alert.when)
  })
  // totals count past records too: a retired field may stay in one
  form.totals.forEach((total, t) => {
    if ('sum' in total) for (const [i, id] of total.sum.entries()) add(['totals', t, 'sum', i], id, false)
    else condition(['totals', t, 'countWhere'], total.countWhere, false)
  })
  return refs
}

/** The cross-checks the schema cannot make: unique ids, references to fields that exist and are in use. */
function definitionIssues(form: FormDefinition): DefinitionIssue[] {
  const issues: DefinitionIssue[] = []
  const ids = new Map<string, FormDefinition['fields'][number]>()
  form.fields.forEach((field, i) => {
    if (ids.has(field.id))
      issues.push({ path: ['fields', i, 'id'], message: `field "${field.id}" is defined twice`, zh: `字段 "${field.id}" 重复` })
    ids.set(field.id, field)
    if (field.type === 'select' && field.options.every((o) => o.retired))
      issues.push({
        path: ['fields', i, 'options'],
        message: `field "${field.id}" has no option left that is not retired`,
        zh: `字段 "${field.id}" 没有未停用的选项`,
      })
    const values = new Set<string>()
    if (field.type === 'select')
      field.options.forEach((o, j) => {
        if (values.has(o.value))
          issues.push({
            path: ['fields', i, 'options', j, 'value'],
            message: `field "${field.id}": option "${o.value}" is defined twice`,
            zh: `字段 "${field.id}" 的选项 "${o.value}" 重复`,
          })
        values.add(o.value)
      })
  })
  for (const ref of references(form)) {
    const field = ids.get(ref.id)
    if (!field) issues.push({ path: ref.path, message: `rule refers to unknown field "${ref.id}"`, zh: `引用了不存在的字段 "${ref.id}"` })
    else if (ref.active && field.retired)
      issues.push({ path: ref.path, message: `rule refers to retired field "${ref.id}"`, zh: `引用了已停用的字段 "${ref.id}"` })
  }
  if (form.kind === 'on_demand' && form.recordKeyFields.length > 0) {
    issues.push({ path: ['recordKeyFields'], message: 'only daily forms have record key fields', zh: '只有日报才有 record_key_fields' })
  }
  if (form.sheetColumns && [...form.sheetColumns].sort().join() !== [...ids.keys()].sort().join()) {
    issues.push({ path: ['sheetColumns'], message: 'the sheet columns must name every field once' })
  }
  return [...issues, ...approvalIssues(form), ...emergencyRequestIssues(form)]
}

/** The form's sheet columns in order: as published, or the fields' order. */
export const columnOrder = (form: FormDefinition): string[] => form.sheetColumns ?? form.fields.map((f) => f.id)

/** The field types each approval role may name. */
const approvalFieldTypes = {
  titleField: ['text'],
  channelField: ['select', 'text'],
  requesterNameField: ['text'],
  requesterPhoneField: ['phone', 'text'],
} as const satisfies Record<string, readonly FieldType[]>

function approvalIssues(form: FormDefinition): DefinitionIssue[] {
  const { approval } = form
  if (!approval) return []
  if (form.kind !== 'on_demand') return [{ path: ['kind'], message: 'only on-demand forms go through approval' }]
  const issues: DefinitionIssue[] = []
  for (const role of Object.keys(approvalFieldTypes) as (keyof typeof approvalFieldTypes)[]) {
    const id = approval[role]
    if (id === undefined) continue
    const field = form.fields.find((f) => f.id === id)
    const types: readonly FieldType[] = approvalFieldTypes[role]
    const path = ['approval', role]
    if (!field) issues.push({ path, message: `approval.${role} names unknown field "${id}"` })
    else if (!types.includes(field.type))
      issues.push({ path, message: `approval.${role} "${id}" is a ${field.type} field; it must be ${types.join(' or ')}` })
  }
  return issues
}

function emergencyRequestIssues(form: FormDefinition): DefinitionIssue[] {
  if (!form.emergencyRequest) return []
  if (form.kind !== 'on_demand') return [{ path: ['kind'], message: 'an emergency request form is on-demand' }]
  if (!form.alerts.some((a) => 'categoryField' in a)) {
    return [{ path: ['alerts'], message: 'an emergency request form raises its alert from categoryField/severityField' }]
  }
  return []
}

/** zod's message, said for the office where it is terse: an empty cell, an unknown type. */
function plainMessage(issue: { code: string; message: string; minimum?: unknown; options?: unknown; values?: unknown }): {
  message: string
  zh?: string
} {
  const empty =
    issue.code === 'invalid_type' ? issue.message.endsWith('received undefined') : issue.code === 'too_small' && issue.minimum === 1
  if (empty) return { message: 'must not be empty', zh: '不能为空' }
  const allowed = issue.code === 'invalid_union' ? issue.options : issue.code === 'invalid_value' ? issue.values : undefined
  if (Array.isArray(allowed)) return { message: `must be one of ${allowed.join(', ')}`, zh: `须为以下之一：${allowed.join(', ')}` }
  return { message: issue.message }
}

/** One definition parsed and cross-checked: the form, or every issue found. */
export function checkDefinition(input: unknown): { ok: true; form: FormDefinition } | { ok: false; issues: DefinitionIssue[] } {
  const parsed = FormDefinition.safeParse(input)
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((i) => ({ path: i.path as Path, ...plainMessage(i) })) }
  }
  const issues = definitionIssues(parsed.data)
  return issues.length > 0 ? { ok: false, issues } : { ok: true, form: parsed.data }
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
    const [issue] = definitionIssues(parsed.data)
    if (issue) throw new FormDefinitionError(`${parsed.data.id}: ${issue.message}`)
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
  return createRegistry(await loadFormInputs(dir))
}

/** The definitions in `dir` as written, unchecked (the built-in versions of forms/catalog.ts). */
export async function loadFormInputs(dir: string = defaultFormsDir): Promise<FormDefinitionInput[]> {
  const files = (await readdir(dir)).filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts')).sort()
  return Promise.all(
    files.map(async (file) => {
      const module = (await import(pathToFileURL(join(dir, file)).href)) as { default?: FormDefinitionInput }
      if (!module.default) throw new FormDefinitionError(`${file} has no default export`)
      return module.default
    }),
  )
}
