// The shape of a form definition in `forms/`. Definitions are data: every field has a stable
// `id` (the stored attribute and the sheet column key) and labels for display only.
import * as z from 'zod'
import { UNIT_TYPES } from '../model.ts'

export const Lang = z.enum(['zh', 'en'])
export type Lang = z.infer<typeof Lang>

export const Label = z.object({ zh: z.string().min(1), en: z.string().min(1) })
export type Label = z.infer<typeof Label>

const fieldId = z.string().regex(/^[a-z][A-Za-z0-9]{0,39}$/, 'field ids are camelCase ASCII')

const fieldBase = {
  id: fieldId,
  label: Label,
  hint: Label.optional(),
  required: z.boolean().default(true),
  /** kept for its column and data, left off the page and refused in new submissions (never delete a field) */
  retired: z.boolean().default(false),
}

const IntegerField = z.object({
  ...fieldBase,
  type: z.literal('integer'),
  min: z.number().int().default(0),
  max: z.number().int().default(1_000_000),
})
const TextField = z.object({
  ...fieldBase,
  type: z.literal('text'),
  maxLength: z.number().int().positive().default(200),
  /** HTML autocomplete hint, e.g. 'name' */
  autocomplete: z.string().optional(),
})
const TextareaField = z.object({
  ...fieldBase,
  type: z.literal('textarea'),
  maxLength: z.number().int().positive().default(4000),
})
const BooleanField = z.object({ ...fieldBase, type: z.literal('boolean') })
const SelectField = z.object({
  ...fieldBase,
  type: z.literal('select'),
  // a retired option is left off the page and refused in new submissions; records keep its label
  options: z.array(z.object({ value: z.string().regex(/^[a-z][a-z0-9_]*$/), label: Label, retired: z.boolean().optional() })).min(1),
})
const PhoneField = z.object({ ...fieldBase, type: z.literal('phone') })
const ItemListField = z.object({
  ...fieldBase,
  type: z.literal('itemList'),
  maxItems: z.number().int().positive().default(10),
  itemLabel: Label,
  quantityLabel: Label,
})
const LinkListField = z.object({
  ...fieldBase,
  type: z.literal('linkList'),
  maxItems: z.number().int().positive().default(5),
})
/** Photos: the value is the upload keys (photos/photos.ts), at most `maxItems`. */
const PhotoField = z.object({
  ...fieldBase,
  type: z.literal('photo'),
  maxItems: z.number().int().positive().max(10).default(3),
})
/** A place: the value is `{"lat","lng","accuracy"}` (WGS-84 degrees, accuracy in metres). */
const LocationField = z.object({ ...fieldBase, type: z.literal('location') })

export const Field = z.discriminatedUnion('type', [
  IntegerField,
  TextField,
  TextareaField,
  BooleanField,
  SelectField,
  PhoneField,
  ItemListField,
  LinkListField,
  PhotoField,
  LocationField,
])
export type Field = z.infer<typeof Field>
export type FieldType = Field['type']
export type FieldOf<T extends FieldType> = Extract<Field, { type: T }>

/** A condition over submitted values, used by cross-field rules and alert triggers. */
export const Condition = z.union([
  z.object({ anyPositive: z.array(fieldId).min(1) }),
  z.object({ isTrue: fieldId }),
  z.object({ equals: z.object({ field: fieldId, value: z.string() }) }),
])
export type Condition = z.infer<typeof Condition>

/** Cross-field rules; they run after every field passed its own schema. */
export const Rule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('requiredWhen'), fields: z.array(fieldId).min(1), when: Condition }),
  z.object({ kind: z.literal('sumAtMost'), fields: z.array(fieldId).min(1), max: fieldId }),
])
export type Rule = z.infer<typeof Rule>

export const Severity = z.enum(['general', 'urgent', 'critical'])
export type Severity = z.infer<typeof Severity>

/** When a submission raises an emergency alert, and how it is classified. */
const AlertTrigger = z.union([
  z.object({ when: Condition, category: z.string(), severity: Severity }),
  // on-demand emergency forms: the submitter picks category and severity
  z.object({ categoryField: fieldId, severityField: fieldId }),
])

/** A figure leaders watch, totalled over a day's current records (overview tab, summary). */
export const Total = z.union([
  z.object({ id: fieldId, label: Label, sum: z.array(fieldId).min(1) }),
  z.object({ id: fieldId, label: Label, countWhere: Condition }),
])
export type Total = z.infer<typeof Total>

/**
 * A form whose requests wait for an approver (信息发布审批制度): which of its fields the approval
 * shows as the request's title and channel, and who asked. The fields' types are checked by the
 * registry: title and requester name are text, the channel a select or text, the phone a phone.
 */
const ApprovalDeclaration = z.object({
  titleField: fieldId,
  channelField: fieldId,
  requesterNameField: fieldId,
  requesterPhoneField: fieldId.optional(),
})
type ApprovalDeclaration = z.infer<typeof ApprovalDeclaration>

export const FormDefinition = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/),
  title: Label,
  description: Label.optional(),
  workGroup: Label,
  kind: z.enum(['daily', 'on_demand']),
  /** display order on pages and sheet tabs */
  order: z.number().int(),
  /** short sheet tab name (Chinese: leaders read it) */
  tab: z.string().min(1).max(50),
  fields: z.array(Field).min(1),
  /**
   * The kinds of unit that owe this form by default: a unit added with a type, or changed to one,
   * gets it; a new form published with them goes to the units of those types. Absent: every type.
   */
  unitTypes: z.array(z.enum(UNIT_TYPES)).min(1).optional(),
  /** daily forms: fields that, with unit and date, identify the one current record (e.g. the site) */
  recordKeyFields: z.array(fieldId).default([]),
  rules: z.array(Rule).default([]),
  alerts: z.array(AlertTrigger).default([]),
  totals: z.array(Total).default([]),
  /** on-demand forms: requests go through approval (at most one form in the registry) */
  approval: ApprovalDeclaration.optional(),
  /**
   * The emergency request form: the one on-demand form the pages offer one tap away (the header's
   * 应急请求, the home page's red button). It raises its alert from the submitter's own category
   * and severity fields (an `alerts` entry with `categoryField`/`severityField`).
   */
  emergencyRequest: z.boolean().default(false),
  /** the published version (forms/catalog.ts); the files in `forms/` are version 1 */
  version: z.number().int().positive().default(1),
  /**
   * The fields' column order on the sheet, set by a publish: the previous version's columns, then
   * the new fields. Absent: the fields' order. Keeps columns in place when the office reorders the page.
   */
  sheetColumns: z.array(fieldId).optional(),
})
export type FormDefinitionInput = z.input<typeof FormDefinition>
export type FormDefinition = z.infer<typeof FormDefinition>
/** A form that declares its approval. */
export type ApprovalFormDefinition = FormDefinition & { approval: ApprovalDeclaration }

/** Identity helper for `forms/*.ts`: keeps literal types checked against the schema. */
export function defineForm(definition: FormDefinitionInput): FormDefinitionInput {
  return definition
}

/** The fields a unit fills in: every field not retired. */
export const activeFields = (form: FormDefinition): Field[] => form.fields.filter((f) => !f.retired)
