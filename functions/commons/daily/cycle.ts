// The daily report mechanism (建立日报机制): before each deadline every unit still missing a
// report is reminded on its own channel; at the deadline the leaders get a summary. Run it as
// often as you like (a timer locally, EventBridge on AWS): every notice is claimed in the
// database first, so each goes out once per unit, form and day, across restarts too.
import { createHash } from 'node:crypto'
import { NOTICE_MAX_TEXT_BYTES, type NoticeLine } from '../channels/notice.ts'
import { addDays, localDate, zonedInstant } from '../clock.ts'
import type { FormDefinition } from '../forms/definition.ts'
import type { Unit } from '../model.ts'
import { type SheetWatchDeps, watchSheet } from '../sheet/watch.ts'
import type { NoticeClaim, NoticeStore } from '../store.ts'
import { dayStatus, dayTotals, type FormStatus, type StatusDeps } from './status.ts'

type Audience = { kind: 'unit'; unit: Unit } | { kind: 'office' } | { kind: 'leaders' }

/** A message to people, rendered by each channel. */
export interface Notice {
  /** stable: the same on every retry of one notice (receivers may dedupe on it) */
  id: string
  audience: Audience
  title: string
  lines: NoticeLine[]
  link?: string
  /** what the link is called in chat (default 填报链接) */
  linkLabel?: string
  /** a sheet notice's side: the problem, or the recovery from it */
  state?: 'problem' | 'recovered'
}

/** What one attempt at a notice did: the channels it reached, and what failed. */
interface NoticeDelivery {
  deliveredTo: string[]
  failures: string[]
}

/** Delivers a notice to the audience's channels, except those an earlier attempt reached. */
export interface NoticeSender {
  send(notice: Notice, reached?: readonly string[]): Promise<NoticeDelivery>
}

export interface DailyCycleDeps extends StatusDeps {
  notices: NoticeStore
  sender: NoticeSender
  /** minutes before a deadline when reminders go out */
  reminderLeadMinutes: number
  /** a link that opens the unit's forms (expiring: it travels through chat) */
  unitLink(unit: Unit, expiresAt: Date): string
  /** the leaders' sheet, watched on every run: the office hears when it stops updating */
  sheet?: SheetWatchDeps
}

export interface DailyCycleResult {
  reminders: number
  summaries: number
  failed: number
}

const percent = (part: number, whole: number) => (whole === 0 ? '—' : `${Math.round((part / whole) * 100)}%`)

/** Reporting rate (reported / owed) and on-time rate (on time / owed) of one form's day. */
export function rates(status: FormStatus): { owed: number; reported: number; onTime: number } {
  const owed = status.units.length
  const onTime = status.units.filter((u) => u.status === 'on_time').length
  const reported = onTime + status.units.filter((u) => u.status === 'late').length
  return { owed, reported, onTime }
}

type Claimed = { id: string } & NoticeClaim

async function sendOnce(deps: DailyCycleDeps, notice: Notice, now: Date): Promise<'sent' | 'skipped' | 'failed'> {
  const claim = await deps.notices.claim(notice.id, now)
  if (!claim) return 'skipped'
  return sendClaimed(deps, notice, [{ id: notice.id, ...claim }], now)
}

/**
 * Sends a notice whose claims (one, or one per unit of a merged reminder) are taken. A failed
 * attempt releases them for the next run (each claim keeps its attempt count) with the channels
 * reached so far, which that run skips: a channel that worked does not get the notice again.
 */
async function sendClaimed(deps: DailyCycleDeps, notice: Notice, claims: Claimed[], now: Date): Promise<'sent' | 'failed'> {
  // A channel is skipped only when every unit's claim says it took the notice already.
  const reached = claims.slice(1).reduce((all, c) => all.filter((label) => c.deliveredTo.includes(label)), claims[0]?.deliveredTo ?? [])
  let delivery: NoticeDelivery
  try {
    delivery = await deps.sender.send(notice, reached)
  } catch (error) {
    delivery = { deliveredTo: [], failures: [String(error)] }
  }
  if (delivery.failures.length === 0) {
    await Promise.all(claims.map((c) => deps.notices.markSent(c.id, now)))
    return 'sent'
  }
  await Promise.all(claims.map((c) => deps.notices.markFailed(c.id, [...new Set([...c.deliveredTo, ...delivery.deliveredTo])])))
  return 'failed'
}

const reminderId = (date: string, form: FormDefinition, unit: Unit) => `reminder:${date}:${form.id}:${unit.id}`
// The link works until the end of the next day: long enough for a late report, no longer.
const reminderLink = (deps: DailyCycleDeps, unit: Unit, date: string) =>
  deps.unitLink(unit, zonedInstant(addDays(date, 2), '00:00', deps.timeZone))
const ZERO_REPORT = '全部为 0 也请上报（零报告）。'

function reminder(deps: DailyCycleDeps, form: FormDefinition, unit: Unit, date: string, deadline: string): Notice {
  return {
    id: reminderId(date, form, unit),
    audience: { kind: 'unit', unit },
    title: `【提醒】${form.title.zh}今日 ${deadline} 截止，${unit.name}尚未填报`,
    lines: [`日期：${date}`, `截止：${deadline}（${deps.timeZone}）`, `请点击链接填报；${ZERO_REPORT}`],
    link: reminderLink(deps, unit, date),
  }
}

interface MergedReminder {
  notice: Notice
  units: Unit[]
}

/**
 * The reminders of units without a channel of their own, in as few office messages as fit: one
 * per unit would be a burst beyond a robot's rate (WeCom and DingTalk take 20 a minute, and
 * DingTalk then blocks for 10 minutes). A message holds as many units, each with its own link,
 * as a robot's text takes whole.
 */
function officeReminders(deps: DailyCycleDeps, form: FormDefinition, units: Unit[], date: string, deadline: string): MergedReminder[] {
  const title = (n: number) => `【提醒】${form.title.zh}今日 ${deadline} 截止，${n} 个单位尚未填报`
  const before = [`日期：${date}`, `截止：${deadline}（${deps.timeZone}）`]
  const after = `请转告各单位点击本单位的链接填报；${ZERO_REPORT}`
  const room = NOTICE_MAX_TEXT_BYTES - Buffer.byteLength([title(units.length), ...before, after].join('\n')) - 16
  const batches: { lines: NoticeLine[]; units: Unit[]; bytes: number }[] = []
  for (const unit of units) {
    // The link is the system's: a line of its own kind, so no robot mistakes it for user text.
    const line = { text: `${unit.name}：`, link: { label: '填报链接', url: reminderLink(deps, unit, date) } }
    const bytes = Buffer.byteLength(`${line.text}${line.link.url}`) + 1
    const last = batches.at(-1)
    if (last && last.bytes + bytes <= room) {
      last.lines.push(line)
      last.units.push(unit)
      last.bytes += bytes
    } else batches.push({ lines: [line], units: [unit], bytes })
  }
  return batches.map((batch) => ({
    units: batch.units,
    notice: {
      // The same units give the same id on a retry: receivers may dedupe on it.
      id: `reminders:${date}:${form.id}:${createHash('sha256')
        .update(batch.units.map((u) => u.id).join(','))
        .digest('hex')
        .slice(0, 16)}`,
      audience: { kind: 'office' },
      title: title(batch.units.length),
      lines: [...before, ...batch.lines, after],
    },
  }))
}

async function summary(deps: DailyCycleDeps, form: FormDefinition, status: FormStatus, date: string): Promise<Notice> {
  const { owed, reported, onTime } = rates(status)
  const missing = status.units.filter((u) => u.status === 'missing')
  const units = new Map((await deps.units.list()).map((u) => [u.id, u]))
  const totals = (await dayTotals(deps, date)).filter((t) => t.formId === form.id)
  return {
    id: `summary:${date}:${form.id}`,
    audience: { kind: 'leaders' },
    title: `【日报汇总】${date} ${form.title.zh}：已报 ${reported}/${owed}（${percent(reported, owed)}），按时 ${percent(onTime, owed)}`,
    lines: [
      ...totals.map((t) => `${t.label.zh}：${t.value}`),
      missing.length === 0
        ? '全部单位已报。'
        : `未报（${missing.length}）：${missing
            .map((m) => {
              const contact = units.get(m.unitId)?.contact
              return contact ? `${m.unitName}（${contact.name} ${contact.phone}）` : m.unitName
            })
            .join('；')}`,
    ],
  }
}

/** One run of the daily cycle at `now`: reminders in the window before each deadline, then summaries. */
export async function runDailyCycle(deps: DailyCycleDeps, now: Date): Promise<DailyCycleResult> {
  const date = localDate(now, deps.timeZone)
  const result: DailyCycleResult = { reminders: 0, summaries: 0, failed: 0 }
  const count = (outcome: 'sent' | 'skipped' | 'failed', key: 'reminders' | 'summaries') => {
    if (outcome === 'sent') result[key]++
    if (outcome === 'failed') result.failed++
  }
  const status = await dayStatus(deps, date)
  const units = new Map((await deps.units.list()).map((u) => [u.id, u]))
  for (const formStatus of status.forms) {
    const form = deps.forms.get(formStatus.formId)
    if (!form || formStatus.units.length === 0) continue // nobody owes it: nothing to remind or sum up
    const deadlineAt = zonedInstant(date, formStatus.deadline, deps.timeZone)
    const remindFrom = deadlineAt.getTime() - deps.reminderLeadMinutes * 60_000
    if (now.getTime() >= remindFrom && now < deadlineAt) {
      const missing = formStatus.units.filter((u) => u.status === 'missing').flatMap((u) => units.get(u.unitId) ?? [])
      for (const unit of missing.filter((u) => u.webhook)) {
        count(await sendOnce(deps, reminder(deps, form, unit, date, formStatus.deadline), now), 'reminders')
      }
      // The rest go to the office's channel: claimed one by one, sent merged when more than one.
      const claims = new Map<Unit, Claimed>()
      for (const unit of missing.filter((u) => !u.webhook)) {
        const id = reminderId(date, form, unit)
        const claim = await deps.notices.claim(id, now)
        if (claim) claims.set(unit, { id, ...claim })
      }
      const viaOffice = [...claims.keys()]
      const messages: MergedReminder[] =
        viaOffice.length === 1
          ? viaOffice.map((unit) => ({ notice: reminder(deps, form, unit, date, formStatus.deadline), units: [unit] }))
          : officeReminders(deps, form, viaOffice, date, formStatus.deadline)
      for (const { notice, units: reminded } of messages) {
        const outcome = await sendClaimed(
          deps,
          notice,
          reminded.flatMap((unit) => claims.get(unit) ?? []),
          now,
        )
        if (outcome === 'sent') result.reminders += reminded.length
        else result.failed += reminded.length
      }
    }
    if (now >= deadlineAt) count(await sendOnce(deps, await summary(deps, form, formStatus, date), now), 'summaries')
  }
  if (deps.sheet) await watchSheet(deps.sheet, (notice) => sendOnce(deps, notice, now), now)
  return result
}
