// The set of forms the system serves. Every `*.ts` file in `forms/` is one form: adding a
// form is adding one file, with no list to update.
import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { FormDefinition, type FormDefinitionInput } from './definition.ts'

export class FormDefinitionError extends Error {
  override name = 'FormDefinitionError'
}

export interface FormRegistry {
  /** every form, in display order */
  readonly all: readonly FormDefinition[]
  get(id: string): FormDefinition | undefined
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
  return { all: forms, get: (id) => byId.get(id) }
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
