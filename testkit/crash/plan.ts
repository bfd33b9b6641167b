// The crash run's plan, decided up front from the seed: the roster, which unit submits what
// under which Idempotency-Key, and when the server is killed.
import { addDays, localDate, zonedInstant } from '#commons/clock.ts'

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface PlannedUnit {
  id: string
  name: string
  forms: string[]
  sites?: string[]
}

export interface Submission {
  n: number
  unit: string
  formId: string
  key: string
  body: Record<string, unknown>
  /** whether this submission raises an alert (its record's emergency) */
  alerting: boolean
}

export const TIME_ZONE = 'Asia/Shanghai'
const SITES = ['北湖湿地二期', '西园步道改造']
const CATEGORIES = ['suspected_case', 'supplies_shortage', 'staffing', 'wildlife_dieoff', 'public_opinion', 'safety', 'other']
const SEVERITIES = ['general', 'urgent', 'critical']

export function planUnits(submissions: number): PlannedUnit[] {
  const count = Math.max(6, Math.min(60, Math.round(submissions / 40)))
  return Array.from({ length: count }, (_, i): PlannedUnit => {
    const n = String(i + 1).padStart(2, '0')
    return i % 3 === 2
      ? { id: `crash-site-${n}`, name: `压测工程科 ${n}`, forms: ['daily-health', 'site-daily', 'emergency'], sites: SITES }
      : { id: `crash-park-${n}`, name: `压测公园 ${n}`, forms: ['daily-health', 'wildlife-daily', 'emergency'] }
  })
}

/**
 * Mostly emergencies (each a new record and an alert), and daily reports: today's are corrected
 * again and again (versions of one record per unit and day, or site), and missed days are reported
 * once each (a past day's record is closed after its first report).
 */
export function planSubmissions(seed: number, total: number, units: PlannedUnit[], today: string, dailyAllowed: boolean): Submission[] {
  const rnd = random(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T
  const int = (max: number) => Math.floor(rnd() * (max + 1))
  const pastSlots: { unit: PlannedUnit; formId: string; date: string; site?: string }[] = []
  for (const unit of units) {
    for (let back = 1; back <= 7; back++) {
      const date = addDays(today, -back)
      pastSlots.push({ unit, formId: 'daily-health', date })
      if (unit.sites) for (const site of unit.sites) pastSlots.push({ unit, formId: 'site-daily', date, site })
      else pastSlots.push({ unit, formId: 'wildlife-daily', date })
    }
  }
  for (let i = pastSlots.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    const swap = pastSlots[i] as (typeof pastSlots)[number]
    pastSlots[i] = pastSlots[j] as (typeof pastSlots)[number]
    pastSlots[j] = swap
  }

  const health = (n: number, alerting: boolean) => {
    const staffTotal = 30 + int(30)
    const onDuty = int(staffTotal - 5)
    return {
      staffTotal,
      onDuty,
      remote: int(staffTotal - onDuty),
      returnedFromOutside: int(5),
      homeObservation: 0,
      feverOrRespiratory: 0,
      suspected: alerting ? 1 + int(2) : 0,
      confirmed: 0,
      partnerStaff: 10 + int(10),
      partnerAbnormal: 0,
      publicAreaDisinfected: rnd() < 0.8,
      ...(alerting ? { notes: `第 ${n} 份：一名员工发热，已送医排查` } : {}),
      reporterName: pick(['张伟', '王芳', '李娜', '刘洋']),
      reporterPhone: '13800138000',
    }
  }
  const wildlife = (n: number, alerting: boolean) => ({
    patrols: int(10),
    abnormalFound: alerting,
    ...(alerting
      ? {
          species: '野鸭',
          deadCount: 1 + int(5),
          sickCount: int(3),
          location: `北湖 ${n} 号点`,
          samplingSent: true,
          measures: '已隔离现场并采样送检',
        }
      : {}),
    enforcementChecks: int(4),
    facilitiesDisinfected: rnd() < 0.9,
    reporterName: '李娜',
    reporterPhone: '010-62345678',
  })
  const siteReport = (n: number, site: string) => {
    const workersOnSite = 20 + int(60)
    return {
      site,
      contractor: '市政建设第三工程公司',
      workersOnSite,
      newArrivals: int(5),
      returnedFromOutside: int(5),
      healthChecked: workersOnSite - int(5),
      abnormal: 0,
      reporterName: '王强',
      reporterPhone: '13911112222',
      notes: `第 ${n} 份`,
    }
  }

  const plan: Submission[] = []
  for (let n = 0; n < total; n++) {
    const key = `crash-${seed}-${n}-${Math.floor(rnd() * 0xffffffff).toString(36)}`
    const roll = rnd()
    const unit = pick(units)
    if (!dailyAllowed || roll < 0.45) {
      const category = pick(CATEGORIES)
      plan.push({
        n,
        unit: unit.id,
        formId: 'emergency',
        key,
        alerting: true,
        body: {
          category,
          severity: pick(SEVERITIES),
          location: `${unit.name} ${n} 号门`,
          description: `压测第 ${n} 份应急请求`,
          supplies: [{ item: pick(['N95 口罩', '84 消毒液', '防护服']), quantity: 1 + int(500) }],
          contactName: '赵敏',
          contactPhone: '13700001111',
        },
      })
      continue
    }
    if (roll < 0.55 && pastSlots.length > 0) {
      const slot = pastSlots.pop() as (typeof pastSlots)[number]
      const alerting = slot.formId !== 'site-daily' && rnd() < 0.05
      const body =
        slot.formId === 'daily-health'
          ? health(n, alerting)
          : slot.formId === 'wildlife-daily'
            ? wildlife(n, alerting)
            : siteReport(n, slot.site ?? '')
      plan.push({ n, unit: slot.unit.id, formId: slot.formId, key, alerting, body: { ...body, date: slot.date } })
      continue
    }
    // today's reports, corrected again and again
    const formRoll = rnd()
    if (formRoll < 0.5) {
      const alerting = rnd() < 0.04
      plan.push({ n, unit: unit.id, formId: 'daily-health', key, alerting, body: { ...health(n, alerting), date: today } })
    } else if (unit.sites) {
      plan.push({ n, unit: unit.id, formId: 'site-daily', key, alerting: false, body: { ...siteReport(n, pick(unit.sites)), date: today } })
    } else {
      const alerting = rnd() < 0.04
      plan.push({ n, unit: unit.id, formId: 'wildlife-daily', key, alerting, body: { ...wildlife(n, alerting), date: today } })
    }
  }
  return plan
}

/** Today in the run's time zone, and whether daily reports may be sent: not within the run's reach of local midnight. */
export function planDay(now: Date = new Date()): { today: string; dailyAllowed: boolean } {
  const today = localDate(now, TIME_ZONE)
  // Within the run's reach of local midnight "today" would move and today's corrections would
  // land on a closed day: then every submission is an emergency.
  const untilMidnightMs = zonedInstant(addDays(today, 1), '00:00', TIME_ZONE).getTime() - Date.now()
  return { today, dailyAllowed: untilMidnightMs > 20 * 60_000 }
}

export interface PlannedKill {
  /** acknowledgements since the last start after which to kill, while the load runs */
  target: number
  /** once the load is done: how long after the last start to kill, while the mirror and alerts catch up */
  idleMs: number
}

/** The kill moments, from their own stream of the seed. */
export function planKills(seed: number, submissions: number, kills: number): PlannedKill[] {
  const killRandom = random(seed ^ 0x5eed)
  const perLife = submissions / (kills + 1)
  return Array.from({ length: kills }, () => {
    const target = Math.floor(killRandom() * 1.6 * perLife)
    const idleMs = 100 + killRandom() * 1500
    return { target, idleMs }
  })
}
