// The office's status page: who reported today, who is late, who is missing (with whom to
// call), and the reporting and on-time rates of the last 14 days. Same code as GET /api/status.
import { Hono } from 'hono'
import { addDays, isIsoDate, localDate, localDateTime } from '../clock.ts'
import { rates } from '../daily/cycle.ts'
import { type DayStatus, dayStatus, type ReportStatus } from '../daily/status.ts'
import { officeSession } from './auth.tsx'
import type { AppDeps, AppEnv } from './deps.ts'
import { Page } from './layout.tsx'

const HISTORY_DAYS = 14

const statusWords: Record<ReportStatus, string> = { on_time: '按时', late: '迟报', missing: '未报' }
const percent = (part: number, whole: number) => (whole === 0 ? '—' : `${Math.round((part / whole) * 100)}%`)

function StatusTag({ status }: { status: ReportStatus }) {
  return <span class={status === 'missing' ? 'tag tag-missing' : 'tag'}>{statusWords[status]}</span>
}

export function createOfficePages(deps: AppDeps): Hono<AppEnv> {
  const office = new Hono<AppEnv>()
  office.use(officeSession(deps))

  office.get('/', async (c) => {
    const today = localDate(deps.clock.now(), deps.timeZone)
    const asked = c.req.query('date') ?? today
    const date = isIsoDate(asked) && asked <= today ? asked : today
    const statusDeps = { ...deps.stores, forms: deps.forms, timeZone: deps.timeZone }
    const days = Array.from({ length: HISTORY_DAYS }, (_, i) => addDays(date, -i))
    const history: DayStatus[] = await Promise.all(days.map((d) => dayStatus(statusDeps, d)))
    const current = history[0] as DayStatus
    const units = new Map((await deps.stores.units.list()).map((u) => [u.id, u]))
    const title = `日报情况 ${date}`
    return c.html(
      <Page title={title} lang="zh" path="/office">
        <p class="meta">
          {localDateTime(deps.clock.now(), deps.timeZone)} · {deps.timeZone}
        </p>
        <h1>{title}</h1>
        <form method="get" action="/office">
          <label class="label" for="date">
            日期
          </label>
          <input class="input" style="max-width:12rem" type="date" id="date" name="date" value={date} max={today} />{' '}
          <button class="button" type="submit">
            查看
          </button>
        </form>
        {current.forms.map((form) => {
          const definition = deps.forms.get(form.formId)
          const { owed, reported, onTime } = rates(form)
          const missing = form.units.filter((u) => u.status === 'missing')
          return (
            <section>
              <h2>
                {definition?.title.zh ?? form.formId} · 截止 {form.deadline}
              </h2>
              <p>
                报送率 <strong>{percent(reported, owed)}</strong>（{reported}/{owed}）· 按时率 <strong>{percent(onTime, owed)}</strong>
              </p>
              <table>
                <thead>
                  <tr>
                    <th scope="col">单位</th>
                    <th scope="col">状态</th>
                    <th scope="col">首次提交</th>
                  </tr>
                </thead>
                <tbody>
                  {form.units.map((u) => (
                    <tr>
                      <td>{u.unitName}</td>
                      <td>
                        <StatusTag status={u.status} />
                        {u.sites?.map((s) => (
                          <div class="meta">
                            {s.site}：{statusWords[s.status]}
                          </div>
                        ))}
                      </td>
                      <td>{u.submittedAt ? localDateTime(new Date(u.submittedAt), deps.timeZone).slice(11, 16) : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {missing.length > 0 && (
                <>
                  <h3>未报单位联系人</h3>
                  <ul>
                    {missing.map((m) => {
                      const contact = units.get(m.unitId)?.contact
                      return (
                        <li>
                          {m.unitName}
                          {contact && (
                            <>
                              ：{contact.name} <a href={`tel:${contact.phone}`}>{contact.phone}</a>
                            </>
                          )}
                        </li>
                      )
                    })}
                  </ul>
                </>
              )}
            </section>
          )
        })}
        <h2>近 {HISTORY_DAYS} 天</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">日期</th>
              {current.forms.map((f) => (
                <th scope="col">{deps.forms.get(f.formId)?.title.zh ?? f.formId}（报送率 / 按时率）</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {history.map((day) => (
              <tr>
                <td>
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
      </Page>,
    )
  })
  return office
}
