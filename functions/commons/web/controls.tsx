// The HTML control of each field type. A mapped table over the field types, like forms/field-types.ts:
// a new type does not compile until it has a control here.
import type { Child } from 'hono/jsx'
import type { FieldOf, FieldType } from '../forms/definition.ts'
import { activeOptions, type FormRaw, first } from '../forms/field-types.ts'
import { type Lang, t, wordsOf } from '../i18n.ts'

const w = wordsOf({
  addPhoto: { zh: '拍照或选择照片', en: 'Take or choose photos' },
  photoNoScript: {
    zh: '添加照片需要浏览器启用 JavaScript；其余内容可照常提交。',
    en: 'Adding photos needs JavaScript in this browser; the rest of the form submits as usual.',
  },
  locate: { zh: '获取当前位置', en: 'Use my location' },
  lat: { zh: '纬度', en: 'Latitude' },
  lng: { zh: '经度', en: 'Longitude' },
  locationHint: {
    zh: '点“获取当前位置”，或手动填写经纬度（如 39.9042、116.4074）。',
    en: 'Tap “Use my location”, or type the coordinates (e.g. 39.9042, 116.4074).',
  },
})

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
  photo: {
    grouped: false,
    // The keys of photos already uploaded travel as hidden inputs; the script (client/photos.ts)
    // resizes what is chosen, uploads it and adds its key. The file input itself is never posted.
    Control: (p) => (
      <div class="photos" data-photo-field={p.field.id} data-max={p.field.maxItems}>
        {(p.raw[p.field.id] ?? []).map((key) => (
          <input type="hidden" name={p.field.id} value={key} />
        ))}
        <input
          id={p.field.id}
          class="input"
          type="file"
          accept="image/*"
          multiple={p.field.maxItems > 1}
          hidden
          aria-label={w(p.lang, 'addPhoto')}
          aria-invalid={p.invalid ? 'true' : undefined}
          aria-describedby={p.describedBy}
        />
        {/* the script shows this button in place of the browser's own file input (its words are the browser's) */}
        <label class="button button-secondary" for={p.field.id} hidden>
          {w(p.lang, 'addPhoto')}
        </label>
        <noscript>
          <p class="hint">{w(p.lang, 'photoNoScript')}</p>
        </noscript>
      </div>
    ),
  },
  location: {
    grouped: true,
    // Typed coordinates are the fallback when the browser gives no position (denied, absent, no script).
    Control: (p) => (
      <div class="location" data-location-field={p.field.id}>
        <p class="hint">{w(p.lang, 'locationHint')}</p>
        <button class="button button-secondary" type="button" data-locate hidden>
          {w(p.lang, 'locate')}
        </button>
        <p class="location-status" data-location-status role="status" />
        <div class="item-row">
          {(['lat', 'lng'] as const).map((part, i) => (
            <input
              class="input"
              type="text"
              inputmode="decimal"
              autocomplete="off"
              id={i === 0 ? p.field.id : `${p.field.id}-${part}`}
              name={`${p.field.id}.${part}`}
              aria-label={w(p.lang, part)}
              placeholder={w(p.lang, part)}
              aria-invalid={p.invalid ? 'true' : undefined}
              value={first(p.raw, `${p.field.id}.${part}`)}
            />
          ))}
        </div>
        <input type="hidden" name={`${p.field.id}.accuracy`} value={first(p.raw, `${p.field.id}.accuracy`)} />
      </div>
    ),
  },
}

/** A field's control with its type narrowed, so callers stay generic. */
export function controlOf<T extends FieldType>(field: FieldOf<T>): ControlSpec<T> {
  return controls[field.type] as unknown as ControlSpec<T>
}
