// The office's unit pages (/office/units): the roster, add, edit, retire and a new link. A new or
// rotated link is shown once, with its QR code, laid out as a one-page poster when printed (the
// token is never stored, so this answer is the only place it appears).
import { type Context, Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'
import { renderSVG } from 'uqr'
import { parseWebhookList } from '../channels/webhook-config.ts'
import { localDateTime } from '../clock.ts'
import { deadlineOf } from '../daily/deadlines.ts'
import { type Lang, wordsOf } from '../i18n.ts'
import { UNIT_TYPES, type Unit, type UnitType } from '../model.ts'
import {
  addUnit,
  editUnit,
  type IssuedToken,
  retireUnit,
  rotateUnitToken,
  type UnitChanges,
  type UnitField,
  UnitInputError,
  UnitNotFoundError,
} from '../units/roster.ts'
import { type AppDeps, type AppEnv, unitLink } from './deps.ts'
import { limitBody } from './errors.tsx'
import { ErrorPage, Page } from './layout.tsx'

const w = wordsOf({
  units: { zh: '单位', en: 'Units' },
  add: { zh: '添加单位', en: 'Add a unit' },
  edit: { zh: '修改单位：{name}', en: 'Edit unit: {name}' },
  id: { zh: '单位ID', en: 'Unit id' },
  idHint: {
    zh: '小写字母、数字和“-”，最多 40 个；添加后不能修改',
    en: 'Lowercase letters, digits and "-", at most 40; it cannot change later',
  },
  name: { zh: '单位名称', en: 'Name' },
  type: { zh: '单位类型', en: 'Type' },
  noType: { zh: '不指定', en: 'None' },
  forms: { zh: '填报的表单', en: 'Forms' },
  formsHintNew: { zh: '都不勾选则按单位类型', en: 'Leave all unticked to take the forms of the type' },
  sites: { zh: '工地（每行一个）', en: 'Construction sites (one per line)' },
  sitesHint: { zh: '工程类单位每个工地每天报一份施工现场日报', en: 'An engineering unit sends one site report per site per day' },
  contactName: { zh: '联系人', en: 'Contact name' },
  contactPhone: { zh: '联系电话', en: 'Contact phone' },
  webhook: { zh: '本单位的群机器人', en: "The unit's chat robot" },
  webhookHint: {
    zh: '类型=地址，类型为 wecom、dingtalk、feishu、slack 或 json；提醒和审批结果发到这里',
    en: 'type=url, type one of wecom, dingtalk, feishu, slack, json; reminders and approval decisions go there',
  },
  webhookKeep: { zh: '现为 {label}；留空则不变', en: 'Now {label}; leave empty to keep it' },
  webhookRemove: { zh: '删除群机器人', en: 'Remove the chat robot' },
  save: { zh: '保存', en: 'Save' },
  saved: { zh: '已保存：{name}', en: 'Saved: {name}' },
  create: { zh: '添加并生成链接', en: 'Add and make its link' },
  errors: { zh: '请更正以下问题', en: 'There is a problem' },
  status: { zh: '状态', en: 'Status' },
  active: { zh: '在用', en: 'Active' },
  retiredOn: { zh: '{date} 起停用', en: 'Retired from {date}' },
  contact: { zh: '联系人', en: 'Contact' },
  actions: { zh: '操作', en: 'Actions' },
  editLink: { zh: '修改', en: 'Edit' },
  rotateTitle: { zh: '更换链接', en: 'New link' },
  rotateText: {
    zh: '生成新链接和二维码；旧链接和已发出的提醒链接立即失效。',
    en: 'Makes a new link and QR code; the old link and every reminder link sent stop working at once.',
  },
  rotate: { zh: '生成新链接', en: 'Make a new link' },
  retireTitle: { zh: '停用单位', en: 'Retire the unit' },
  retireText: {
    zh: '从今天起该单位不再应报日报，不再计为未报；其链接立即失效；已报的记录全部保留。停用后不能恢复。',
    en: 'From today the unit owes no report and never counts as missing; its link stops working at once; every record it sent stays. It cannot be undone.',
  },
  retireConfirm: { zh: '我确认停用该单位', en: 'I am sure: retire this unit' },
  retireMissing: { zh: '请勾选确认', en: 'Tick the box to confirm' },
  retire: { zh: '停用', en: 'Retire' },
  retired: { zh: '该单位已于 {date} 停用，链接已失效。', en: 'This unit was retired on {date}; its link no longer works.' },
  onceTitle: { zh: '{name} 的填报链接', en: 'Reporting link of {name}' },
  onceNotice: {
    zh: '链接只显示这一次，系统不保存。请现在复制链接或打印海报（浏览器菜单“打印”，电脑按 Ctrl+P），交给该单位。',
    en: "The link is shown this once and not kept. Copy it or print the poster now (the browser's Print, Ctrl+P on a computer) and hand it to the unit.",
  },
  link: { zh: '链接', en: 'Link' },
  back: { zh: '返回单位列表', en: 'Back to the units' },
  posterTitle: { zh: '信息报送', en: 'Reporting' },
  posterScan: { zh: '用手机扫码，打开本单位的填报页面', en: "Scan with a phone to open the unit's reporting pages" },
  posterDaily: { zh: '每天 {time} 前填报：{form}', en: 'Every day by {time}: {form}' },
  posterEmergency: {
    zh: '有紧急情况：点页面上方红色“应急请求”，随时可报',
    en: 'An emergency: tap the red "Emergency" at the top, any time',
  },
  posterKeep: {
    zh: '请把页面加入手机收藏；本链接只供本单位使用，不要转发。',
    en: 'Bookmark the page on your phone; this link is for this unit only, do not forward it.',
  },
  qr: { zh: '二维码：{name} 的填报链接', en: 'QR code: reporting link of {name}' },
  none: { zh: '无', en: 'None' },
} satisfies Record<string, Record<Lang, string>>)

const UNIT_TYPE_LABEL: Record<UnitType, Record<Lang, string>> = {
  office: { zh: '办公室', en: 'Office' },
  section: { zh: '科室/工作组', en: 'Section' },
  park: { zh: '公园', en: 'Park' },
  resource: { zh: '资源管理', en: 'Resource management' },
  engineering: { zh: '工程', en: 'Engineering' },
}

/** Where each refused field is on the form: the error summary links there. */
const anchorOf: Record<UnitField, string> = {
  id: 'id',
  name: 'name',
  type: 'type',
  forms: 'forms',
  sites: 'sites',
  contact: 'contactName',
  webhook: 'webhook',
}

const labelOf = (field: UnitField, lang: Lang) =>
  w(lang, field === 'contact' ? 'contactName' : field === 'id' ? 'id' : (field as 'name' | 'type' | 'forms' | 'sites' | 'webhook'))

/** `dingtalk#1 oapi.dingtalk.com`: a robot by its label, never its URL (the URL is its credential). */
function robotLabel(setting: string | undefined): string | undefined {
  if (!setting) return undefined
  try {
    return parseWebhookList(setting, 'webhook')
      .map((t) => t.label)
      .join(', ')
  } catch {
    return '—'
  }
}

/** What the unit form posts, as typed (shown again after a refusal). */
interface UnitFormValues {
  id: string
  name: string
  type: string
  forms: string[]
  sites: string
  contactName: string
  contactPhone: string
  webhook: string
  removeWebhook: boolean
}

const text = (v: unknown) => (typeof v === 'string' ? v : '')
const lines = (v: string) =>
  v
    .split(/[\r\n]+/)
    .map((s) => s.trim())
    .filter(Boolean)

async function readUnitForm(c: Context): Promise<UnitFormValues> {
  const body = await c.req.parseBody({ all: true })
  const forms = body.forms === undefined ? [] : (Array.isArray(body.forms) ? body.forms : [body.forms]).map(text)
  return {
    id: text(body.id).trim(),
    name: text(body.name),
    type: text(body.type),
    forms,
    sites: text(body.sites),
    contactName: text(body.contactName),
    contactPhone: text(body.contactPhone),
    webhook: text(body.webhook).trim(),
    removeWebhook: body.removeWebhook === 'yes',
  }
}

const valuesOf = (unit: Unit): UnitFormValues => ({
  id: unit.id,
  name: unit.name,
  type: unit.type ?? '',
  forms: unit.forms,
  sites: (unit.sites ?? []).join('\n'),
  contactName: unit.contact?.name ?? '',
  contactPhone: unit.contact?.phone ?? '',
  webhook: '',
  removeWebhook: false,
})

/** Inline SVG: no image request, prints sharp. */
const qrSvg = (link: string) => renderSVG(link, { ecc: 'M', border: 2, pixelSize: 8 })

function QrCode({ link, label }: { link: string; label: string }) {
  return (
    <div class="qr" role="img" aria-label={label}>
      {raw(qrSvg(link))}
    </div>
  )
}

/** Screen: the link and the poster below it. Print: the poster alone, one page. */
const onceCss = `
.qr svg{display:block;width:100%;height:auto}
.poster{border:4px solid #0b0c0c;padding:1rem;text-align:center;margin:1rem 0}
.poster .qr{max-width:16rem;margin:1rem auto}
.poster h2{font-size:1.6rem;margin:.2rem 0}
.poster ol{text-align:left;margin:1rem auto;max-width:28rem}
.link-text{word-break:break-all;font-family:ui-monospace,monospace;background:#f3f2f1;padding:.5rem}
@media print{
  @page{size:A4;margin:15mm}
  header,nav,.no-print{display:none!important}
  body,main{background:#fff;min-height:0;padding:0;max-width:none}
  .poster{border:6px solid #000;margin:0;padding:10mm;page-break-inside:avoid}
  .poster h2{font-size:30pt}
  .poster .qr{max-width:95mm}
  .poster ol{max-width:150mm}
  .poster p,.poster li{font-size:15pt}
}`

export function createUnitPages(deps: AppDeps): Hono<AppEnv> {
  const pages = new Hono<AppEnv>()
  pages.use(csrf())
  const formLimit = limitBody(16 * 1024)
  const day = (iso: string) => localDateTime(new Date(iso), deps.timeZone).slice(0, 10)

  function ErrorSummary({ error, lang }: { error: UnitInputError | undefined; lang: Lang }) {
    if (!error) return null
    return (
      <div class="error-summary" role="alert" tabindex={-1} aria-labelledby="error-summary-title">
        <h2 id="error-summary-title">{w(lang, 'errors')}</h2>
        <ul>
          <li>
            <a href={`#${anchorOf[error.field]}`}>
              {labelOf(error.field, lang)}
              {lang === 'zh' ? '：' : ': '}
              {error.text[lang]}
            </a>
          </li>
        </ul>
      </div>
    )
  }

  function Field(p: {
    id: string
    label: string
    hint?: string
    error: UnitInputError | undefined
    field: UnitField
    lang: Lang
    children: Child
  }) {
    const invalid = p.error?.field === p.field && anchorOf[p.field] === p.id
    return (
      <div class={invalid ? 'field invalid' : 'field'}>
        <label class="label" for={p.id}>
          {p.label}
        </label>
        {p.hint && (
          <p class="hint" id={`${p.id}-hint`}>
            {p.hint}
          </p>
        )}
        {invalid && (
          <p class="error-message" id={`${p.id}-error`}>
            {p.error?.text[p.lang]}
          </p>
        )}
        {p.children}
      </div>
    )
  }

  function UnitForm(p: { lang: Lang; values: UnitFormValues; unit?: Unit; error?: UnitInputError }) {
    const { lang, values, unit, error } = p
    const described = (id: string, field: UnitField, hint: boolean) =>
      [hint ? `${id}-hint` : '', error?.field === field ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined
    const invalid = (field: UnitField) => (error?.field === field ? 'true' : undefined)
    const robot = robotLabel(unit?.webhook)
    return (
      <form method="post" action={unit ? `/office/units/${unit.id}` : '/office/units/new'} novalidate>
        {!unit && (
          <Field id="id" label={w(lang, 'id')} hint={w(lang, 'idHint')} error={error} field="id" lang={lang}>
            <input
              class="input"
              id="id"
              name="id"
              value={values.id}
              autocomplete="off"
              autocapitalize="none"
              spellcheck={false}
              aria-describedby={described('id', 'id', true)}
              aria-invalid={invalid('id')}
            />
          </Field>
        )}
        <Field id="name" label={w(lang, 'name')} error={error} field="name" lang={lang}>
          <input
            class="input"
            id="name"
            name="name"
            value={values.name}
            autocomplete="off"
            aria-describedby={described('name', 'name', false)}
            aria-invalid={invalid('name')}
          />
        </Field>
        <Field id="type" label={w(lang, 'type')} error={error} field="type" lang={lang}>
          <select class="input" id="type" name="type" aria-describedby={described('type', 'type', false)} aria-invalid={invalid('type')}>
            <option value="">{w(lang, 'noType')}</option>
            {UNIT_TYPES.map((t) => (
              <option value={t} selected={values.type === t}>
                {UNIT_TYPE_LABEL[t][lang]}
              </option>
            ))}
          </select>
        </Field>
        <fieldset class={error?.field === 'forms' ? 'field invalid' : 'field'} aria-describedby={described('forms', 'forms', !unit)}>
          <legend class="label">{w(lang, 'forms')}</legend>
          {!unit && (
            <p class="hint" id="forms-hint">
              {w(lang, 'formsHintNew')}
            </p>
          )}
          {error?.field === 'forms' && (
            <p class="error-message" id="forms-error">
              {error.text[lang]}
            </p>
          )}
          <div class="choices">
            {deps.forms.all.map((form, i) => (
              <label class="choice">
                <input
                  type="checkbox"
                  name="forms"
                  value={form.id}
                  id={i === 0 ? 'forms' : `forms-${form.id}`}
                  checked={values.forms.includes(form.id)}
                />
                {form.title[lang]}
              </label>
            ))}
          </div>
        </fieldset>
        <Field id="sites" label={w(lang, 'sites')} hint={w(lang, 'sitesHint')} error={error} field="sites" lang={lang}>
          <textarea
            class="input"
            id="sites"
            name="sites"
            rows={3}
            aria-describedby={described('sites', 'sites', true)}
            aria-invalid={invalid('sites')}
          >
            {values.sites}
          </textarea>
        </Field>
        <Field id="contactName" label={w(lang, 'contactName')} error={error} field="contact" lang={lang}>
          <input
            class="input"
            id="contactName"
            name="contactName"
            value={values.contactName}
            autocomplete="off"
            aria-describedby={described('contactName', 'contact', false)}
            aria-invalid={invalid('contact')}
          />
        </Field>
        <div class="field">
          <label class="label" for="contactPhone">
            {w(lang, 'contactPhone')}
          </label>
          <input class="input" id="contactPhone" name="contactPhone" type="tel" value={values.contactPhone} autocomplete="off" />
        </div>
        <Field
          id="webhook"
          label={w(lang, 'webhook')}
          hint={robot ? `${w(lang, 'webhookHint')}. ${w(lang, 'webhookKeep', { label: robot })}` : w(lang, 'webhookHint')}
          error={error}
          field="webhook"
          lang={lang}
        >
          <input
            class="input"
            id="webhook"
            name="webhook"
            value={values.webhook}
            autocomplete="off"
            spellcheck={false}
            aria-describedby={described('webhook', 'webhook', true)}
            aria-invalid={invalid('webhook')}
          />
          {robot && (
            <label class="choice">
              <input type="checkbox" name="removeWebhook" value="yes" checked={values.removeWebhook} />
              {w(lang, 'webhookRemove')}
            </label>
          )}
        </Field>
        <button class="button" type="submit">
          {unit ? w(lang, 'save') : w(lang, 'create')}
        </button>
      </form>
    )
  }

  /** The link shown once: its QR code and the poster the office prints for the unit. */
  async function onceAnswer(c: Context<AppEnv>, { unit, token }: IssuedToken, status: 200 | 201) {
    const lang = c.get('lang')
    const link = unitLink(deps, token)
    const daily = deps.forms.all.filter((f) => f.kind === 'daily' && unit.forms.includes(f.id))
    const deadlines = await Promise.all(daily.map((f) => deadlineOf(deps.stores.settings, f.id)))
    c.header('cache-control', 'no-store')
    c.header('referrer-policy', 'no-referrer')
    return c.html(
      <Page title={w(lang, 'onceTitle', { name: unit.name })} lang={lang} path={`/office/units/${unit.id}`} office>
        <style>{raw(onceCss)}</style>
        <div class="no-print">
          <h1>{w(lang, 'onceTitle', { name: unit.name })}</h1>
          <div class="panel" role="status">
            <p>{w(lang, 'onceNotice')}</p>
          </div>
          <p class="label">{w(lang, 'link')}</p>
          <p class="link-text" id="unit-link">
            {link}
          </p>
        </div>
        <section class="poster" aria-labelledby="poster-title">
          <h2 id="poster-title">{unit.name}</h2>
          <p>
            <strong>{w(lang, 'posterTitle')}</strong>
          </p>
          <QrCode link={link} label={w(lang, 'qr', { name: unit.name })} />
          <p>{w(lang, 'posterScan')}</p>
          <ol>
            {daily.map((form, i) => (
              <li>{w(lang, 'posterDaily', { time: deadlines[i] ?? '', form: form.title[lang] })}</li>
            ))}
            {unit.forms.includes('emergency') && <li>{w(lang, 'posterEmergency')}</li>}
            <li>{w(lang, 'posterKeep')}</li>
          </ol>
          <p class="link-text">{link}</p>
        </section>
        <p class="no-print">
          <a href="/office/units">{w(lang, 'back')}</a>
        </p>
      </Page>,
      status,
    )
  }

  pages.get('/', async (c) => {
    const lang = c.get('lang')
    const units = (await deps.stores.units.list()).sort(
      (a, b) => Number(Boolean(a.retiredAt)) - Number(Boolean(b.retiredAt)) || a.id.localeCompare(b.id),
    )
    const saved = c.req.query('saved')
    const savedUnit = saved ? units.find((u) => u.id === saved) : undefined
    return c.html(
      <Page title={w(lang, 'units')} lang={lang} path="/office/units" office>
        <h1>{w(lang, 'units')}</h1>
        {savedUnit && (
          <div class="panel" role="status">
            {w(lang, 'saved', { name: savedUnit.name })}
          </div>
        )}
        <p>
          <a class="button" href="/office/units/new">
            {w(lang, 'add')}
          </a>
        </p>
        <table>
          <thead>
            <tr>
              <th scope="col">{w(lang, 'name')}</th>
              <th scope="col">{w(lang, 'status')}</th>
              <th scope="col">{w(lang, 'contact')}</th>
            </tr>
          </thead>
          <tbody>
            {units.map((u) => (
              <tr>
                <td>
                  <a href={`/office/units/${u.id}`}>{u.name}</a>
                  <div class="meta">
                    {u.id}
                    {u.type ? ` · ${UNIT_TYPE_LABEL[u.type][lang]}` : ''}
                  </div>
                </td>
                <td>
                  {u.retiredAt ? (
                    <span class="tag tag-missing">{w(lang, 'retiredOn', { date: day(u.retiredAt) })}</span>
                  ) : (
                    <span class="tag">{w(lang, 'active')}</span>
                  )}
                </td>
                <td>
                  {u.contact ? (
                    <>
                      {u.contact.name} <a href={`tel:${u.contact.phone}`}>{u.contact.phone}</a>
                    </>
                  ) : (
                    w(lang, 'none')
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Page>,
    )
  })

  const newPage = (c: Context<AppEnv>, values: UnitFormValues, error?: UnitInputError) => {
    const lang = c.get('lang')
    return c.html(
      <Page title={w(lang, 'add')} lang={lang} path="/office/units/new" office>
        <h1>{w(lang, 'add')}</h1>
        <ErrorSummary error={error} lang={lang} />
        <UnitForm lang={lang} values={values} error={error} />
      </Page>,
      error ? 422 : 200,
    )
  }

  pages.get('/new', (c) =>
    newPage(c, { id: '', name: '', type: '', forms: [], sites: '', contactName: '', contactPhone: '', webhook: '', removeWebhook: false }),
  )

  pages.post('/new', formLimit, async (c) => {
    const values = await readUnitForm(c)
    try {
      const issued = await addUnit(deps.stores.units, deps.forms, deps.clock, {
        id: values.id,
        name: values.name,
        ...(values.type ? { type: values.type as UnitType } : {}),
        ...(values.forms.length ? { forms: values.forms } : {}),
        sites: lines(values.sites),
        contact: { name: values.contactName, phone: values.contactPhone },
        webhook: values.webhook,
      })
      return onceAnswer(c, issued, 201)
    } catch (error) {
      if (error instanceof UnitInputError) return newPage(c, values, error)
      throw error
    }
  })

  async function editPage(
    c: Context<AppEnv>,
    unit: Unit,
    values: UnitFormValues,
    problem: { error?: UnitInputError; unconfirmed?: boolean } = {},
  ) {
    const { error, unconfirmed } = problem
    const lang = c.get('lang')
    return c.html(
      <Page title={w(lang, 'edit', { name: unit.name })} lang={lang} path={`/office/units/${unit.id}`} office>
        <h1>{w(lang, 'edit', { name: unit.name })}</h1>
        <p class="meta">{unit.id}</p>
        {unit.retiredAt && (
          <div class="panel" role="status">
            {w(lang, 'retired', { date: day(unit.retiredAt) })}
          </div>
        )}
        <ErrorSummary error={error} lang={lang} />
        {unconfirmed && (
          <div class="error-summary" role="alert" tabindex={-1} aria-labelledby="error-summary-title">
            <h2 id="error-summary-title">{w(lang, 'errors')}</h2>
            <ul>
              <li>
                <a href="#confirm">{w(lang, 'retireMissing')}</a>
              </li>
            </ul>
          </div>
        )}
        <UnitForm lang={lang} values={values} unit={unit} error={error} />
        {!unit.retiredAt && (
          <>
            <h2>{w(lang, 'rotateTitle')}</h2>
            <p>{w(lang, 'rotateText')}</p>
            <form method="post" action={`/office/units/${unit.id}/rotate`}>
              <button class="button" type="submit">
                {w(lang, 'rotate')}
              </button>
            </form>
            <h2>{w(lang, 'retireTitle')}</h2>
            <p>{w(lang, 'retireText')}</p>
            <form method="post" action={`/office/units/${unit.id}/retire`}>
              <label class="choice">
                <input type="checkbox" name="confirm" value="yes" id="confirm" required />
                {w(lang, 'retireConfirm')}
              </label>
              <button class="button button-danger" type="submit">
                {w(lang, 'retire')}
              </button>
            </form>
          </>
        )}
      </Page>,
      error || unconfirmed ? 422 : 200,
    )
  }

  const unitOf = async (c: Context<AppEnv>) => {
    const unit = await deps.stores.units.get(c.req.param('id') ?? '')
    if (!unit) throw new UnitNotFoundError('no such unit')
    return unit
  }

  pages.get('/:id', async (c) => {
    const unit = await unitOf(c)
    return editPage(c, unit, valuesOf(unit))
  })

  pages.post('/:id', formLimit, async (c) => {
    const unit = await unitOf(c)
    const values = await readUnitForm(c)
    const changes: UnitChanges = {
      name: values.name,
      type: values.type === '' ? null : (values.type as UnitType),
      forms: values.forms,
      sites: lines(values.sites),
      contact: { name: values.contactName, phone: values.contactPhone },
      ...(values.removeWebhook ? { webhook: null } : values.webhook ? { webhook: values.webhook } : {}),
    }
    try {
      await editUnit(deps.stores.units, deps.forms, unit.id, changes)
      return c.redirect(`/office/units?saved=${encodeURIComponent(unit.id)}`, 303)
    } catch (error) {
      if (error instanceof UnitInputError) return editPage(c, unit, values, { error })
      throw error
    }
  })

  pages.post('/:id/rotate', formLimit, async (c) => {
    const unit = await unitOf(c)
    try {
      return await onceAnswer(c, await rotateUnitToken(deps.stores.units, deps.clock, unit.id), 200)
    } catch (error) {
      if (error instanceof UnitInputError)
        return c.html(<ErrorPage lang={c.get('lang')} message={error.text[c.get('lang')]} path={c.req.path} />, 422)
      throw error
    }
  })

  pages.post('/:id/retire', formLimit, async (c) => {
    const unit = await unitOf(c)
    const body = await c.req.parseBody()
    if (body.confirm !== 'yes') return editPage(c, unit, valuesOf(unit), { unconfirmed: true })
    await retireUnit(deps.stores.units, deps.clock, unit.id)
    return c.redirect(`/office/units/${encodeURIComponent(unit.id)}`, 303)
  })

  return pages
}
