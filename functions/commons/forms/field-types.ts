// One entry per field type: everything a type must do, in one place. A new type in
// `definition.ts` does not compile until it has an entry here (and a control in web/controls.tsx).
import * as z from 'zod'
import { t } from '../i18n.ts'
import { MAX_PHOTO_BYTES, PHOTO_TYPES, UPLOAD_KEY } from '../photos/photos.ts'
import type { FieldOf, FieldType, Lang } from './definition.ts'

/** Raw values of an HTML form post: every name maps to all its values. */
export type FormRaw = Record<string, string[]>

/** A sheet or CSV cell: numbers stay numbers, everything else is text. */
export type Cell = string | number

interface FieldTypeSpec<T extends FieldType> {
  /** zod schema of a present value, with messages in `lang` */
  schema(field: FieldOf<T>, lang: Lang): z.ZodType
  /** the HTML form post's strings → the JSON-shaped value (undefined when left empty) */
  fromForm(field: FieldOf<T>, raw: FormRaw): unknown
  /** a stored value → strings to pre-fill the HTML form with */
  toForm(field: FieldOf<T>, value: unknown): FormRaw
  /** a stored value → one sheet cell; `links` makes app addresses absolute (a photo's link) */
  cell(field: FieldOf<T>, value: unknown, lang: Lang, links?: CellLinks): Cell
  /** type-specific properties published by GET /api/forms */
  describe(field: FieldOf<T>): Record<string, unknown>
}

/** How a cell names the app's own pages: `photo(key)` is where a photo opens. */
export interface CellLinks {
  photo(key: string): string
}

type FieldTypeTable = { [T in FieldType]: FieldTypeSpec<T> }

/** The first value posted under `name`, or ''. */
export const first = (raw: FormRaw, name: string): string => raw[name]?.[0] ?? ''
const blankToUndefined = (s: string): string | undefined => (s.trim() === '' ? undefined : s.trim())
const asString = (value: unknown): string => (typeof value === 'string' ? value : '')

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

/** The options a unit may choose: retired ones stay only to label the records that hold them. */
export const activeOptions = (f: FieldOf<'select'>) => f.options.filter((o) => !o.retired)

const asStrings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [])

/** Keeps unparseable input as text so the schema reports it instead of guessing. */
function parseDecimal(s: string | undefined): unknown {
  if (s === undefined) return undefined
  return /^-?\d{1,7}(\.\d{1,15})?$/.test(s) ? Number(s) : s
}

function degrees(limit: number, lang: Lang) {
  return z
    .number({ error: t(lang, 'coordinate', { n: limit }) })
    .min(-limit, t(lang, 'coordinate', { n: limit }))
    .max(limit, t(lang, 'coordinate', { n: limit }))
}

interface Position {
  lat: number
  lng: number
  accuracy?: number
}
const isPosition = (v: unknown): v is Position =>
  typeof v === 'object' && v !== null && typeof (v as Position).lat === 'number' && typeof (v as Position).lng === 'number'

/**
 * A map that opens in mainland China: Amap's URI API (uri.amap.com) takes WGS-84 coordinates as the
 * browser reports them (`coordinate=wgs84`) and converts them itself; Google Maps is blocked there.
 */
export const mapLink = (p: Position) => `https://uri.amap.com/marker?position=${p.lng},${p.lat}&coordinate=wgs84&callnative=0`

/** `39.904200, 116.407400 ±12 m`: what the sheet and the pages show of a place. */
export const positionText = (p: Position) =>
  `${p.lat.toFixed(6)}, ${p.lng.toFixed(6)}${p.accuracy === undefined ? '' : ` ±${Math.round(p.accuracy)} m`}`

const PHONE = /^\+?[0-9][0-9 \-()]{4,19}$/

export const fieldTypes: FieldTypeTable = {
  integer: {
    schema: (f, lang) => integerSchema(f.min, f.max, lang),
    fromForm: (f, raw) => parseInteger(blankToUndefined(first(raw, f.id))),
    toForm: (f, v) => ({ [f.id]: [typeof v === 'number' ? String(v) : ''] }),
    cell: (_f, v) => (typeof v === 'number' ? v : ''),
    describe: (f) => ({ min: f.min, max: f.max }),
  },
  text: {
    schema: (f, lang) => textSchema(f.maxLength, lang),
    fromForm: (f, raw) => blankToUndefined(first(raw, f.id)),
    toForm: (f, v) => ({ [f.id]: [asString(v)] }),
    cell: (_f, v) => asString(v),
    describe: (f) => ({ maxLength: f.maxLength }),
  },
  textarea: {
    schema: (f, lang) => textSchema(f.maxLength, lang),
    fromForm: (f, raw) => blankToUndefined(first(raw, f.id)),
    toForm: (f, v) => ({ [f.id]: [asString(v)] }),
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
    cell: (_f, v, lang) => (v === true ? t(lang, 'yes') : v === false ? t(lang, 'no') : ''),
    describe: () => ({}),
  },
  select: {
    schema: (f, lang) => z.enum(activeOptions(f).map((o) => o.value) as [string, ...string[]], { error: t(lang, 'choose') }),
    fromForm: (f, raw) => blankToUndefined(first(raw, f.id)),
    toForm: (f, v) => ({ [f.id]: [asString(v)] }),
    cell: (f, v, lang) => f.options.find((o) => o.value === v)?.label[lang] ?? asString(v),
    describe: (f) => ({ options: activeOptions(f).map(({ value, label }) => ({ value, label })) }),
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
    cell: (_f, v) => (Array.isArray(v) ? v.join('\n') : ''),
    describe: (f) => ({ maxItems: f.maxItems }),
  },
  photo: {
    schema: (f, lang) =>
      z
        .array(z.string({ error: t(lang, 'photoKey') }).regex(UPLOAD_KEY, t(lang, 'photoKey')), { error: t(lang, 'list') })
        .min(1, t(lang, 'required'))
        .max(f.maxItems, t(lang, 'tooMany', { n: f.maxItems })),
    fromForm: (f, raw) => {
      const keys = (raw[f.id] ?? []).map((s) => s.trim()).filter((s) => s !== '')
      return keys.length === 0 ? undefined : keys
    },
    toForm: (f, v) => ({ [f.id]: asStrings(v) }),
    // A link per photo (never the image): it opens for the office's session only.
    cell: (_f, v, _lang, links) =>
      asStrings(v)
        .map((key) => (links ? links.photo(key) : key))
        .join('\n'),
    describe: (f) => ({ maxItems: f.maxItems, contentTypes: PHOTO_TYPES, maxBytes: MAX_PHOTO_BYTES, upload: 'POST /api/uploads' }),
  },
  location: {
    schema: (_f, lang) =>
      z
        .object(
          {
            lat: degrees(90, lang),
            lng: degrees(180, lang),
            accuracy: z
              .number({ error: t(lang, 'accuracy') })
              .min(0, t(lang, 'accuracy'))
              .max(1_000_000, t(lang, 'accuracy'))
              .optional(),
          },
          { error: t(lang, 'location') },
        )
        .strict(),
    fromForm: (f, raw) => {
      const [lat, lng, accuracy] = ['lat', 'lng', 'accuracy'].map((part) => blankToUndefined(first(raw, `${f.id}.${part}`)))
      if (lat === undefined && lng === undefined) return undefined
      return {
        lat: parseDecimal(lat) ?? '',
        lng: parseDecimal(lng) ?? '',
        ...(accuracy === undefined ? {} : { accuracy: parseDecimal(accuracy) }),
      }
    },
    toForm: (f, v) => ({
      [`${f.id}.lat`]: [isPosition(v) ? String(v.lat) : ''],
      [`${f.id}.lng`]: [isPosition(v) ? String(v.lng) : ''],
      [`${f.id}.accuracy`]: [isPosition(v) && v.accuracy !== undefined ? String(v.accuracy) : ''],
    }),
    cell: (_f, v) => (isPosition(v) ? `${positionText(v)}\n${mapLink(v)}` : ''),
    describe: () => ({ value: { lat: 'degrees (WGS-84)', lng: 'degrees (WGS-84)', accuracy: 'metres, optional' } }),
  },
}

/** Looks up a field's entry with its type narrowed, so callers stay generic. */
export function specOf<T extends FieldType>(field: FieldOf<T>): FieldTypeSpec<T> {
  return fieldTypes[field.type] as unknown as FieldTypeSpec<T>
}
