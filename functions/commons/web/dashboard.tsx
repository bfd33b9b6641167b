// The leaders' dashboard (领导小组): read-only, on a phone or printed on one A4 page for the
// daily meeting (每日简报). Reached by a leader's own link /l/<token> or, for the office, at
// /dashboard behind the office sign-in. Also the admin API that hands out the leaders' links:
//   POST /api/admin/leaders {"id","name"}   → 201 {"id","name","token","link"}
//   GET  /api/admin/leaders                 → [{"id","name","createdAt","rotatedAt"?,"revokedAt"?}]
//   POST /api/admin/leaders/{id}/rotate     → 200 {"id","name","token","link"}; 404
//   POST /api/admin/leaders/{id}/revoke     → 200 {"id","name","revokedAt"}: the link stops working; 404
import { Hono } from 'hono'
import { raw } from 'hono/html'
import * as z from 'zod'
import { localDateTime } from '../clock.ts'
import { categoryLabel } from '../emergencies/compose.ts'
import { SEVERITY_LABEL, STATUS_LABEL } from '../emergencies/emergency.ts'
import { type Dashboard, dashboard } from '../leaders/dashboard.ts'
import { addLeader, type LeaderStore, revokeLeader, rotateLeader } from '../leaders/leaders.ts'
import { sheetNeedsAttention } from '../sheet/health.ts'
import { adminBearer, leaderLinkPage, officeSession } from './auth.tsx'
import { chartCss, RateChart, TotalChart } from './charts.tsx'
import type { AppDeps, AppEnv } from './deps.ts'
import { jsonBody } from './json-body.ts'
import { Page } from './layout.tsx'

const css = `
main:has(.dashboard){max-width:64rem}
.dashboard h2{margin:1.2rem 0 .4rem;font-size:1.15rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.6rem}
.card{border-left:6px solid #1d70b8;background:#f3f2f1;padding:.5rem .7rem}
.card.warn{border-color:#d4351c}
.card p{margin:.1rem 0}
.big{font-size:1.6rem;font-weight:700}
.missing{color:#942514}
.ok{color:#005a30}
.sheet-bad{border:4px solid #d4351c;padding:.6rem .8rem}
table.compact td,table.compact th{padding:.25rem .3rem;font-size:.92rem}
@media print{
  header,.noprint{display:none}
  body{background:#fff;font-size:11px}
  main{padding:0;max-width:none;min-height:0}
  .dashboard h1{font-size:16px;margin:0 0 4px}
  .dashboard h2{font-size:13px;margin:8px 0 3px}
  .charts{grid-template-columns:repeat(3,1fr);gap:4px 10px}
  .cards{grid-template-columns:repeat(3,1fr)}
  .chart svg{max-height:24mm}
  @page{size:A4;margin:10mm}
}
${chartCss}`

const age = (s: number) =>
  s < 3600
    ? `${Math.max(1, Math.round(s / 60))} 分钟`
    : s < 86_400
      ? `${Math.floor(s / 3600)} 小时 ${Math.round((s % 3600) / 60)} 分`
      : `${Math.floor(s / 86_400)} 天`
const percent = (part: number, whole: number) => (whole === 0 ? '—' : `${Math.round((part / whole) * 100)}%`)

function DashboardPage({ data, deps, path }: { data: Dashboard; deps: AppDeps; path: string }) {
  const at = (iso: string) => localDateTime(new Date(iso), deps.timeZone).slice(5, 16)
  const { sheet } = data
  const sheetBad = sheetNeedsAttention(sheet)
  // a figure that stayed 0 for two weeks is a line of text, not an empty chart
  const charted = data.totals.filter((t) => t.points.some((p) => (p.value ?? 0) > 0))
  const quiet = data.totals.filter((t) => !charted.includes(t))
  return (
    <Page title={`每日简报 ${data.date}`} lang="zh" path={path} office={path === '/dashboard'}>
      <style>{raw(css)}</style>
      <div class="dashboard">
        <h1>每日简报 · {data.date}</h1>
        <p class="meta">{localDateTime(deps.clock.now(), deps.timeZone)} 更新 · 只读</p>

        <h2>今日报送</h2>
        <div class="cards">
          {data.today.map((f) => (
            <div class={f.reported < f.owed ? 'card warn' : 'card'}>
              <p>
                {f.title} · 截止 {f.deadline}
              </p>
              <p>
                <span class="big">{percent(f.reported, f.owed)}</span> 已报 {f.reported}/{f.owed} · 按时 {percent(f.onTime, f.owed)}
              </p>
              {f.units.some((u) => u.status === 'missing') && (
                <p class="missing">
                  未报：
                  {f.units
                    .filter((u) => u.status === 'missing')
                    .map((u) => u.unitName)
                    .join('、')}
                </p>
              )}
              {f.units.some((u) => u.status === 'late') && (
                <p>
                  迟报：
                  {f.units
                    .filter((u) => u.status === 'late')
                    .map((u) => u.unitName)
                    .join('、')}
                </p>
              )}
            </div>
          ))}
        </div>

        <h2>应急事件（未解决 {data.emergencies.length}）</h2>
        {data.emergencies.length === 0 ? (
          <p class="ok">没有未解决的应急事件。</p>
        ) : (
          <table class="compact">
            <thead>
              <tr>
                <th scope="col">状态</th>
                <th scope="col">单位 · 类别</th>
                <th scope="col">已过</th>
                <th scope="col">确认人</th>
              </tr>
            </thead>
            <tbody>
              {data.emergencies.map((e) => (
                <tr>
                  <td>
                    <span class={e.status === 'open' ? 'tag tag-missing' : 'tag tag-late'}>{STATUS_LABEL[e.status].zh}</span>{' '}
                    {SEVERITY_LABEL[e.severity].zh}
                  </td>
                  <td>
                    {e.unitName} · {categoryLabel(deps.forms, e.category).zh}
                  </td>
                  <td>{age(e.ageS)}</td>
                  <td>{e.acknowledgedBy ? `${e.acknowledgedBy} ${e.acknowledgedAt ? at(e.acknowledgedAt) : ''}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}

        <h2>待审批的信息发布（{data.pendingReleases.length}）</h2>
        {data.pendingReleases.length === 0 ? (
          <p class="ok">没有待审批的信息发布。</p>
        ) : (
          <ul>
            {data.pendingReleases.map((r) => (
              <li>
                {r.title} · {r.unitName} · {at(r.firstReceivedAt)} 提交
              </li>
            ))}
          </ul>
        )}

        <h2>近 14 天</h2>
        <div class="charts">
          {data.rates.map((r) => (
            <RateChart id={`rate-${r.formId}`} title={r.title} reported={r.reported} onTime={r.onTime} />
          ))}
          {charted.map((t) => (
            <TotalChart trend={t} />
          ))}
        </div>
        {quiet.length > 0 && <p class="meta">近 14 天均为 0：{quiet.map((t) => t.title).join('、')}</p>}

        <h2>领导小组表格</h2>
        <p class={sheetBad ? 'sheet-bad' : 'meta'}>
          {sheet.lastWriteAt ? `最近写入 ${at(sheet.lastWriteAt)}` : '尚未写入'} · 等待写入 {sheet.pending} 条
          {sheet.pending > 0 ? `（最久 ${age(sheet.oldestPendingS)}）` : ''}
          {sheet.lastError ? ` · 最近错误：${sheet.lastError}` : ''}
          {sheetBad ? ' · 表格打不开或未更新时，以本页为准。' : ''}
        </p>

        <details class="noprint">
          <summary>各单位今日明细</summary>
          {data.today.map((f) => (
            <table class="compact">
              <caption>{f.title}</caption>
              <thead>
                <tr>
                  <th scope="col">单位</th>
                  <th scope="col">状态</th>
                  <th scope="col">首次提交</th>
                </tr>
              </thead>
              <tbody>
                {f.units.map((u) => (
                  <tr>
                    <td>{u.unitName}</td>
                    <td>
                      <span class={u.status === 'missing' ? 'tag tag-missing' : u.status === 'late' ? 'tag tag-late' : 'tag'}>
                        {{ on_time: '按时', late: '迟报', missing: '未报' }[u.status]}
                      </span>
                    </td>
                    <td>{u.submittedAt ? at(u.submittedAt) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        </details>
      </div>
    </Page>
  )
}

/** /dashboard (office sign-in) and /l/<leader token>: the same read-only page. */
export function createDashboardPages(deps: AppDeps, leaders: LeaderStore | undefined): Hono<AppEnv> {
  const pages = new Hono<AppEnv>()
  const render = async (path: string) => {
    const data = await dashboard(
      {
        ...deps.stores,
        forms: deps.forms,
        timeZone: deps.timeZone,
        ...(deps.alerts ? { emergencies: deps.alerts.emergencies } : {}),
        ...(deps.approvals ? { approvals: deps.approvals.store } : {}),
      },
      deps.clock.now(),
    )
    return <DashboardPage data={data} deps={deps} path={path} />
  }
  const noStore = { 'cache-control': 'private, no-store' }
  pages.get('/dashboard', officeSession(deps), async (c) => c.html(await render('/dashboard'), 200, noStore))
  if (leaders) {
    pages.get('/l/:token', leaderLinkPage(leaders), async (c) => c.html(await render(c.req.path), 200, noStore))
  }
  return pages
}

const NewLeaderBody = z.object({ id: z.string(), name: z.string() })

export function createLeaderApi(deps: AppDeps, leaders: LeaderStore): Hono<AppEnv> {
  const api = new Hono<AppEnv>()
  api.use(adminBearer(deps))
  const answer = (leader: { id: string; name: string }, token: string) => ({
    id: leader.id,
    name: leader.name,
    token,
    link: `${deps.publicUrl}/l/${token}`,
  })
  api.post('/', jsonBody(NewLeaderBody, { hint: 'send {"id","name"}', notJson: 'invalid' }), async (c) => {
    const { holder, token } = await addLeader(leaders, deps.clock, c.req.valid('json'))
    return c.json(answer(holder, token), 201)
  })
  api.get('/', async (c) => c.json((await leaders.list()).map(({ tokenHash: _, ...shown }) => shown)))
  api.post('/:id/rotate', async (c) => {
    const { holder, token } = await rotateLeader(leaders, deps.clock, c.req.param('id'))
    return c.json(answer(holder, token))
  })
  api.post('/:id/revoke', async (c) => {
    const { id, name, revokedAt } = await revokeLeader(leaders, deps.clock, c.req.param('id'))
    return c.json({ id, name, revokedAt })
  })
  return api
}
