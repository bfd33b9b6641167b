// The office's home, the hub of its day: open emergencies (待确认 first), information releases
// waiting for approval, and who reported each daily form (the missing units with whom to call),
// with the rates of the last 14 days. The daily part is the same code as GET /api/status.
import { Hono } from 'hono'
import { ApprovalInputError, addApprover, listRequests, revokeApprover, rotateApprover } from '../approvals/requests.ts'
import { addDays, isIsoDate, localDate, localDateTime } from '../clock.ts'
import { rates } from '../daily/cycle.ts'
import { type DayStatus, dayStatus, type ReportStatus } from '../daily/status.ts'
import { categoryLabel } from '../emergencies/compose.ts'
import { type Emergency, SEVERITY_LABEL, STATUS_LABEL } from '../emergencies/emergency.ts'
import { type Lang, wordsOf } from '../i18n.ts'
import { addLeader, LeaderInputError, revokeLeader, rotateLeader } from '../leaders/leaders.ts'
import { sheetHealth, sheetNeedsAttention } from '../sheet/health.ts'
import { approvalDepsOf } from './approval-api.ts'
import { officeSession } from './auth.tsx'
import type { AppDeps, AppEnv } from './deps.ts'
import { Page } from './layout.tsx'
import { createFormPages } from './office-forms.tsx'
import { createDeadlinePages, createLinkHolderPages } from './office-settings.tsx'
import { createUnitPages } from './office-units.tsx'

const HISTORY_DAYS = 14
/** open emergencies listed on the hub; the board has them all */
const EMERGENCIES_SHOWN = 10
const RELEASES_SHOWN = 5

const w = wordsOf({
  title: { zh: '办公室首页', en: 'Office home' },
  daily: { zh: '日报情况 {date}', en: 'Daily reports {date}' },
  date: { zh: '日期', en: 'Date' },
  show: { zh: '查看', en: 'Show' },
  deadline: { zh: '截止 {time}', en: 'due {time}' },
  reportRate: { zh: '报送率', en: 'Reported' },
  onTimeRate: { zh: '按时率', en: 'On time' },
  unit: { zh: '单位', en: 'Unit' },
  status: { zh: '状态', en: 'Status' },
  firstSent: { zh: '首次提交', en: 'First sent' },
  missingContacts: { zh: '未报单位联系人', en: 'Whom to call: units missing' },
  lastDays: { zh: '近 {n} 天', en: 'The last {n} days' },
  ratesHint: { zh: '每格：报送率 / 按时率', en: 'Each cell: reported / on time' },
  emergencies: { zh: '应急请求', en: 'Emergencies' },
  emergencyCounts: { zh: '待确认 {open} 条 · 已确认处理中 {acknowledged} 条', en: '{open} open · {acknowledged} acknowledged, in hand' },
  noEmergencies: { zh: '没有未解决的应急请求。', en: 'No emergency is open.' },
  toBoard: { zh: '打开应急看板', en: 'Open the emergency board' },
  releases: { zh: '信息发布审批', en: 'Information releases' },
  pendingCount: { zh: '待审批 {n} 条', en: '{n} waiting for approval' },
  noReleases: { zh: '没有待审批的信息发布申请。', en: 'No release request is waiting.' },
  toReleases: { zh: '去审批', en: 'Review them' },
  noDaily: { zh: '没有日报表单。', en: 'There is no daily form.' },
  sheet: { zh: '领导表格', en: 'The leaders’ sheet' },
  sheetOk: { zh: '正常', en: 'Up to date' },
  sheetProblem: { zh: '需要处理', en: 'Needs attention' },
  lastWrite: { zh: '最近写入 {at}', en: 'last written {at}' },
  neverWritten: { zh: '尚未写入', en: 'not written yet' },
  waiting: { zh: '等待写入 {n} 条', en: '{n} waiting' },
  lastError: { zh: '最近错误：{error}', en: 'last error: {error}' },
} satisfies Record<string, Record<Lang, string>>)

const statusWords: Record<ReportStatus, Record<Lang, string>> = {
  on_time: { zh: '按时', en: 'On time' },
  late: { zh: '迟报', en: 'Late' },
  missing: { zh: '未报', en: 'Missing' },
}
const percent = (part: number, whole: number) => (whole === 0 ? '—' : `${Math.round((part / whole) * 100)}%`)

function StatusTag({ status, lang }: { status: ReportStatus; lang: Lang }) {
  const kind = status === 'missing' ? ' tag-missing' : status === 'late' ? ' tag-late' : ''
  return <span class={`tag${kind}`}>{statusWords[status][lang]}</span>
}

/** Open first, then in hand; newest first within each. */
const boardOrder = (a: Emergency, b: Emergency) =>
  Number(a.status !== 'open') - Number(b.status !== 'open') || b.createdAt.localeCompare(a.createdAt)

export function createOfficePages(deps: AppDeps): Hono<AppEnv> {
  const office = new Hono<AppEnv>()
  office.use(officeSession(deps))
  const time = (iso: string) => localDateTime(new Date(iso), deps.timeZone)

  office.get('/', async (c) => {
    const lang = c.get('lang')
    const today = localDate(deps.clock.now(), deps.timeZone)
    const asked = c.req.query('date') ?? today
    const date = isIsoDate(asked) && asked <= today ? asked : today
    const statusDeps = { ...deps.stores, forms: deps.forms, timeZone: deps.timeZone }
    const days = Array.from({ length: HISTORY_DAYS }, (_, i) => addDays(date, -i))
    const [history, unitList, emergencies, pending, sheet] = await Promise.all([
      Promise.all(days.map((d) => dayStatus(statusDeps, d))),
      deps.stores.units.list(),
      deps.alerts ? deps.alerts.emergencies.list() : Promise.resolve(undefined),
      deps.approvals ? listRequests(approvalDepsOf(deps, deps.approvals), 'pending') : Promise.resolve(undefined),
      sheetHealth(deps.stores, deps.clock.now()),
    ])
    const current = history[0] as DayStatus
    const units = new Map(unitList.map((u) => [u.id, u]))
    const open = emergencies?.filter((e) => e.status !== 'resolved').sort(boardOrder)
    const formTitle = (formId: string) => deps.forms.get(formId)?.title[lang] ?? formId
    return c.html(
      <Page title={w(lang, 'title')} lang={lang} path="/office" office>
        <p class="meta">
          {time(deps.clock.now().toISOString())} · {deps.timeZone}
        </p>
        <h1>{w(lang, 'title')}</h1>

        {open && (
          <section aria-labelledby="emergencies">
            <h2 id="emergencies">{w(lang, 'emergencies')}</h2>
            {open.length === 0 ? (
              <p>{w(lang, 'noEmergencies')}</p>
            ) : (
              <>
                <p>
                  <strong>
                    {w(lang, 'emergencyCounts', {
                      open: open.filter((e) => e.status === 'open').length,
                      acknowledged: open.filter((e) => e.status === 'acknowledged').length,
                    })}
                  </strong>
                </p>
                <ul class="forms">
                  {open.slice(0, EMERGENCIES_SHOWN).map((e) => (
                    <li>
                      <span class={e.status === 'open' ? 'tag tag-missing' : 'tag tag-late'}>{STATUS_LABEL[e.status][lang]}</span>{' '}
                      <strong>{SEVERITY_LABEL[e.severity][lang]}</strong> {categoryLabel(deps.forms, e.category)[lang]} ·{' '}
                      {units.get(e.unitId)?.name ?? e.unitId}
                      <p class="meta">{time(e.createdAt)}</p>
                    </li>
                  ))}
                </ul>
              </>
            )}
            <p>
              <a href="/emergencies">{w(lang, 'toBoard')}</a>
            </p>
          </section>
        )}

        {pending && (
          <section aria-labelledby="releases">
            <h2 id="releases">{w(lang, 'releases')}</h2>
            {pending.length === 0 ? (
              <p>{w(lang, 'noReleases')}</p>
            ) : (
              <>
                <p>
                  <strong>{w(lang, 'pendingCount', { n: pending.length })}</strong>
                </p>
                <ul class="forms">
                  {pending.slice(0, RELEASES_SHOWN).map((r) => (
                    <li>
                      {r.title} · {units.get(r.unitId)?.name ?? r.unitId}
                      <p class="meta">{time(r.firstReceivedAt)}</p>
                    </li>
                  ))}
                </ul>
                <p>
                  <a href="/office/info-releases">{w(lang, 'toReleases')}</a>
                </p>
              </>
            )}
          </section>
        )}

        <section aria-labelledby="sheet">
          <h2 id="sheet">{w(lang, 'sheet')}</h2>
          <p>
            <span class={sheetNeedsAttention(sheet) ? 'tag tag-missing' : 'tag'}>
              {w(lang, sheetNeedsAttention(sheet) ? 'sheetProblem' : 'sheetOk')}
            </span>{' '}
            {sheet.lastWriteAt ? w(lang, 'lastWrite', { at: time(sheet.lastWriteAt) }) : w(lang, 'neverWritten')} ·{' '}
            {w(lang, 'waiting', { n: sheet.pending })}
            {sheet.lastError && ` · ${w(lang, 'lastError', { error: sheet.lastError })}`}
          </p>
        </section>

        <h2>{w(lang, 'daily', { date })}</h2>
        <form method="get" action="/office">
          <label class="label" for="date">
            {w(lang, 'date')}
          </label>
          <input class="input" style="max-width:12rem" type="date" id="date" name="date" value={date} max={today} />{' '}
          <button class="button" type="submit">
            {w(lang, 'show')}
          </button>
        </form>
        {current.forms.length === 0 && <p>{w(lang, 'noDaily')}</p>}
        {current.forms.map((form) => {
          const { owed, reported, onTime } = rates(form)
          const missing = form.units.filter((u) => u.status === 'missing')
          return (
            <section>
              <h3>
                {formTitle(form.formId)} · {w(lang, 'deadline', { time: form.deadline })}
              </h3>
              <p>
                {w(lang, 'reportRate')} <strong>{percent(reported, owed)}</strong>
                {lang === 'zh' ? `（${reported}/${owed}）` : ` (${reported}/${owed})`} · {w(lang, 'onTimeRate')}{' '}
                <strong>{percent(onTime, owed)}</strong>
              </p>
              {missing.length > 0 && (
                <>
                  <h4>{w(lang, 'missingContacts')}</h4>
                  <ul>
                    {missing.map((m) => {
                      const contact = units.get(m.unitId)?.contact
                      return (
                        <li>
                          {m.unitName}
                          {contact && (
                            <>
                              {lang === 'zh' ? '：' : ': '}
                              {contact.name} <a href={`tel:${contact.phone}`}>{contact.phone}</a>
                            </>
                          )}
                        </li>
                      )
                    })}
                  </ul>
                </>
              )}
              {form.units.length > 0 && (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{w(lang, 'unit')}</th>
                      <th scope="col">{w(lang, 'status')}</th>
                      <th scope="col">{w(lang, 'firstSent')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {form.units.map((u) => (
                      <tr>
                        <td>{u.unitName}</td>
                        <td>
                          <StatusTag status={u.status} lang={lang} />
                          {u.sites?.map((s) => (
                            <div class="meta">
                              {s.site}
                              {lang === 'zh' ? '：' : ': '}
                              {statusWords[s.status][lang]}
                            </div>
                          ))}
                        </td>
                        <td>{u.submittedAt ? time(u.submittedAt).slice(11, 16) : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          )
        })}
        <h2 id="history">{w(lang, 'lastDays', { n: HISTORY_DAYS })}</h2>
        <p class="meta">{w(lang, 'ratesHint')}</p>
        {/* long form titles must not widen a phone's page: the table scrolls on its own */}
        <section style="overflow-x:auto" aria-labelledby="history" tabindex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{w(lang, 'date')}</th>
                {current.forms.map((f) => (
                  <th scope="col">{formTitle(f.formId)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {history.map((day) => (
                <tr>
                  <td style="white-space:nowrap">
                    <a href={`/office?date=${day.date}`}>{day.date}</a>
                  </td>
                  {day.forms.map((f) => {
                    const { owed, reported, onTime } = rates(f)
                    return (
                      <td>
                        {percent(reported, owed)} / {percent(onTime, owed)}
                      </td>
                    )
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </Page>,
    )
  })
  office.route('/units', createUnitPages(deps))
  office.route('/deadlines', createDeadlinePages(deps))
  if (deps.catalog) office.route('/forms', createFormPages(deps, deps.catalog))
  const { approvals, leaders, clock } = deps
  if (approvals) {
    const store = approvals.store
    office.route(
      '/approvers',
      createLinkHolderPages(deps, {
        kind: 'approver',
        path: '/office/approvers',
        linkPath: '/a',
        store: store.approvers,
        add: (input) => addApprover(store, clock, input),
        rotate: (id) => rotateApprover(store, clock, id),
        revoke: (id) => revokeApprover(store, clock, id),
        isInputError: (error) => error instanceof ApprovalInputError,
      }),
    )
  }
  if (leaders) {
    office.route(
      '/leaders',
      createLinkHolderPages(deps, {
        kind: 'leader',
        path: '/office/leaders',
        linkPath: '/l',
        store: leaders,
        add: (input) => addLeader(leaders, clock, input),
        rotate: (id) => rotateLeader(leaders, clock, id),
        revoke: (id) => revokeLeader(leaders, clock, id),
        isInputError: (error) => error instanceof LeaderInputError,
      }),
    )
  }
  return office
}
