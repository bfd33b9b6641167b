// Server-side allow-list validation of a submission: per-field zod schemas first, then the
// form's cross-field rules on values that are already well-formed.
import * as z from 'zod'
import { t } from '../i18n.ts'
import { activeFields, type Condition, type FormDefinition, type Lang, type Rule } from './definition.ts'
import { specOf } from './field-types.ts'

export type Values = Record<string, unknown>
export interface Issue {
  path: string
  message: string
}
export type ValidationResult = { ok: true; values: Values } | { ok: false; issues: Issue[] }

const schemaCache = new WeakMap<FormDefinition, Partial<Record<Lang, z.ZodType<Values>>>>()

function formSchema(form: FormDefinition, lang: Lang): z.ZodType<Values> {
  const cached = schemaCache.get(form)?.[lang]
  if (cached) return cached
  // Every field optional here: missing required fields are reported by `missingRequired`,
  // with one clear message instead of a type error.
  const shape = Object.fromEntries(activeFields(form).map((f) => [f.id, specOf(f).schema(f, lang).optional()]))
  const schema = z.strictObject(shape, { error: t(lang, 'unknownField') }) as unknown as z.ZodType<Values>
  schemaCache.set(form, { ...schemaCache.get(form), [lang]: schema })
  return schema
}

/** Left empty: absent, null, or an empty list (`"attachments": []`). */
const isMissing = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0)

function missingRequired(form: FormDefinition, input: Record<string, unknown>, lang: Lang): Issue[] {
  return activeFields(form)
    .filter((f) => f.required && isMissing(input[f.id]))
    .map((f) => ({ path: f.id, message: t(lang, 'required') }))
}

function toIssues(error: z.ZodError, lang: Lang): Issue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key].join('.'), message: t(lang, 'unknownField') }))
      : [{ path: issue.path.join('.'), message: issue.message }],
  )
}

export function conditionHolds(condition: Condition, values: Values): boolean {
  if ('anyPositive' in condition) return condition.anyPositive.some((id) => Number(values[id] ?? 0) > 0)
  if ('isTrue' in condition) return values[condition.isTrue] === true
  return values[condition.equals.field] === condition.equals.value
}

const labelOf = (form: FormDefinition, id: string, lang: Lang) => form.fields.find((f) => f.id === id)?.label[lang] ?? id

const ruleChecks: { [K in Rule['kind']]: (rule: Extract<Rule, { kind: K }>, form: FormDefinition, values: Values, lang: Lang) => Issue[] } =
  {
    requiredWhen: (rule, _form, values, lang) =>
      conditionHolds(rule.when, values)
        ? rule.fields.filter((id) => values[id] === undefined).map((id) => ({ path: id, message: t(lang, 'requiredWhen') }))
        : [],
    sumAtMost: (rule, form, values, lang) => {
      const max = values[rule.max]
      if (typeof max !== 'number') return []
      const sum = rule.fields.reduce((total, id) => total + (typeof values[id] === 'number' ? (values[id] as number) : 0), 0)
      if (sum <= max) return []
      const fields = rule.fields.map((id) => labelOf(form, id, lang)).join(' + ')
      const message = t(lang, 'sumAtMost', { fields, max: labelOf(form, rule.max, lang) })
      return [{ path: rule.fields[rule.fields.length - 1] ?? rule.max, message }]
    },
  }

function checkRule(rule: Rule, form: FormDefinition, values: Values, lang: Lang): Issue[] {
  return (ruleChecks[rule.kind] as (r: Rule, f: FormDefinition, v: Values, l: Lang) => Issue[])(rule, form, values, lang)
}

/** Validates the field values of one submission (JSON-shaped, `date` already taken out). */
export function validateValues(form: FormDefinition, input: unknown, lang: Lang): ValidationResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: '', message: t(lang, 'notObject') }] }
  }
  // null and [] mean "left empty", as an absent key does.
  const present = Object.fromEntries(Object.entries(input).filter(([, v]) => !isMissing(v)))
  const missing = missingRequired(form, input as Record<string, unknown>, lang)
  const parsed = formSchema(form, lang).safeParse(present)
  if (!parsed.success || missing.length > 0) {
    const issues = [...missing, ...(parsed.success ? [] : toIssues(parsed.error, lang))]
    const order = (path: string) => {
      const i = form.fields.findIndex((f) => f.id === path.split('.')[0])
      return i === -1 ? form.fields.length : i
    }
    return { ok: false, issues: issues.sort((a, b) => order(a.path) - order(b.path)) }
  }
  const values = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined))
  const issues = form.rules.flatMap((rule) => checkRule(rule, form, values, lang))
  return issues.length > 0 ? { ok: false, issues } : { ok: true, values }
}
