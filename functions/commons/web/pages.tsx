// Server-rendered pages a unit's staff reach by the unit's own link. Plain HTML forms: they
// work with JavaScript off.
import { randomUUID } from 'node:crypto'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { getCookie, setCookie } from 'hono/cookie'
import { localDate, localDateTime } from '../clock.ts'
import type { Field, FormDefinition } from '../forms/definition.ts'
import { specOf, type FormRaw } from '../forms/field-types.tsx'
import type { Issue } from '../forms/validation.ts'
import { pickLang, type Lang } from '../i18n.ts'
import type { RecordVersion, Unit } from '../model.ts'
import { earliestReportDate, recordIdFor, submit } from '../submissions.ts'
import { unitForToken } from '../units.ts'
import { MAX_BODY_BYTES } from './api.ts'
import { signedLinksOf, type AppDeps, type AppEnv } from './deps.ts'
import { Page } from './layout.tsx'

const words = {
  home: { zh: '本单位填报', en: 'Your reports' },
  today: { zh: '今天', en: 'Today' },
  submitted: { zh: '已报', en: 'Submitted' },
  notYet: { zh: '未报', en: 'Not yet' },
  version: { zh: '版本', en: 'version' },
  report: { zh: '填报', en: 'Report' },
  correct: { zh: '修改', en: 'Correct' },
  raise: { zh: '发起应急请求', en: 'Raise an emergency request' },
  submit: { zh: '提交', en: 'Submit' },
  errorSummary: { zh: '请修改以下问题', en: 'There is a problem' },
  optional: { zh: '（选填）', en: ' (optional)' },
  stored: { zh: '已提交', en: 'Submitted' },
  storedAs: { zh: '已保存为第 {v} 版', en: 'Stored as version {v}' },
  receivedAt: { zh: '提交时间', en: 'Received' },
  back: { zh: '返回本单位首页', en: 'Back to your reports' },
  badLink: { zh: '链接无效或已更换，请向办公室索取新链接。', en: 'This link is not valid (it may have been replaced). Ask the office for a new one.' },
  notFound: { zh: '未找到', en: 'Not found' },
  reportFor: { zh: '填报日期', en: 'Reporting for' },
  sitesToday: { zh: '今天已报 {n} 个工地', en: '{n} sites reported today' },
  tooLarge: { zh: '提交内容过大', en: 'What you sent is too large' },
  reportDay: { zh: '补报日期', en: 'Report for another day' },
} satisfies Record<string, Record<Lang, string>>

const w = (lang: Lang, key: keyof typeof words, params: Record<string, string | number> = {}) =>
  words[key][lang].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''))

type PageEnv = AppEnv & { Variables: { token: string; base: string } }

function chooseLang(c: Context): Lang {
  const query = c.req.query('lang')
  if (query === 'zh' || query === 'en') {
    setCookie(c, 'lang', query, { path: '/', sameSite: 'Lax', maxAge: 365 * 86_400, httpOnly: true })
  }
  return pickLang(query ?? getCookie(c, 'lang'), c.req.header('accept-language'))
}

function FieldBlock({ field, raw, issue, lang }: { field: Field; raw: FormRaw; issue?: Issue; lang: Lang }) {
  const spec = specOf(field)
  const hintId = field.hint ? `${field.id}-hint` : undefined
  const errorId = issue ? `${field.id}-error` : undefined
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined
  const grouped = field.type === 'boolean' || field.type === 'select' || field.type === 'itemList'
  const label = (
    <>
      {field.label[lang]}
      {field.required ? '' : w(lang, 'optional')}
    </>
  )
  const body = (
    <>
      {field.hint && (
        <p class="hint" id={hintId}>
          {field.hint[lang]}
        </p>
      )}
      {issue && (
        <p class="error-message" id={errorId}>
          {issue.message}
        </p>
      )}
      {spec.Control({ field, raw, invalid: issue !== undefined, describedBy, lang })}
    </>
  )
  const className = issue ? 'field invalid' : 'field'
  return grouped ? (
    <fieldset class={className} style="border:0;padding:0;margin:0 0 1.4rem">
      <legend class="label">{label}</legend>
      {body}
    </fieldset>
  ) : (
    <div class={className}>
      <label class="label" for={field.id}>
        {label}
      </label>
      {body}
    </div>
  )
}

interface FormPageProps {
  deps: AppDeps
  unit: Unit
  form: FormDefinition
  base: string
  lang: Lang
  raw: FormRaw
  issues: Issue[]
  date: string
  idempotencyKey: string
}

function FormPage({ deps, unit, form, base, lang, raw, issues, date, idempotencyKey }: FormPageProps) {
  const fieldIssue = (id: string) => issues.find((i) => i.path === id || i.path.startsWith(`${id}.`))
  const other = issues.filter((i) => !form.fields.some((f) => i.path === f.id || i.path.startsWith(`${f.id}.`)))
  const today = localDate(deps.clock.now(), deps.timeZone)
  const path = `${base}/forms/${form.id}`
  return (
    <Page title={form.title[lang]} lang={lang} path={path}>
      <p class="meta">
        {unit.name} · {form.kind === 'daily' ? `${w(lang, 'reportFor')} ${date}` : today}
      </p>
      <h1>{form.title[lang]}</h1>
      {issues.length > 0 && (
        <div class="error-summary" role="alert" tabindex={-1}>
          <h2>{w(lang, 'errorSummary')}</h2>
          <ul>
            {issues.map((issue) => (
              <li>
                <a href={`#${issue.path.split('.')[0] || 'form'}`}>
                  {form.fields.find((f) => f.id === issue.path.split('.')[0])?.label[lang] ?? issue.path}：{issue.message}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}
      {form.description && <p>{form.description[lang]}</p>}
      <form method="post" action={path} id="form" novalidate>
        <input type="hidden" name="_key" value={idempotencyKey} />
        {form.kind === 'daily' && (
          <div class={other.some((i) => i.path === 'date') ? 'field invalid' : 'field'}>
            <label class="label" for="date">
              {w(lang, 'reportFor')}
            </label>
            <input
              class="input"
              style="max-width:12rem"
              type="date"
              id="date"
              name="date"
              value={date}
              min={earliestReportDate(today)}
              max={today}
            />
          </div>
        )}
        {form.fields.map((field) => (
          <FieldBlock field={field} raw={raw} issue={fieldIssue(field.id)} lang={lang} />
        ))}
        <button class="button" type="submit">
          {w(lang, 'submit')}
        </button>
      </form>
      <p>
        <a href={base}>{w(lang, 'back')}</a>
      </p>
    </Page>
  )
}

function ErrorPage({ lang, message, path }: { lang: Lang; message: string; path: string }) {
  return (
    <Page title={message} lang={lang} path={path}>
      <h1>{message}</h1>
    </Page>
  )
}

/** The stored values, as a table of label → cell text. */
function StoredValues({ form, record, lang }: { form: FormDefinition; record: RecordVersion; lang: Lang }) {
  return (
    <table>
      <tbody>
        {form.fields
          .filter((f) => record.values[f.id] !== undefined)
          .map((field) => (
            <tr>
              <th scope="row">{field.label[lang]}</th>
              <td style="white-space:pre-wrap">{String(specOf(field).cell(field, record.values[field.id], lang))}</td>
            </tr>
          ))}
      </tbody>
    </table>
  )
}

/** Today's current record of a form without key fields: the one the unit may correct. */
async function todaysRecord(deps: AppDeps, form: FormDefinition, unit: Unit, date: string) {
  if (form.kind !== 'daily' || form.recordKeyFields.length > 0) return undefined
  return (await deps.stores.records.versions(recordIdFor(form, unit.id, date, {}, ''))).at(-1)
}

export function createPages(deps: AppDeps): Hono<PageEnv> {
  const pages = new Hono<PageEnv>()

  pages.use(async (c, next) => {
    const lang = chooseLang(c)
    c.set('lang', lang)
    const token = c.req.param('token') ?? ''
    const unit = await unitForToken(deps.stores.units, token, signedLinksOf(deps))
    if (!unit) return c.html(<ErrorPage lang={lang} message={w(lang, 'badLink')} path={c.req.path} />, 404)
    c.set('unit', unit)
    c.set('token', token)
    c.set('base', `/u/${token}`)
    await next()
  })

  const formOf = (c: Context<PageEnv>) => {
    const form = deps.forms.get(c.req.param('formId') ?? '')
    return form && c.get('unit').forms.includes(form.id) ? form : undefined
  }
  const notFound = (c: Context<PageEnv>) =>
    c.html(<ErrorPage lang={c.get('lang')} message={w(c.get('lang'), 'notFound')} path={c.req.path} />, 404)

  pages.get('/', async (c) => {
    const { unit, lang, base } = { unit: c.get('unit'), lang: c.get('lang'), base: c.get('base') }
    const today = localDate(deps.clock.now(), deps.timeZone)
    const forms = deps.forms.all.filter((f) => unit.forms.includes(f.id))
    const todays = await Promise.all(
      forms.map(async (form) =>
        form.kind === 'daily'
          ? (await deps.stores.records.currentOfDay(form.id, today)).filter((r) => r.unitId === unit.id)
          : [],
      ),
    )
    return c.html(
      <Page title={unit.name} lang={lang} path={base}>
        <p class="meta">
          {w(lang, 'today')} {today}
        </p>
        <h1>{unit.name}</h1>
        {forms.some((f) => f.id === 'emergency') && (
          <p>
            <a class="button button-danger" href={`${base}/forms/emergency`}>
              {w(lang, 'raise')}
            </a>
          </p>
        )}
        <h2>{w(lang, 'home')}</h2>
        <ul class="forms">
          {forms
            .filter((f) => f.kind === 'daily')
            .map((form) => {
              const records = todays[forms.indexOf(form)] ?? []
              const done = records.length > 0
              return (
                <li>
                  <a href={`${base}/forms/${form.id}`}>
                    <strong>{form.title[lang]}</strong>
                  </a>{' '}
                  <span class={done ? 'tag' : 'tag tag-missing'}>{done ? w(lang, 'submitted') : w(lang, 'notYet')}</span>
                  {form.recordKeyFields.length > 0 && done && <div>{w(lang, 'sitesToday', { n: records.length })}</div>}
                  {records.map((r) => (
                    <div class="meta">
                      <a href={`${base}/records/${r.recordId}`}>
                        {form.recordKeyFields.map((id) => String(r.values[id] ?? '')).join(' ') || form.title[lang]}
                      </a>{' '}
                      · {w(lang, 'version')} {r.version} · {localDateTime(new Date(r.receivedAt), deps.timeZone).slice(11, 16)}
                    </div>
                  ))}
                </li>
              )
            })}
        </ul>
      </Page>,
    )
  })

  pages.get('/forms/:formId', async (c) => {
    const form = formOf(c)
    if (!form) return notFound(c)
    const unit = c.get('unit')
    const today = localDate(deps.clock.now(), deps.timeZone)
    const requested = c.req.query('date')
    const date = requested && requested <= today && requested >= earliestReportDate(today) ? requested : today
    const fromId = c.req.query('from')
    const from = fromId
      ? (await deps.stores.records.versions(fromId)).filter((v) => v.unitId === unit.id).at(-1)
      : await todaysRecord(deps, form, unit, date)
    const raw: FormRaw = from
      ? Object.assign({}, ...form.fields.map((f) => specOf(f).toForm(f, from.values[f.id])))
      : {}
    return c.html(
      <FormPage
        deps={deps}
        unit={unit}
        form={form}
        base={c.get('base')}
        lang={c.get('lang')}
        raw={raw}
        issues={[]}
        date={from?.date ?? date}
        idempotencyKey={randomUUID()}
      />,
    )
  })

  pages.post(
    '/forms/:formId',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.html(<ErrorPage lang={pickLang(c.req.query('lang'), undefined)} message={words.tooLarge.zh} path={c.req.path} />, 413),
    }),
    async (c) => {
      const form = formOf(c)
      if (!form) return notFound(c)
      const unit = c.get('unit')
      const lang = c.get('lang')
      const posted = await c.req.parseBody({ all: true })
      const raw: FormRaw = Object.fromEntries(
        Object.entries(posted).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string')]),
      )
      const body: Record<string, unknown> = {}
      for (const field of form.fields) {
        const value = specOf(field).fromForm(field, raw)
        if (value !== undefined) body[field.id] = value
      }
      if (form.kind === 'daily' && raw.date?.[0]) body.date = raw.date[0]
      const key = raw._key?.[0] && /^[A-Za-z0-9_-]{8,100}$/.test(raw._key[0]) ? raw._key[0] : randomUUID()
      const outcome = await submit(
        { records: deps.stores.records, clock: deps.clock, timeZone: deps.timeZone, onStored: deps.onStored },
        { unit, form, body, idempotencyKey: key, lang },
      )
      if (outcome.kind === 'invalid') {
        const today = localDate(deps.clock.now(), deps.timeZone)
        return c.html(
          <FormPage
            deps={deps}
            unit={unit}
            form={form}
            base={c.get('base')}
            lang={lang}
            raw={raw}
            issues={outcome.issues}
            date={typeof body.date === 'string' ? body.date : today}
            idempotencyKey={key}
          />,
          422,
        )
      }
      return c.redirect(`${c.get('base')}/records/${outcome.receipt.id}?v=${outcome.receipt.version}`, 303)
    },
  )

  pages.get('/records/:recordId', async (c) => {
    const unit = c.get('unit')
    const lang = c.get('lang')
    const versions = (await deps.stores.records.versions(c.req.param('recordId'))).filter((v) => v.unitId === unit.id)
    const wanted = Number(c.req.query('v'))
    const record = versions.find((v) => v.version === wanted) ?? versions.at(-1)
    const form = record && deps.forms.get(record.formId)
    if (!record || !form) return notFound(c)
    const base = c.get('base')
    return c.html(
      <Page title={w(lang, 'stored')} lang={lang} path={`${base}/records/${record.recordId}`}>
        <div class="panel" role="status">
          <h1 style="margin:0">{w(lang, 'stored')}</h1>
          <p style="margin:.3rem 0 0">
            {form.title[lang]} · {record.date} · {w(lang, 'storedAs', { v: record.version })}
          </p>
        </div>
        <p class="meta">
          {unit.name} · {w(lang, 'receivedAt')} {localDateTime(new Date(record.receivedAt), deps.timeZone)}
        </p>
        <StoredValues form={form} record={record} lang={lang} />
        <p>
          {form.kind === 'daily' && (
            <a href={`${base}/forms/${form.id}?from=${encodeURIComponent(record.recordId)}`}>{w(lang, 'correct')}</a>
          )}{' '}
          · <a href={base}>{w(lang, 'back')}</a>
        </p>
      </Page>,
    )
  })

  return pages
}
