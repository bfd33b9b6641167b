// A per-unit rate for alerts: one unit (a stolen link, a script, a panicking phone) must not fill
// the emergency group's robots and phones so that another unit's report waits behind it. Every
// alerting submission is stored and shown whatever the rate: refusing a report is never safer for
// an emergency organisation than holding back its chat message. Beyond the rate (UNIT_ALERT_LIMIT
// alerts a unit per 10 minutes, from its first alert after the last window ended, counted in the
// table across processes and instances):
// - the first one over it is alerted as usual, with a line saying that the unit is over its rate
//   and that its further requests are on the board only;
// - the rest reach the board, the sheet, the outbox and JSON endpoints, but not the chat robots
//   or SMS, and escalate nowhere but there (see worker.ts, `everyAlert`);
// - the unit is told so, in its language, in the API's answer and on the record page.
import type { Lang } from '../forms/definition.ts'
import type { Logger } from '../log.ts'
import type { OverRate } from '../model.ts'
import type { AlertRateStore } from '../store.ts'
import { isStoreUnavailable } from '../unavailable.ts'

const WINDOW_MINUTES = 10

/** Whether a record about to raise an alert is beyond its unit's rate (undefined: within it). */
export type AlertRate = (unitId: string, recordId: string, now: Date) => Promise<OverRate | undefined>

export function unitAlertRate(store: AlertRateStore, limit: number, log: Logger): AlertRate {
  const windowMs = WINDOW_MINUTES * 60_000
  return async (unitId, recordId, now) => {
    let place: number | undefined
    try {
      place = await store.admit(unitId, recordId, now, windowMs, limit + 1)
    } catch (error) {
      // The table out of reach: the report cannot be stored either, so say so now (503, retried
      // with its key) rather than after a second wait for the same timeouts.
      if (isStoreUnavailable(error)) throw error
      // Otherwise counting must never cost a report: without a count the alert goes out as usual.
      log.warn('alert rate not counted; alerting as usual', { unitId, error })
      return undefined
    }
    if (place !== undefined && place <= limit) return undefined
    return { kind: place === limit + 1 ? 'first' : 'more', limit, windowMinutes: WINDOW_MINUTES }
  }
}

/** The line the first alert over the rate carries for the emergency group. */
export function overRateNote(lang: Lang, over: OverRate): { label: string; value: string } {
  return lang === 'zh'
    ? {
        label: '告警限额',
        value: `本单位 ${over.windowMinutes} 分钟内告警已超过 ${over.limit} 条：此后的应急请求仍会保存，但只列入应急看板，不再逐条推送，请到看板查看`,
      }
    : {
        label: 'Alert rate',
        value: `this unit raised more than ${over.limit} alerts within ${over.windowMinutes} minutes: its further requests are stored and listed on the board only, not sent one by one`,
      }
}

/** What the unit is told when its submission went beyond the rate (API answer, record page). */
export function overRateMessage(lang: Lang, over: OverRate): string {
  const { limit, windowMinutes: minutes } = over
  if (lang === 'en') {
    return over.kind === 'first'
      ? `Stored, and the emergency group was alerted. Your unit has now raised more than ${limit} alerts within ${minutes} minutes: further requests are still stored and listed on the emergency board, but not sent to the group one by one. If it is urgent, call the emergency group.`
      : `Stored and listed on the emergency board. Your unit raised more than ${limit} alerts within ${minutes} minutes, so this one was not sent to the group on its own (the group was told to look at the board). If it is urgent, call the emergency group.`
  }
  return over.kind === 'first'
    ? `已保存，并已告警应急工作组。本单位 ${minutes} 分钟内的告警已超过 ${limit} 条：此后的应急请求仍会保存并列入应急看板，但不再逐条推送给应急工作组。情况紧急请直接电话联系应急工作组。`
    : `已保存，已列入应急看板。本单位 ${minutes} 分钟内的告警已超过 ${limit} 条，本条不再单独推送（已提示应急工作组查看看板）。情况紧急请直接电话联系应急工作组。`
}
