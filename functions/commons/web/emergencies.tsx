// Emergency pages. The board (/emergencies): open emergencies first, phone-sized, refreshing
// itself, with acknowledge and resolve buttons; office sign-in. The one-tap acknowledge page
// (/ack/<signed token>): reached from the alert, no login; opening it changes nothing (chat apps
// open links to preview them), the button does. The outbox (/emergencies/outbox): every alert
// raised, its text and where it was delivered.
import { type Context, Hono } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { csrf } from 'hono/csrf'
import { formatAlertText } from '../channels/format.ts'
import type { AlertMessage } from '../channels/message.ts'
import { localDateTime } from '../clock.ts'
import { ackUrl, checkAckToken, signAckToken } from '../emergencies/ack-link.ts'
import { actOnEmergency, type EmergencyAction, unitNamesOf } from '../emergencies/actions.ts'
import { composeAlert } from '../emergencies/compose.ts'
import { type Emergency, EmergencyNotFoundError, SEVERITY_LABEL, STATUS_LABEL } from '../emergencies/emergency.ts'
import { officeSession } from './auth.tsx'
import type { AlertAppDeps, AppDeps, AppEnv } from './deps.ts'
import { limitBody } from './errors.tsx'
import { Page } from './layout.tsx'

const REFRESH_S = 15
const RESOLVED_SHOWN = 20
const OUTBOX_SHOWN = 50
const MAX_NAME_CHARS = 50
const NAME_COOKIE = 'sentinel_name'

const statusClass = (e: Emergency) => (e.status === 'open' ? 'tag tag-missing' : e.status === 'acknowledged' ? 'tag tag-late' : 'tag')

/** The name people typed once, so the next acknowledgement says who without typing. */
function nameFrom(c: Context, form: Record<string, unknown>): string | undefined {
  const typed = typeof form.by === 'string' ? form.by.trim().slice(0, MAX_NAME_CHARS) : ''
  if (typed !== '') {
    setCookie(c, NAME_COOKIE, encodeURIComponent(typed), { path: '/', httpOnly: true, sameSite: 'Lax', maxAge: 365 * 86_400 })
    return typed
  }
  return undefined
}
const rememberedName = (c: Context) => {
  const raw = getCookie(c, NAME_COOKIE)
  try {
    return raw ? decodeURIComponent(raw) : ''
  } catch {
    return ''
  }
}

/** The board and outbox (mount at /emergencies) and the acknowledge page (mount at /ack). */
export function createEmergencyPages(deps: AppDeps, alerts: AlertAppDeps): { board: Hono<AppEnv>; ack: Hono<AppEnv> } {
  const guard = [csrf(), limitBody(4096)] as const
  const time = (iso: string | undefined) => (iso ? localDateTime(new Date(iso), deps.timeZone) : '')

  /** What the alert said (summary, details), rebuilt from the record. */
  async function messageOf(e: Emergency, escalation = 0, createdAt = e.createdAt): Promise<AlertMessage> {
    const [versions, unit] = await Promise.all([deps.stores.records.versions(e.recordId), deps.stores.units.get(e.unitId)])
    const token = signAckToken(e.id, new Date(Date.parse(createdAt) + alerts.ackTtlS * 1000), alerts.ackKey)
    return composeAlert({
      emergency: e,
      escalation,
      createdAt,
      form: deps.forms.get(e.formId),
      record: versions.at(-1),
      unitName: unit?.name ?? e.unitId,
      forms: deps.forms,
      ackUrl: ackUrl(deps.publicUrl, token),
      lang: alerts.lang,
    })
  }

  function Card({ e, m, actions }: { e: Emergency; m: AlertMessage; actions: boolean }) {
    return (
      <section class="panel" style={e.status === 'open' ? 'border-color:#d4351c' : ''} id={e.id}>
        <p>
          <span class={statusClass(e)}>{STATUS_LABEL[e.status].zh}</span> <strong>【{SEVERITY_LABEL[e.severity].zh}】</strong>{' '}
          {m.categoryLabel.zh} · {m.unitName}
        </p>
        <p>{m.summary}</p>
        <table>
          {m.details.map((d) => (
            <tr>
              <th scope="row">{d.label}</th>
              <td>{d.value}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">提交时间</th>
            <td>{time(e.createdAt)}</td>
          </tr>
          {e.acknowledgedAt && (
            <tr>
              <th scope="row">确认</th>
              <td>
                {e.acknowledgedBy} · {time(e.acknowledgedAt)}
              </td>
            </tr>
          )}
          {e.resolvedAt && (
            <tr>
              <th scope="row">解决</th>
              <td>
                {e.resolvedBy} · {time(e.resolvedAt)}
              </td>
            </tr>
          )}
          {e.escalations > 0 && (
            <tr>
              <th scope="row">升级</th>
              <td>{e.escalations} 次</td>
            </tr>
          )}
        </table>
        {actions && e.status !== 'resolved' && (
          <form method="post" action={`/emergencies/${e.id}`}>
            <label class="label" for={`by-${e.id}`}>
              处理人 · Your name
            </label>
            <input class="input" id={`by-${e.id}`} name="by" maxlength={MAX_NAME_CHARS} autocomplete="name" />
            <p>
              {e.status === 'open' && (
                <button class="button button-danger" name="action" value="ack" type="submit">
                  确认收到 · Acknowledge
                </button>
              )}{' '}
              <button class="button" name="action" value="resolve" type="submit">
                已解决 · Resolve
              </button>
            </p>
          </form>
        )}
      </section>
    )
  }

  const board = new Hono<AppEnv>()
  board.use(...guard, officeSession(deps))

  board.get('/', async (c) => {
    const all = await alerts.emergencies.list()
    const active = all.filter((e) => e.status !== 'resolved').sort((a, b) => (a.status === b.status ? 0 : a.status === 'open' ? -1 : 1))
    const resolved = all.filter((e) => e.status === 'resolved').slice(0, RESOLVED_SHOWN)
    const messages = new Map(await Promise.all([...active, ...resolved].map(async (e) => [e.id, await messageOf(e)] as const)))
    // The board is left open on a phone or a screen in the office: it reloads itself, no script.
    c.header('Refresh', String(REFRESH_S))
    const open = active.filter((e) => e.status === 'open').length
    return c.html(
      <Page title={`应急 (${open})`} lang="zh" path="/emergencies">
        <h1>应急值守 · Emergencies</h1>
        <p class="meta">
          待确认 {open} · 处理中 {active.length - open} · {localDateTime(deps.clock.now(), deps.timeZone)} · 每 {REFRESH_S} 秒刷新 ·{' '}
          <a href="/emergencies/outbox">告警记录 Outbox</a>
        </p>
        {active.length === 0 && <p>当前没有待处理的应急事件。No open emergencies.</p>}
        {active.map((e) => (
          <Card e={e} m={messages.get(e.id) as AlertMessage} actions />
        ))}
        {resolved.length > 0 && <h2>最近已解决 · Recently resolved</h2>}
        {resolved.map((e) => (
          <Card e={e} m={messages.get(e.id) as AlertMessage} actions={false} />
        ))}
      </Page>,
    )
  })

  board.post('/:id', async (c) => {
    const form = await c.req.parseBody()
    const action = form.action === 'ack' || form.action === 'resolve' ? (form.action as EmergencyAction) : undefined
    if (!action) return c.text('Unknown action / 未知操作', 422)
    const by = nameFrom(c, form) ?? (rememberedName(c) || '办公室')
    try {
      await actOnEmergency(alerts.emergencies, { id: c.req.param('id'), action, by, at: deps.clock.now(), policy: alerts.policy })
    } catch (error) {
      if (error instanceof EmergencyNotFoundError) return c.text('No such emergency / 没有这条应急请求', 404)
      throw error
    }
    alerts.onChanged?.()
    return c.redirect(`/emergencies#${c.req.param('id')}`, 303)
  })

  board.get('/outbox', async (c) => {
    const all = (await alerts.emergencies.list()).slice(0, OUTBOX_SHOWN)
    const names = await unitNamesOf(deps.stores.units)
    const rows = await Promise.all(
      all.flatMap((e) =>
        e.alerts.map(async (a) => ({
          e,
          a,
          text: formatAlertText(await messageOf(e, a.escalation, a.createdAt), { timeZone: deps.timeZone }),
        })),
      ),
    )
    rows.sort((x, y) => y.a.createdAt.localeCompare(x.a.createdAt))
    return c.html(
      <Page title="告警记录 Outbox" lang="zh" path="/emergencies/outbox">
        <h1>告警记录 · Alert outbox</h1>
        <p class="meta">
          每条告警的内容和各渠道的投递情况。Every alert raised and where it went. <a href="/emergencies">应急看板 Board</a>
        </p>
        {rows.length === 0 && <p>还没有告警。No alerts yet.</p>}
        {rows.map(({ e, a, text }) => (
          <section class="panel">
            <p>
              <strong>{a.id}</strong> · {names.get(e.unitId) ?? e.unitId} · {time(a.createdAt)}
              {a.escalation > 0 ? ` · 第${a.escalation}次升级` : ''}
            </p>
            <pre style="white-space:pre-wrap;word-break:break-all">{text}</pre>
            <table>
              <tr>
                <th>渠道 Channel</th>
                <th>状态 State</th>
                <th>次数 Tries</th>
                <th>送达 Delivered</th>
              </tr>
              {e.deliveries
                .filter((d) => d.alertId === a.id)
                .map((d) => (
                  <tr>
                    <td>{d.channel}</td>
                    <td>
                      {d.state}
                      {d.error ? ` (${d.error})` : ''}
                      {d.mergedInto ? ` · merged ${d.mergedInto}` : ''}
                    </td>
                    <td>{d.attempts}</td>
                    <td>{d.deliveredAt ? `${time(d.deliveredAt)} (${d.latencyMs ?? 0} ms)` : ''}</td>
                  </tr>
                ))}
            </table>
          </section>
        ))}
      </Page>,
    )
  })

  const ack = new Hono<AppEnv>()
  ack.use(...guard)

  const refused = async (c: Context<AppEnv>, reason: string) => {
    // An expired link was a real one: only a malformed or forged link counts as a guess.
    if (reason !== 'expired') await c.get('guard').refused(c, undefined)
    return c.html(
      <Page title="链接无效" lang="zh" path={c.req.path}>
        <h1>链接无效或已过期 · This link is not valid</h1>
        <p>
          {reason === 'expired' ? '确认链接已过期。' : '确认链接无效。'}请在应急看板上确认，或联系办公室。
          {reason === 'expired' ? ' The acknowledge link has expired.' : ' The acknowledge link is not valid.'} Use the emergency board or
          call the office.
        </p>
      </Page>,
      403,
    )
  }

  ack.get('/:token', async (c) => {
    const check = checkAckToken(c.req.param('token'), alerts.ackKey, deps.clock.now())
    if (!check.ok) return refused(c, check.reason)
    const e = await alerts.emergencies.get(check.emergencyId)
    if (!e) return refused(c, 'forged')
    const m = await messageOf(e)
    return c.html(
      <Page title="确认应急告警" lang="zh" path={c.req.path}>
        <h1>确认收到 · Acknowledge</h1>
        <Card e={e} m={m} actions={false} />
        {e.status === 'open' ? (
          <form method="post" action={c.req.path}>
            <label class="label" for="by">
              您的姓名 · Your name
            </label>
            <input class="input" id="by" name="by" maxlength={MAX_NAME_CHARS} autocomplete="name" value={rememberedName(c)} />
            <p>
              <button class="button button-danger" type="submit">
                确认收到，停止升级 · Acknowledge
              </button>
            </p>
          </form>
        ) : (
          <p>
            已由 {e.acknowledgedBy} 于 {time(e.acknowledgedAt)} 确认。Already acknowledged.
          </p>
        )}
      </Page>,
    )
  })

  ack.post('/:token', async (c) => {
    const check = checkAckToken(c.req.param('token'), alerts.ackKey, deps.clock.now())
    if (!check.ok) return refused(c, check.reason)
    const form = await c.req.parseBody()
    const by = nameFrom(c, form) ?? (rememberedName(c) || '告警链接')
    const e = await actOnEmergency(alerts.emergencies, {
      id: check.emergencyId,
      action: 'ack',
      by,
      at: deps.clock.now(),
      policy: alerts.policy,
    })
    alerts.onChanged?.()
    return c.html(
      <Page title="已确认" lang="zh" path={c.req.path}>
        <div class="panel">
          <h1>已确认 · Acknowledged</h1>
          <p>
            {e.acknowledgedBy} · {time(e.acknowledgedAt)}。升级已停止。Escalation stopped.
          </p>
        </div>
      </Page>,
    )
  })

  return { board, ack }
}
