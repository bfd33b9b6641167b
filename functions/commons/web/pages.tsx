// Server-rendered pages a unit's staff reach by the unit's own link. Plain HTML forms: they
// work with JavaScript off; the client script (client/main.ts) only adds drafts and retries.
import { randomUUID } from 'node:crypto'
import { type Context, Hono } from 'hono'
import { localDate, localDateTime } from '../clock.ts'
import { dayStatus, type ReportStatus } from '../daily/status.ts'
import { overRateMessage } from '../emergencies/unit-rate.ts'
import type { FormDefinition } from '../forms/definition.ts'
import type { FormRaw } from '../forms/field-types.ts'
import type { Issue } from '../forms/validation.ts'
import { type Lang, wordsOf } from '../i18n.ts'
import type { RecordVersion, Unit } from '../model.ts'
import { earliestReportDate, recordIdFor, reopened, submit } from '../records/submissions.ts'
import { UnitInfoReleases } from './approvals.tsx'
import type { UnitPageEnv } from './auth.tsx'
import { clientScript } from './client-bundle.ts'
import type { AppDeps } from './deps.ts'
import { AlertedNotice, UnitEmergencies } from './emergencies.tsx'
import { formBody, prefilled, readFormPost, versionOf } from './form-post.ts'
import { FormPage, ReportDate } from './form-view.tsx'
import { ErrorPage, Page, StoredValues } from './layout.tsx'

const words = {
  home: { zh: '今天应报', en: 'Due today' },
  otherForms: { zh: '其他表单', en: 'Other forms' },
  today: { zh: '今天', en: 'Today' },
  on_time: { zh: '按时已报', en: 'On time' },
  late: { zh: '迟报', en: 'Late' },
  missing: { zh: '未报', en: 'Not yet' },
  deadline: { zh: '截止 {time}', en: 'Due by {time}' },
  overdue: { zh: '已过截止时间，请尽快补报', en: 'Past the deadline: report as soon as you can' },
  correctUntil: { zh: '{date} 24:00 前可修改', en: 'Can be corrected until midnight, {date}' },
  correcting: { zh: '正在修改已报内容（当前第 {v} 版）', en: 'Correcting what was sent (now version {v})' },
  anotherSite: { zh: '再报一个工地', en: 'Report another site' },
  sitesMissing: { zh: '未报工地：{sites}', en: 'Sites not yet reported: {sites}' },
  version: { zh: '版本', en: 'version' },
  correct: { zh: '修改', en: 'Correct' },
  raise: { zh: '发起应急请求', en: 'Raise an emergency request' },
  stored: { zh: '已提交', en: 'Submitted' },
  storedAs: { zh: '已保存为第 {v} 版', en: 'Stored as version {v}' },
  receivedAt: { zh: '提交时间', en: 'Received' },
  back: { zh: '返回本单位首页', en: 'Back to your reports' },
  notFound: { zh: '未找到', en: 'Not found' },
} satisfies Record<string, Record<Lang, string>>

const w = wordsOf(words)

type PageEnv = UnitPageEnv & { Variables: { script: string | undefined; emergency: string | undefined } }

interface Chrome {
  script: string | undefined
  emergency: string | undefined
}

interface UnitFormPageProps {
  deps: AppDeps
  unit: Unit
  form: FormDefinition
  base: string
  lang: Lang
  chrome: Chrome
  raw: FormRaw
  issues: Issue[]
  date: string
  idempotencyKey: string
  /** the version being corrected, when the form is pre-filled from a stored record */
  correcting?: number
}

function UnitFormPage({ deps, unit, form, base, lang, chrome, raw, issues, date, idempotencyKey, correcting }: UnitFormPageProps) {
  const today = localDate(deps.clock.now(), deps.timeZone)
  return (
    <FormPage
      form={form}
      heading={form.title[lang]}
      meta={`${unit.name} · ${w(lang, 'today')} ${today}`}
      path={`${base}/forms/${form.id}`}
      back={base}
      lang={lang}
      raw={raw}
      issues={issues}
      idempotencyKey={idempotencyKey}
      intro={
        <>
          {correcting !== undefined && <p class="panel">{w(lang, 'correcting', { v: correcting })}</p>}
          {form.description && <p>{form.description[lang]}</p>}
        </>
      }
      leading={
        form.kind === 'daily' && (
          <ReportDate date={date} min={earliestReportDate(today)} max={today} issue={issues.find((i) => i.path === 'date')} lang={lang} />
        )
      }
      {...chrome}
    />
  )
}

/** Today's current record of a form without key fields: the one the unit may correct. */
async function todaysRecord(deps: AppDeps, form: FormDefinition, unit: Unit, date: string) {
  if (form.kind !== 'daily' || form.recordKeyFields.length > 0) return undefined
  return (await deps.stores.records.versions(recordIdFor(form, unit.id, date, {}, ''))).at(-1)
}

const hhmm = (iso: string, timeZone: string) => localDateTime(new Date(iso), timeZone).slice(11, 16)
const tagClass: Record<ReportStatus, string> = { on_time: 'tag', late: 'tag tag-late', missing: 'tag tag-missing' }

interface DueProps {
  deps: AppDeps
  form: FormDefinition
  base: string
  lang: Lang
  today: string
  status: ReportStatus
  deadline: string
  records: RecordVersion[]
  /** the unit's named sites still owed today (site-daily) */
  sitesMissing: string[]
}

/** One daily form on the unit home: its status, deadline, what was sent and until when it can be corrected. */
function Due({ deps, form, base, lang, today, status, deadline, records, sitesMissing }: DueProps) {
  const keyed = form.recordKeyFields.length > 0
  const latest = records.at(-1)
  const overdue = status === 'missing' && localDateTime(deps.clock.now(), deps.timeZone).slice(11, 16) > deadline
  return (
    <li>
      <a href={`${base}/forms/${form.id}`}>
        <strong>{form.title[lang]}</strong>
      </a>{' '}
      <span class={tagClass[status]}>{w(lang, status)}</span>
      <p class="meta">
        {w(lang, 'deadline', { time: deadline })}
        {overdue && ` · ${w(lang, 'overdue')}`}
        {records.length > 0 && ` · ${w(lang, 'correctUntil', { date: today })}`}
      </p>
      {records.map((r) => (
        <p>
          <a href={`${base}/records/${r.recordId}`}>
            {form.recordKeyFields.map((id) => String(r.values[id] ?? '')).join(' ') || form.title[lang]}
          </a>{' '}
          · {w(lang, 'version')} {r.version} · {hhmm(r.receivedAt, deps.timeZone)}
        </p>
      ))}
      {sitesMissing.length > 0 && <p>{w(lang, 'sitesMissing', { sites: sitesMissing.join(lang === 'zh' ? '、' : ', ') })}</p>}
      {keyed && latest && (
        <p>
          <a href={`${base}/forms/${form.id}`}>{w(lang, 'anotherSite')}</a>
        </p>
      )}
    </li>
  )
}

export function createPages(deps: AppDeps): Hono<PageEnv> {
  const pages = new Hono<PageEnv>()
  const chromeOf = (c: Context<PageEnv>): Chrome => ({ script: c.get('script'), emergency: c.get('emergency') })

  // The unit's link is checked by the app (auth.tsx), which sets `unit`, `token` and `base`.
  pages.use(async (c, next) => {
    const base = c.get('base')
    c.set('script', (await clientScript(deps.log))?.path)
    const emergency = deps.forms.emergencyForm()
    c.set('emergency', emergency && c.get('unit').forms.includes(emergency.id) ? `${base}/forms/${emergency.id}` : undefined)
    await next()
  })

  const formOf = (c: Context<PageEnv>) => {
    const form = deps.forms.get(c.req.param('formId') ?? '')
    return form && c.get('unit').forms.includes(form.id) ? form : undefined
  }
  /** The unit's form page: empty, pre-filled for a correction, or with the issues of a refused post. */
  const formPage = (
    c: Context<PageEnv>,
    form: FormDefinition,
    filled: Pick<UnitFormPageProps, 'raw' | 'issues' | 'date' | 'idempotencyKey' | 'correcting'>,
  ) => (
    <UnitFormPage deps={deps} unit={c.get('unit')} form={form} base={c.get('base')} lang={c.get('lang')} chrome={chromeOf(c)} {...filled} />
  )
  const notFound = (c: Context<PageEnv>) =>
    c.html(<ErrorPage lang={c.get('lang')} message={w(c.get('lang'), 'notFound')} path={c.req.path} {...chromeOf(c)} />, 404)

  pages.get('/', async (c) => {
    const { unit, lang, base } = { unit: c.get('unit'), lang: c.get('lang'), base: c.get('base') }
    const today = localDate(deps.clock.now(), deps.timeZone)
    const forms = deps.forms.all.filter((f) => unit.forms.includes(f.id))
    const daily = forms.filter((f) => f.kind === 'daily')
    const [status, todays] = await Promise.all([
      dayStatus({ ...deps.stores, forms: deps.forms, timeZone: deps.timeZone }, today),
      Promise.all(daily.map(async (form) => (await deps.stores.records.currentOfDay(form.id, today)).filter((r) => r.unitId === unit.id))),
    ])
    // Release requests get their own section (with their decisions) when approval runs here.
    const emergency = deps.forms.emergencyForm()
    const onDemand = forms.filter((f) => f.kind === 'on_demand' && f !== emergency && f !== deps.approvals?.form)
    return c.html(
      <Page title={unit.name} lang={lang} path={base} {...chromeOf(c)}>
        <p class="meta">
          {w(lang, 'today')} {today}
        </p>
        <h1>{unit.name}</h1>
        {emergency && forms.includes(emergency) && (
          <p>
            <a class="button button-danger" href={`${base}/forms/${emergency.id}`}>
              {w(lang, 'raise')}
            </a>
          </p>
        )}
        <h2>{w(lang, 'home')}</h2>
        <ul class="forms">
          {daily.map((form, i) => {
            const formStatus = status.forms.find((f) => f.formId === form.id)
            const mine = formStatus?.units.find((u) => u.unitId === unit.id)
            return (
              <Due
                deps={deps}
                form={form}
                base={base}
                lang={lang}
                today={today}
                status={mine?.status ?? 'missing'}
                deadline={formStatus?.deadline ?? ''}
                records={todays[i] ?? []}
                sitesMissing={(mine?.sites ?? []).filter((s) => s.status === 'missing').map((s) => s.site)}
              />
            )
          })}
        </ul>
        {onDemand.length > 0 && (
          <>
            <h2>{w(lang, 'otherForms')}</h2>
            <ul class="forms">
              {onDemand.map((form) => (
                <li>
                  <a href={`${base}/forms/${form.id}`}>{form.title[lang]}</a>
                </li>
              ))}
            </ul>
          </>
        )}
        {deps.alerts && emergency && forms.includes(emergency) && (
          <UnitEmergencies deps={deps} alerts={deps.alerts} unitId={unit.id} base={base} lang={lang} />
        )}
        {deps.approvals && <UnitInfoReleases approvals={deps.approvals} timeZone={deps.timeZone} unit={unit} base={base} lang={lang} />}
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
    const raw: FormRaw = from ? prefilled(form, from.values) : {}
    return c.html(formPage(c, form, { raw, issues: [], date: from?.date ?? date, idempotencyKey: randomUUID(), correcting: from?.version }))
  })

  pages.post('/forms/:formId', async (c) => {
    const form = formOf(c)
    if (!form) return notFound(c)
    const unit = c.get('unit')
    const lang = c.get('lang')
    const { raw, idempotencyKey: key } = await readFormPost(c, form)
    // a draft opened on an earlier version (sent late, or from the offline queue) is checked against that version
    const opened = (await deps.catalog?.opened(form.id, versionOf(raw._formVersion?.[0]))) ?? form
    const body = formBody(opened, raw)
    const outcome = await submit(
      {
        records: deps.stores.records,
        clock: deps.clock,
        timeZone: deps.timeZone,
        onStored: deps.onStored,
        alertRate: deps.alertRate,
        photos: deps.photos?.storage,
      },
      { unit, form: opened, body, idempotencyKey: key, lang },
    )
    if (outcome.kind === 'invalid') {
      const date = typeof body.date === 'string' ? body.date : localDate(deps.clock.now(), deps.timeZone)
      return c.html(formPage(c, opened, { raw, issues: outcome.issues, date, idempotencyKey: key }), 422)
    }
    return c.redirect(`${c.get('base')}/records/${outcome.receipt.id}?v=${outcome.receipt.version}`, 303)
  })

  pages.get('/records/:recordId', async (c) => {
    const unit = c.get('unit')
    const lang = c.get('lang')
    const versions = (await deps.stores.records.versions(c.req.param('recordId'))).filter((v) => v.unitId === unit.id)
    const wanted = Number(c.req.query('v'))
    const record = versions.find((v) => v.version === wanted) ?? versions.at(-1)
    const form = record && deps.forms.get(record.formId)
    if (!record || !form) return notFound(c)
    const base = c.get('base')
    const today = localDate(deps.clock.now(), deps.timeZone)
    // A unit corrects a day's report until local midnight; after that only the office reopens it.
    const correctable = form.kind === 'daily' && (record.date === today || (await reopened(deps.stores, record.recordId, deps.clock.now())))
    return c.html(
      <Page title={w(lang, 'stored')} lang={lang} path={`${base}/records/${record.recordId}`} {...chromeOf(c)}>
        <div class="panel" role="status">
          <h1 style="margin:0">{w(lang, 'stored')}</h1>
          <p style="margin:.3rem 0 0">
            {form.title[lang]} · {record.date} · {w(lang, 'storedAs', { v: record.version })}
          </p>
        </div>
        {deps.alerts && record.alert && (
          <AlertedNotice alerts={deps.alerts} recordId={record.recordId} timeZone={deps.timeZone} lang={lang} />
        )}
        {record.alert?.overRate && (
          <p class="panel" role="alert">
            {overRateMessage(lang, record.alert.overRate)}
          </p>
        )}
        <p class="meta">
          {unit.name} · {w(lang, 'receivedAt')} {localDateTime(new Date(record.receivedAt), deps.timeZone)}
          {correctable && ` · ${w(lang, 'correctUntil', { date: today })}`}
        </p>
        <StoredValues form={form} record={record} lang={lang} photoBase={base} />
        <p>
          {correctable && (
            <>
              <a href={`${base}/forms/${form.id}?from=${encodeURIComponent(record.recordId)}`}>{w(lang, 'correct')}</a> ·{' '}
            </>
          )}
          <a href={base}>{w(lang, 'back')}</a>
        </p>
      </Page>,
    )
  })

  return pages
}
