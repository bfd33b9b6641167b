// The HTML control of each field type. A mapped table over the field types, like forms/field-types.ts:
// a new type does not compile until it has a control here.
import type { Child } from 'hono/jsx'
import type { FieldOf, FieldType } from '../forms/definition.ts'
import { activeOptions, type FormRaw, first } from '../forms/field-types.ts'
import { type Lang, t } from '../i18n.ts'

interface ControlProps<T extends FieldType> {
  field: FieldOf<T>
  raw: FormRaw
  invalid: boolean
  describedBy: string | undefined
  lang: Lang
}

interface ControlSpec<T extends FieldType> {
  /**
   * Several inputs (radios, rows): the form view wraps them in a fieldset whose legend names them
   * and which carries `describedBy`. The element with id `field.id` is the one the error summary links to.
   */
  grouped: boolean
  Control(props: ControlProps<T>): Child
}

const inputAttrs = ({ field, invalid, describedBy }: { field: { id: string }; invalid: boolean; describedBy: string | undefined }) => ({
  id: field.id,
  name: field.id,
  'aria-invalid': invalid ? 'true' : undefined,
  'aria-describedby': describedBy,
})

/** The first radio of a group takes the field's id, so the error summary's link lands on it. */
const radioId = (fieldId: string, value: string, index: number) => (index === 0 ? fieldId : `${fieldId}-${value}`)

const controls: { [T in FieldType]: ControlSpec<T> } = {
  integer: {
    grouped: false,
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
  },
  text: {
    grouped: false,
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
  },
  textarea: {
    grouped: false,
    Control: (p) => (
      <textarea {...inputAttrs(p)} class="input" rows={4} maxlength={p.field.maxLength}>
        {first(p.raw, p.field.id)}
      </textarea>
    ),
  },
  boolean: {
    grouped: true,
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
  },
  select: {
    grouped: true,
    Control: (p) => (
      <div class="choices">
        {activeOptions(p.field).map((option, i) => (
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
  },
  phone: {
    grouped: false,
    Control: (p) => (
      <input {...inputAttrs(p)} class="input" type="tel" autocomplete="tel" maxlength={20} value={first(p.raw, p.field.id)} />
    ),
  },
  itemList: {
    grouped: true,
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
  },
  linkList: {
    grouped: false,
    Control: (p) => (
      <textarea {...inputAttrs(p)} class="input" rows={3} inputmode="url">
        {first(p.raw, p.field.id)}
      </textarea>
    ),
  },
}

/** A field's control with its type narrowed, so callers stay generic. */
export function controlOf<T extends FieldType>(field: FieldOf<T>): ControlSpec<T> {
  return controls[field.type] as unknown as ControlSpec<T>
}
