// Emergency pages, in the reader's language (`?lang=`, then Accept-Language). The board
// (/emergencies): open emergencies first, one compact card each (the rest one tap away), phone
// numbers as `tel:` links, acknowledge and resolve with the person's name; office sign-in. The
// pages' script (client/board.ts) refreshes the list in place and waits while someone types; with
// JavaScript off a link reloads it. The one-tap acknowledge page (/ack/<signed token>): reached
// from the alert, no login; opening it changes nothing (chat apps open links to preview them), the
// button does. The outbox (/emergencies/outbox): every alert raised, its text and where it went.
import { type Context, Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { formatAlertText } from '../channels/format.ts'
import type { AlertMessage } from '../channels/message.ts'
import { localDateTime } from '../clock.ts'
import { checkName } from '../decided-by.ts'
import { ackUrl, checkAckToken, signAckToken } from '../emergencies/ack-link.ts'
import { actOnEmergency, alertedOf, channelOf, type EmergencyAction, emergenciesOfUnit, unitNamesOf } from '../emergencies/actions.ts'
import { categoryLabel, composeAlert, summaryOf } from '../emergencies/compose.ts'
import { type Emergency, EmergencyNotFoundError, emergencyIdFor, SEVERITY_LABEL, STATUS_LABEL } from '../emergencies/emergency.ts'
import type { Field, FormDefinition } from '../forms/definition.ts'
import { specOf } from '../forms/field-types.ts'
import { type Lang, wordsOf } from '../i18n.ts'
import { officeSession } from './auth.tsx'
import { clientScript } from './client-bundle.ts'
import type { AlertAppDeps, AppDeps, AppEnv } from './deps.ts'
import { limitBody } from './errors.tsx'
import { rememberLanguage } from './language.ts'
import { FieldValue, Page } from './layout.tsx'
import { NameField, rememberedName, rememberName } from './name-field.tsx'

const REFRESH_S = 15
const RESOLVED_SHOWN = 20
const OUTBOX_SHOWN = 50
/** a unit's newest emergencies on its home page (all of them through the API) */
const UNIT_SHOWN = 10
/** The field that says where (forms name it `location`). */
const PLACE_FIELD = 'location'

const words = {
  board: { zh: '应急值守', en: 'Emergencies' },
  open: { zh: '待确认 {n}', en: '{n} open' },
  inProgress: { zh: '处理中 {n}', en: '{n} in progress' },
  updated: { zh: '更新于 {time}', en: 'updated {time}' },
  reload: { zh: '刷新', en: 'Reload' },
  autoRefresh: { zh: '每 {s} 秒自动刷新，输入时暂停', en: 'refreshes every {s} s, not while you type' },
  outbox: { zh: '告警记录', en: 'Alert outbox' },
  none: { zh: '当前没有待处理的应急事件。', en: 'No open emergencies.' },
  recentlyResolved: { zh: '最近已解决', en: 'Recently resolved' },
  ack: { zh: '确认收到', en: 'Acknowledge' },
  ackStop: { zh: '确认收到，停止升级', en: 'Acknowledge and stop escalation' },
  resolve: { zh: '标记已解决', en: 'Mark resolved' },
  details: { zh: '详情', en: 'Details' },
  submitted: { zh: '提交时间', en: 'Submitted' },
  acknowledged: { zh: '确认', en: 'Acknowledged' },
  resolved: { zh: '解决', en: 'Resolved' },
  byAt: { zh: '{name} · {at}', en: '{name}, {at}' },
  escalated: { zh: '已升级 {n} 次', en: 'Escalated {n} times' },
  contact: { zh: '联系人', en: 'Contact' },
  justNow: { zh: '刚刚', en: 'just now' },
  minutesAgo: { zh: '{n} 分钟前', en: '{n} min ago' },
  hoursAgo: { zh: '{n} 小时前', en: '{n} h ago' },
  daysAgo: { zh: '{n} 天前', en: '{n} days ago' },
  noSuchEmergency: { zh: '没有这条应急请求', en: 'No such emergency' },
  unknownAction: { zh: '未知操作', en: 'Unknown action' },
  ackTitle: { zh: '确认应急告警', en: 'Acknowledge an emergency' },
  alreadyAcked: { zh: '已由 {name} 于 {at} 确认。', en: 'Already acknowledged by {name} at {at}.' },
  acked: { zh: '已确认', en: 'Acknowledged' },
  escalationStopped: { zh: '{name} · {at}。升级已停止。', en: '{name}, {at}. Escalation has stopped.' },
  linkInvalid: { zh: '链接无效或已过期', en: 'This link is not valid' },
  linkExpired: {
    zh: '确认链接已过期。请在应急看板上确认，或联系办公室。',
    en: 'The acknowledge link has expired. Use the board or call the office.',
  },
  linkForged: {
    zh: '确认链接无效。请在应急看板上确认，或联系办公室。',
    en: 'The acknowledge link is not valid. Use the board or call the office.',
  },
  outboxIntro: { zh: '每条告警的内容和各渠道的投递情况。', en: 'Every alert raised and where it went.' },
  toBoard: { zh: '应急看板', en: 'Emergency board' },
  noAlerts: { zh: '还没有告警。', en: 'No alerts yet.' },
  escalationN: { zh: '第 {n} 次升级', en: 'escalation {n}' },
  channel: { zh: '渠道', en: 'Channel' },
  state: { zh: '状态', en: 'State' },
  tries: { zh: '次数', en: 'Tries' },
  deliveredAt: { zh: '送达时间', en: 'Delivered' },
  pending: { zh: '待发送', en: 'Pending' },
  delivered: { zh: '已送达', en: 'Delivered' },
  failed: { zh: '失败', en: 'Failed' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
  merged: { zh: '合并发送：{id}', en: 'sent merged: {id}' },
} satisfies Record<string, Record<Lang, string>>
const w = wordsOf(words)

const statusClass = (e: Emergency) => (e.status === 'open' ? 'tag tag-missing' : e.status === 'acknowledged' ? 'tag tag-late' : 'tag')

/** A dialable number: what a phone's dialler takes from a `tel:` link. */
const telHref = (phone: string) => `tel:${phone.replace(/[^\d+]/g, '')}`

function ageOf(createdAt: string, now: Date, lang: Lang): string {
  const minutes = Math.floor((now.getTime() - Date.parse(createdAt)) / 60_000)
  if (minutes < 1) return w(lang, 'justNow')
  if (minutes < 60) return w(lang, 'minutesAgo', { n: minutes })
  if (minutes < 48 * 60) return w(lang, 'hoursAgo', { n: Math.floor(minutes / 60) })
  return w(lang, 'daysAgo', { n: Math.floor(minutes / 1440) })
}

/** What a card shows: the headline and who to call up front; every other answer behind a tap. */
interface CardData {
  e: Emergency
  unitName: string
  category: string
  summary: string
  place?: string
  contact?: { name?: string; phone?: string }
  rest: { label: string; value: string; phone: boolean; field: Field; stored: unknown }[]
}

function cardData(
  e: Emergency,
  form: FormDefinition | undefined,
  values: Record<string, unknown>,
  about: Pick<CardData, 'unitName' | 'category'>,
  lang: Lang,
): CardData {
  const { unitName, category } = about
  if (!form) return { e, unitName, category, summary: e.category, rest: [] }
  const summary = summaryOf(form, values, lang)
  const text = (id: string) => {
    const field = form.fields.find((f) => f.id === id)
    const value = values[id]
    return field && value !== undefined && value !== null && value !== '' ? String(specOf(field).cell(field, value, lang)) : undefined
  }
  const nameField = form.fields.find((f) => f.type === 'text' && f.autocomplete === 'name')
  const phoneField = form.fields.find((f) => f.type === 'phone')
  const shown = new Set<string>([PLACE_FIELD, nameField?.id ?? '', phoneField?.id ?? ''])
  for (const trigger of form.alerts) if ('categoryField' in trigger) shown.add(trigger.categoryField).add(trigger.severityField)
  const contactName = nameField && text(nameField.id)
  const contactPhone = phoneField && text(phoneField.id)
  const place = text(PLACE_FIELD)
  const rest = form.fields
    .filter((f) => !shown.has(f.id))
    .map((f) => ({ label: f.label[lang], value: text(f.id) ?? '', phone: f.type === 'phone', field: f, stored: values[f.id] }))
    // The headline already says it (a short description): not twice.
    .filter((r) => r.value !== '' && !summary.includes(r.value))
  return {
    e,
    unitName,
    category,
    summary,
    ...(place ? { place } : {}),
    ...(contactName || contactPhone
      ? { contact: { ...(contactName ? { name: contactName } : {}), ...(contactPhone ? { phone: contactPhone } : {}) } }
      : {}),
    rest,
  }
}

const Phone = ({ phone }: { phone: string }) => <a href={telHref(phone)}>{phone}</a>

interface CardProps {
  card: CardData
  lang: Lang
  now: Date
  time: (iso: string | undefined) => string
  /** the board's acknowledge / resolve form, with the name this browser remembers */
  actions?: { name: string; error?: string | undefined }
  /** the details shown unfolded (the acknowledge page) */
  open?: boolean
}

function Card({ card, lang, now, time, actions, open }: CardProps) {
  const { e } = card
  return (
    <section class="panel card" style={e.status === 'open' ? 'border-color:#d4351c' : ''} id={e.id} aria-labelledby={`${e.id}-h`}>
      <h2 id={`${e.id}-h`} class="card-head">
        <span class={statusClass(e)}>{STATUS_LABEL[e.status][lang]}</span>{' '}
        <span class="tag tag-late">{SEVERITY_LABEL[e.severity][lang]}</span> {card.category}
      </h2>
      <p class="card-line">
        <strong>{card.unitName}</strong>
        {card.place && ` · ${card.place}`} · {ageOf(e.createdAt, now, lang)}
      </p>
      <p class="card-line">{card.summary}</p>
      {card.contact && (
        <p class="card-line">
          {w(lang, 'contact')} {card.contact.name} {card.contact.phone && <Phone phone={card.contact.phone} />}
        </p>
      )}
      <details open={open}>
        <summary>{w(lang, 'details')}</summary>
        <table>
          <tbody>
            {card.rest.map((r) => (
              <tr>
                <th scope="row">{r.label}</th>
                <td style="white-space:pre-wrap">
                  {r.phone ? <Phone phone={r.value} /> : <FieldValue field={r.field} value={r.stored} lang={lang} photoBase="" />}
                </td>
              </tr>
            ))}
            <tr>
              <th scope="row">{w(lang, 'submitted')}</th>
              <td>{time(e.createdAt)}</td>
            </tr>
            {e.acknowledgedAt && (
              <tr>
                <th scope="row">{w(lang, 'acknowledged')}</th>
                <td>{w(lang, 'byAt', { name: e.acknowledgedBy ?? '', at: time(e.acknowledgedAt) })}</td>
              </tr>
            )}
            {e.resolvedAt && (
              <tr>
                <th scope="row">{w(lang, 'resolved')}</th>
                <td>{w(lang, 'byAt', { name: e.resolvedBy ?? '', at: time(e.resolvedAt) })}</td>
              </tr>
            )}
            {e.escalations > 0 && (
              <tr>
                <th scope="row">{w(lang, 'escalated', { n: e.escalations })}</th>
                <td>{time(e.alerts.at(-1)?.createdAt)}</td>
              </tr>
            )}
          </tbody>
        </table>
      </details>
      {e.status === 'acknowledged' && !open && (
        <p class="card-line meta">{w(lang, 'byAt', { name: e.acknowledgedBy ?? '', at: time(e.acknowledgedAt) })}</p>
      )}
      {actions && e.status !== 'resolved' && (
        <form method="post" action={`/emergencies/${e.id}`} style="margin-top:1rem">
          <NameField id={`by-${e.id}`} lang={lang} value={actions.name} error={actions.error} />
          <p>
            {e.status === 'open' && (
              <button class="button button-danger" name="action" value="ack" type="submit">
                {w(lang, 'ack')}
              </button>
            )}{' '}
            <button class="button" name="action" value="resolve" type="submit">
              {w(lang, 'resolve')}
            </button>
          </p>
        </form>
      )}
    </section>
  )
}

/** The board and outbox (mount at /emergencies) and the acknowledge page (mount at /ack). */
export function createEmergencyPages(deps: AppDeps, alerts: AlertAppDeps): { board: Hono<AppEnv>; ack: Hono<AppEnv> } {
  const guard = [csrf(), limitBody(4096), rememberLanguage] as const
  const time = (iso: string | undefined) => (iso ? localDateTime(new Date(iso), deps.timeZone) : '')

  async function cardOf(e: Emergency, lang: Lang, names?: Map<string, string>): Promise<CardData> {
    const [versions, unitName] = await Promise.all([
      deps.stores.records.versions(e.recordId),
      names ? names.get(e.unitId) : deps.stores.units.get(e.unitId).then((u) => u?.name),
    ])
    const about = { unitName: unitName ?? e.unitId, category: categoryLabel(deps.forms, e.category)[lang] }
    return cardData(e, deps.forms.get(e.formId), versions.at(-1)?.values ?? {}, about, lang)
  }

  /** What the alert said, rebuilt from the record, in the alerts' language: the outbox shows what was sent. */
  async function messageOf(e: Emergency, escalation: number, createdAt: string, unitName: string): Promise<AlertMessage> {
    const versions = await deps.stores.records.versions(e.recordId)
    const token = signAckToken(e.id, new Date(Date.parse(createdAt) + alerts.ackTtlS * 1000), alerts.ackKey)
    return composeAlert({
      emergency: e,
      escalation,
      createdAt,
      form: deps.forms.get(e.formId),
      record: versions.at(-1),
      unitName,
      forms: deps.forms,
      ackUrl: ackUrl(deps.publicUrl, token),
      lang: alerts.lang,
    })
  }

  const board = new Hono<AppEnv>()
  board.use(...guard, officeSession(deps))

  async function renderBoard(c: Context<AppEnv>, problem?: { id: string; message: string }) {
    const lang = c.get('lang')
    const now = deps.clock.now()
    const [all, names] = await Promise.all([alerts.emergencies.list(), unitNamesOf(deps.stores.units)])
    const active = all.filter((e) => e.status !== 'resolved').sort((a, b) => (a.status === b.status ? 0 : a.status === 'open' ? -1 : 1))
    const resolved = all.filter((e) => e.status === 'resolved').slice(0, RESOLVED_SHOWN)
    const cards = new Map(await Promise.all([...active, ...resolved].map(async (e) => [e.id, await cardOf(e, lang, names)] as const)))
    const open = active.filter((e) => e.status === 'open').length
    const name = rememberedName(c)
    const script = (await clientScript(deps.log))?.path
    return c.html(
      <Page title={`${w(lang, 'board')} (${open})`} lang={lang} path="/emergencies" script={script} office>
        <h1>{w(lang, 'board')}</h1>
        <div id="board" data-refresh-s={String(REFRESH_S)}>
          <p class="meta">
            <strong>{w(lang, 'open', { n: open })}</strong> · {w(lang, 'inProgress', { n: active.length - open })} ·{' '}
            {w(lang, 'updated', { time: localDateTime(now, deps.timeZone).slice(11, 16) })} · <a href="/emergencies">{w(lang, 'reload')}</a>{' '}
            <span id="board-auto" hidden>
              ({w(lang, 'autoRefresh', { s: REFRESH_S })})
            </span>{' '}
            · <a href="/emergencies/outbox">{w(lang, 'outbox')}</a>
          </p>
          {active.length === 0 && <p>{w(lang, 'none')}</p>}
          {active.map((e) => (
            <Card
              card={cards.get(e.id) as CardData}
              lang={lang}
              now={now}
              time={time}
              actions={{ name, error: problem?.id === e.id ? problem.message : undefined }}
            />
          ))}
          {resolved.length > 0 && <h2>{w(lang, 'recentlyResolved')}</h2>}
          {resolved.map((e) => (
            <Card card={cards.get(e.id) as CardData} lang={lang} now={now} time={time} />
          ))}
        </div>
      </Page>,
      problem ? 422 : 200,
    )
  }

  board.get('/', (c) => renderBoard(c))

  board.post('/:id', async (c) => {
    const lang = c.get('lang')
    const id = c.req.param('id')
    const form = await c.req.parseBody()
    const action = form.action === 'ack' || form.action === 'resolve' ? (form.action as EmergencyAction) : undefined
    if (!action) return c.text(w(lang, 'unknownAction'), 422)
    if (!(await alerts.emergencies.get(id))) return c.text(w(lang, 'noSuchEmergency'), 404)
    const name = checkName(form.by, lang)
    if (!name.ok) return renderBoard(c, { id, message: name.message })
    rememberName(c, name.name)
    try {
      await actOnEmergency(alerts.emergencies, { id, action, by: name.name, at: deps.clock.now(), policy: alerts.policy })
    } catch (error) {
      if (error instanceof EmergencyNotFoundError) return c.text(w(lang, 'noSuchEmergency'), 404)
      throw error
    }
    alerts.onChanged?.()
    return c.redirect(`/emergencies#${id}`, 303)
  })

  board.get('/outbox', async (c) => {
    const lang = c.get('lang')
    const all = (await alerts.emergencies.list()).slice(0, OUTBOX_SHOWN)
    const names = await unitNamesOf(deps.stores.units)
    const rows = await Promise.all(
      all.flatMap((e) =>
        e.alerts.map(async (a) => ({
          e,
          a,
          text: formatAlertText(await messageOf(e, a.escalation, a.createdAt, names.get(e.unitId) ?? e.unitId), {
            timeZone: deps.timeZone,
          }),
        })),
      ),
    )
    rows.sort((x, y) => y.a.createdAt.localeCompare(x.a.createdAt))
    return c.html(
      <Page title={w(lang, 'outbox')} lang={lang} path="/emergencies/outbox" office>
        <h1>{w(lang, 'outbox')}</h1>
        <p class="meta">
          {w(lang, 'outboxIntro')} <a href="/emergencies">{w(lang, 'toBoard')}</a>
        </p>
        {rows.length === 0 && <p>{w(lang, 'noAlerts')}</p>}
        {rows.map(({ e, a, text }) => (
          <section class="panel" aria-label={a.id}>
            <p>
              <strong>{names.get(e.unitId) ?? e.unitId}</strong> · {time(a.createdAt)}
              {a.escalation > 0 ? ` · ${w(lang, 'escalationN', { n: a.escalation })}` : ''}
            </p>
            <p class="meta">{a.id}</p>
            <pre lang={alerts.lang === 'zh' ? 'zh-CN' : 'en'} style="white-space:pre-wrap;word-break:break-all">
              {text}
            </pre>
            <table style="font-size:.9rem">
              <thead>
                <tr>
                  <th scope="col">{w(lang, 'channel')}</th>
                  <th scope="col">{w(lang, 'state')}</th>
                  <th scope="col">{w(lang, 'tries')}</th>
                  <th scope="col">{w(lang, 'deliveredAt')}</th>
                </tr>
              </thead>
              <tbody>
                {e.deliveries
                  .filter((d) => d.alertId === a.id)
                  .map((d) => (
                    <tr>
                      <td style="overflow-wrap:anywhere">
                        {channelOf(d.channel, lang).label}
                        {d.channel.includes(' ') && <div class="meta">{d.channel}</div>}
                      </td>
                      <td>
                        {w(lang, d.state)}
                        {d.error ? ` (${d.error})` : ''}
                        {d.mergedInto ? ` · ${w(lang, 'merged', { id: d.mergedInto })}` : ''}
                      </td>
                      <td>{d.attempts}</td>
                      <td>{d.deliveredAt ? `${time(d.deliveredAt)} (${d.latencyMs ?? 0} ms)` : ''}</td>
                    </tr>
                  ))}
              </tbody>
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
    const lang = c.get('lang')
    return c.html(
      <Page title={w(lang, 'linkInvalid')} lang={lang} path={c.req.path}>
        <h1>{w(lang, 'linkInvalid')}</h1>
        <p>{w(lang, reason === 'expired' ? 'linkExpired' : 'linkForged')}</p>
      </Page>,
      403,
    )
  }

  async function ackPage(c: Context<AppEnv>, e: Emergency, error?: string) {
    const lang = c.get('lang')
    const card = await cardOf(e, lang)
    return c.html(
      <Page title={w(lang, 'ackTitle')} lang={lang} path={c.req.path}>
        <h1>{w(lang, 'ackTitle')}</h1>
        <Card card={card} lang={lang} now={deps.clock.now()} time={time} open />
        {e.status === 'open' ? (
          <form method="post" action={c.req.path}>
            <NameField id="by" lang={lang} value={rememberedName(c)} error={error} />
            <p>
              <button class="button button-danger" type="submit">
                {w(lang, 'ackStop')}
              </button>
            </p>
          </form>
        ) : (
          <p>{w(lang, 'alreadyAcked', { name: e.acknowledgedBy ?? '', at: time(e.acknowledgedAt) })}</p>
        )}
      </Page>,
      error ? 422 : 200,
    )
  }

  ack.get('/:token', async (c) => {
    const check = checkAckToken(c.req.param('token'), alerts.ackKey, deps.clock.now())
    if (!check.ok) return refused(c, check.reason)
    const e = await alerts.emergencies.get(check.emergencyId)
    return e ? ackPage(c, e) : refused(c, 'forged')
  })

  ack.post('/:token', async (c) => {
    const lang = c.get('lang')
    const check = checkAckToken(c.req.param('token'), alerts.ackKey, deps.clock.now())
    if (!check.ok) return refused(c, check.reason)
    const current = await alerts.emergencies.get(check.emergencyId)
    if (!current) return refused(c, 'forged')
    const name = checkName((await c.req.parseBody()).by, lang)
    if (!name.ok) return ackPage(c, current, name.message)
    rememberName(c, name.name)
    const e = await actOnEmergency(alerts.emergencies, {
      id: check.emergencyId,
      action: 'ack',
      by: name.name,
      at: deps.clock.now(),
      policy: alerts.policy,
    })
    alerts.onChanged?.()
    return c.html(
      <Page title={w(lang, 'acked')} lang={lang} path={c.req.path}>
        <div class="panel" role="status">
          <h1>{w(lang, 'acked')}</h1>
          <p>{w(lang, 'escalationStopped', { name: e.acknowledgedBy ?? '', at: time(e.acknowledgedAt) })}</p>
        </div>
      </Page>,
    )
  })

  return { board, ack }
}

const unitWords = wordsOf({
  myEmergencies: { zh: '本单位的应急请求', en: 'Your emergency requests' },
  noEmergencies: { zh: '暂无应急请求。', en: 'No emergency requests yet.' },
  ackedBy: { zh: '{name} 于 {at} 确认', en: 'acknowledged by {name} at {at}' },
  resolvedBy: { zh: '{name} 于 {at} 标记已解决', en: 'resolved by {name} at {at}' },
  waiting: { zh: '等待应急工作组确认', en: 'waiting for the emergency group' },
  alerted: { zh: '已通知：{list}', en: 'Alerted: {list}' },
  alerting: {
    zh: '正在通知应急工作组，稍后刷新本页可查看通知了谁。',
    en: 'The emergency group is being alerted; reload this page in a moment to see who.',
  },
  notDelivered: { zh: '（尚未送达）', en: ' (not through yet)' },
} satisfies Record<string, Record<Lang, string>>)

/** Where an emergency stands, as its unit reads it: 待确认, or 已确认 / 已解决 by whom and when. */
function UnitStatus({ e, lang, timeZone }: { e: Emergency; lang: Lang; timeZone: string }) {
  const at = (iso: string | undefined) => (iso ? localDateTime(new Date(iso), timeZone).slice(0, 16) : '')
  return (
    <>
      <span class={statusClass(e)}>{STATUS_LABEL[e.status][lang]}</span>{' '}
      <span class="meta">
        {e.status === 'open' && unitWords(lang, 'waiting')}
        {e.status === 'acknowledged' && unitWords(lang, 'ackedBy', { name: e.acknowledgedBy ?? '', at: at(e.acknowledgedAt) })}
        {e.status === 'resolved' && unitWords(lang, 'resolvedBy', { name: e.resolvedBy ?? '', at: at(e.resolvedAt) })}
      </span>
    </>
  )
}

/** A unit's newest emergency requests with their status, for the unit home page. */
export async function UnitEmergencies(props: { deps: AppDeps; alerts: AlertAppDeps; unitId: string; base: string; lang: Lang }) {
  const { deps, alerts, unitId, base, lang } = props
  const mine = (await emergenciesOfUnit(alerts.emergencies, unitId)).slice(0, UNIT_SHOWN)
  return (
    <section aria-labelledby="my-emergencies">
      <h2 id="my-emergencies">{unitWords(lang, 'myEmergencies')}</h2>
      {mine.length === 0 && <p class="meta">{unitWords(lang, 'noEmergencies')}</p>}
      <ul class="forms">
        {mine.map((e) => (
          <li>
            <a href={`${base}/records/${encodeURIComponent(e.recordId)}`}>
              <strong>{categoryLabel(deps.forms, e.category)[lang]}</strong>
            </a>{' '}
            <span class="meta">
              {SEVERITY_LABEL[e.severity][lang]} · {localDateTime(new Date(e.createdAt), deps.timeZone).slice(0, 16)}
            </span>
            <div>
              <UnitStatus e={e} lang={lang} timeZone={deps.timeZone} />
            </div>
          </li>
        ))}
      </ul>
    </section>
  )
}

/** On the confirmation of an emergency request: whom the alert reached, and where it stands. */
export async function AlertedNotice(props: { alerts: AlertAppDeps; recordId: string; timeZone: string; lang: Lang }) {
  const { alerts, recordId, timeZone, lang } = props
  const e = await alerts.emergencies.get(emergencyIdFor(recordId))
  const alerted = e ? alertedOf(e, lang) : []
  const sep = lang === 'zh' ? '、' : ', '
  return (
    <div class="panel" style="border-color:#d4351c">
      {alerted.length === 0 ? (
        <p style="margin:0">{unitWords(lang, 'alerting')}</p>
      ) : (
        <p style="margin:0">
          {unitWords(lang, 'alerted', {
            list: alerted.map((a) => `${a.label}${a.delivered ? '' : unitWords(lang, 'notDelivered')}`).join(sep),
          })}
        </p>
      )}
      {e && (
        <p style="margin:.3rem 0 0">
          <UnitStatus e={e} lang={lang} timeZone={timeZone} />
        </p>
      )}
    </div>
  )
}
