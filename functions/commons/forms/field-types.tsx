// One entry per field type: everything a type must do, in one place. A new type in
// `definition.ts` does not compile until it has an entry here.
// biome-ignore lint/style/noRestrictedImports: the HTML controls move to web/ (issue: one web layer)
import type { Child } from 'hono/jsx'
import { z } from 'zod'
import { t } from '../i18n.ts'
import type { FieldOf, FieldType, Lang } from './definition.ts'

/** Raw values of an HTML form post: every name maps to all its values. */
export type FormRaw = Record<string, string[]>

/** A sheet or CSV cell: numbers stay numbers, everything else is text. */
export type Cell = string | number

interface ControlProps<T extends FieldType> {
  field: FieldOf<T>
  raw: FormRaw
  invalid: boolean
  describedBy: string | undefined
  lang: Lang
}

interface FieldTypeSpec<T extends FieldType> {
  /** zod schema of a present value, with messages in `lang` */
  schema(field: FieldOf<T>, lang: Lang): z.ZodType
  /** the HTML form post's strings → the JSON-shaped value (undefined when left empty) */
  fromForm(field: FieldOf<T>, raw: FormRaw): unknown
  /** a stored value → strings to pre-fill the HTML form with */
  toForm(field: FieldOf<T>, value: unknown): FormRaw
  /**
   * The HTML control. The element with id `field.id` is the one focused from the error summary;
   * grouped controls (radios, rows) are wrapped in a fieldset by the page, which carries `describedBy`.
   */
  Control(props: ControlProps<T>): Child
  /** a stored value → one sheet cell */
  cell(field: FieldOf<T>, value: unknown, lang: Lang): Cell
  /** type-specific properties published by GET /api/forms */
  describe(field: FieldOf<T>): Record<string, unknown>
}

type FieldTypeTable = { [T in FieldType]: FieldTypeSpec<T> }

const first = (raw: FormRaw, name: string): string => raw[name]?.[0] ?? ''
const blankToUndefined = (s: string): string | undefined => (s.trim() === '' ? undefined : s.trim())
const asString = (value: unknown): string => (typeof value === 'string' ? value : '')
const inputAttrs = ({ field, invalid, describedBy }: { field: { id: string }; invalid: boolean; describedBy: string | undefined }) => ({
  id: field.id,
  name: field.id,
  'aria-invalid': invalid ? 'true' : undefined,
  'aria-describedby': describedBy,
})

function textSchema(maxLength: number, lang: Lang) {
  return z
    .string({ error: t(lang, 'text') })
    .trim()
    .min(1, t(lang, 'required'))
    .max(maxLength, t(lang, 'tooLong', { n: maxLength }))
}

function integerSchema(min: number, max: number, lang: Lang) {
  return z
    .number({ error: t(lang, 'wholeNumber') })
    .int(t(lang, 'wholeNumber'))
    .min(min, t(lang, 'atLeast', { n: min }))
    .max(max, t(lang, 'atMost', { n: max }))
}

/** Keeps unparseable input as text so the schema reports it instead of guessing. */
function parseInteger(s: string | undefined): unknown {
  if (s === undefined) return undefined
  const normalized = s.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
  return /^-?\d{1,15}$/.test(normalized) ? Number(normalized) : s
}

/** The first radio of a group takes the field's id, so the error summary's link lands on it. */
const radioId = (fieldId: string, value: string, index: number) => (index === 0 ? fieldId : `${fieldId}-${value}`)

const PHONE = /^\+?[0-9][0-9 \-()]{4,19}$/

export const fieldTypes: FieldTypeTable = {
  integer: {
    schema: (f, lang) => integerSchema(f.min, f.max, lang),
    fromForm: (f, raw) => parseInteger(blankToUndefined(first(raw, f.id))),
    toForm: (f, v) => ({ [f.id]: [typeof v === 'number' ? String(v) : ''] }),
    Control: (p) => (
      <input
        {...inputAttrs(p)}
        class="input input-number"
        type="text"
        inputmode="numeric"
        pattern="[0-9]*"
        autocomplete="off"
        value={first(p.raw, p.field.id)}
      />
    ),
    cell: (_f, v) => (typeof v === 'number' ? v : ''),
    describe: (f) => ({ min: f.min, max: f.max }),
  },
  text: {
    schema: (f, lang) => textSchema(f.maxLength, lang),
    fromForm: (f, raw) => blankToUndefined(first(raw, f.id)),
    toForm: (f, v) => ({ [f.id]: [asString(v)] }),
    Control: (p) => (
      <input
        {...inputAttrs(p)}
        class="input"
        type="text"
        maxlength={p.field.maxLength}
        autocomplete={p.field.autocomplete ?? 'off'}
        value={first(p.raw, p.field.id)}
      />
    ),
    cell: (_f, v) => asString(v),
    describe: (f) => ({ maxLength: f.maxLength }),
  },
  textarea: {
    schema: (f, lang) => textSchema(f.maxLength, lang),
    fromForm: (f, raw) => blankToUndefined(first(raw, f.id)),
    toForm: (f, v) => ({ [f.id]: [asString(v)] }),
    Control: (p) => (
      <textarea {...inputAttrs(p)} class="input" rows={4} maxlength={p.field.maxLength}>
        {first(p.raw, p.field.id)}
      </textarea>
    ),
    cell: (_f, v) => asString(v),
    describe: (f) => ({ maxLength: f.maxLength }),
  },
  boolean: {
    schema: (_f, lang) => z.boolean({ error: t(lang, 'yesNo') }),
    fromForm: (f, raw) => {
      const v = first(raw, f.id)
      return v === 'yes' ? true : v === 'no' ? false : blankToUndefined(v)
    },
    toForm: (f, v) => ({ [f.id]: [v === true ? 'yes' : v === false ? 'no' : ''] }),
    Control: (p) => (
      <div class="choices choices-inline">
        {(['yes', 'no'] as const).map((choice, i) => (
          <label class="choice">
            <input
              type="radio"
              id={radioId(p.field.id, choice, i)}
              name={p.field.id}
              value={choice}
              checked={first(p.raw, p.field.id) === choice}
            />{' '}
            {t(p.lang, choice)}
          </label>
        ))}
      </div>
    ),
    cell: (_f, v, lang) => (v === true ? t(lang, 'yes') : v === false ? t(lang, 'no') : ''),
    describe: () => ({}),
  },
  select: {
    schema: (f, lang) => z.enum(f.options.map((o) => o.value) as [string, ...string[]], { error: t(lang, 'choose') }),
    fromForm: (f, raw) => blankToUndefined(first(raw, f.id)),
    toForm: (f, v) => ({ [f.id]: [asString(v)] }),
    Control: (p) => (
      <div class="choices">
        {p.field.options.map((option, i) => (
          <label class="choice">
            <input
              type="radio"
              id={radioId(p.field.id, option.value, i)}
              name={p.field.id}
              value={option.value}
              checked={first(p.raw, p.field.id) === option.value}
            />{' '}
            {option.label[p.lang]}
          </label>
        ))}
      </div>
    ),
    cell: (f, v, lang) => f.options.find((o) => o.value === v)?.label[lang] ?? asString(v),
    describe: (f) => ({ options: f.options }),
  },
  phone: {
    schema: (_f, lang) =>
      z
        .string({ error: t(lang, 'phone') })
        .trim()
        .min(1, t(lang, 'required'))
        .regex(PHONE, t(lang, 'phone')),
    fromForm: (f, raw) => blankToUndefined(first(raw, f.id)),
    toForm: (f, v) => ({ [f.id]: [asString(v)] }),
    Control: (p) => (
      <input {...inputAttrs(p)} class="input" type="tel" autocomplete="tel" maxlength={20} value={first(p.raw, p.field.id)} />
    ),
    cell: (_f, v) => asString(v),
    describe: () => ({ pattern: PHONE.source }),
  },
  itemList: {
    schema: (f, lang) =>
      z
        .array(
          z
            .object(
              {
                item: textSchema(100, lang),
                quantity: integerSchema(1, 1_000_000, lang),
              },
              { error: t(lang, 'list') },
            )
            .strict(),
          { error: t(lang, 'list') },
        )
        .min(1, t(lang, 'required'))
        .max(f.maxItems, t(lang, 'tooMany', { n: f.maxItems })),
    fromForm: (f, raw) => {
      const items = raw[`${f.id}.item`] ?? []
      const quantities = raw[`${f.id}.quantity`] ?? []
      const rows = items
        .map((item, i) => ({ item: item.trim(), quantity: (quantities[i] ?? '').trim() }))
        .filter((row) => row.item !== '' || row.quantity !== '')
        .map((row) => ({ item: row.item, quantity: parseInteger(row.quantity) ?? '' }))
      return rows.length === 0 ? undefined : rows
    },
    toForm: (f, v) => {
      const rows = Array.isArray(v) ? (v as { item: string; quantity: number }[]) : []
      return {
        [`${f.id}.item`]: rows.map((r) => r.item),
        [`${f.id}.quantity`]: rows.map((r) => String(r.quantity)),
      }
    },
    Control: (p) => {
      const items = p.raw[`${p.field.id}.item`] ?? []
      const quantities = p.raw[`${p.field.id}.quantity`] ?? []
      const rowCount = Math.min(p.field.maxItems, Math.max(3, items.length + 1))
      return (
        <div class="item-list">
          {Array.from({ length: rowCount }, (_, i) => (
            <div class="item-row">
              <input
                class="input"
                type="text"
                id={i === 0 ? p.field.id : undefined}
                name={`${p.field.id}.item`}
                aria-label={`${p.field.itemLabel[p.lang]} ${i + 1}`}
                placeholder={p.field.itemLabel[p.lang]}
                maxlength={100}
                value={items[i] ?? ''}
              />
              <input
                class="input input-number"
                type="text"
                inputmode="numeric"
                pattern="[0-9]*"
                autocomplete="off"
                name={`${p.field.id}.quantity`}
                aria-label={`${p.field.quantityLabel[p.lang]} ${i + 1}`}
                placeholder={p.field.quantityLabel[p.lang]}
                value={quantities[i] ?? ''}
              />
            </div>
          ))}
        </div>
      )
    },
    cell: (_f, v, lang) =>
      Array.isArray(v)
        ? (v as { item: string; quantity: number }[]).map((r) => `${r.item} × ${r.quantity}`).join(lang === 'zh' ? '；' : '; ')
        : '',
    describe: (f) => ({ maxItems: f.maxItems, itemLabel: f.itemLabel, quantityLabel: f.quantityLabel }),
  },
  linkList: {
    schema: (f, lang) =>
      z
        .array(
          z
            .string({ error: t(lang, 'url') })
            .trim()
            .max(2000, t(lang, 'tooLong', { n: 2000 }))
            .regex(/^https?:\/\/\S+$/i, t(lang, 'url')),
          { error: t(lang, 'list') },
        )
        .min(1, t(lang, 'required'))
        .max(f.maxItems, t(lang, 'tooMany', { n: f.maxItems })),
    fromForm: (f, raw) => {
      const links = first(raw, f.id)
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter((s) => s !== '')
      return links.length === 0 ? undefined : links
    },
    toForm: (f, v) => ({ [f.id]: [Array.isArray(v) ? v.join('\n') : ''] }),
    Control: (p) => (
      <textarea {...inputAttrs(p)} class="input" rows={3} inputmode="url">
        {first(p.raw, p.field.id)}
      </textarea>
    ),
    cell: (_f, v) => (Array.isArray(v) ? v.join('\n') : ''),
    describe: (f) => ({ maxItems: f.maxItems }),
  },
}

/** Looks up a field's entry with its type narrowed, so callers stay generic. */
export function specOf<T extends FieldType>(field: FieldOf<T>): FieldTypeSpec<T> {
  return fieldTypes[field.type] as unknown as FieldTypeSpec<T>
}
