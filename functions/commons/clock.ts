// Time in the organisation's zone: dates and deadlines are local, never UTC.
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** Whether `tz` is a time zone this runtime knows (an IANA name such as Asia/Shanghai). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>()
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
    formatters.set(timeZone, f)
  }
  return f
}

// The parts change once a second; a busy server asks for the same second many times over
// (formatToParts is the dearest step of a submission's date handling), so the last answer is kept.
let lastParts: { second: number; timeZone: string; parts: Readonly<Record<string, string>> } | undefined

function parts(at: Date, timeZone: string): Readonly<Record<string, string>> {
  const second = Math.floor(at.getTime() / 1000)
  if (lastParts?.second === second && lastParts.timeZone === timeZone) return lastParts.parts
  const fresh = Object.freeze(
    Object.fromEntries(
      formatter(timeZone)
        .formatToParts(at)
        .map((p) => [p.type, p.value]),
    ),
  )
  lastParts = { second, timeZone, parts: fresh }
  return fresh
}

/** YYYY-MM-DD of `at` in `timeZone`. */
export function localDate(at: Date, timeZone: string): string {
  const p = parts(at, timeZone)
  return `${p.year}-${p.month}-${p.day}`
}

/** `YYYY-MM-DD HH:MM:SS` of `at` in `timeZone`, for people. */
export function localDateTime(at: Date, timeZone: string): string {
  const p = parts(at, timeZone)
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`
}

/** Whole days from date `a` to date `b` (both YYYY-MM-DD). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000)
}

/** The date `days` after `date` (YYYY-MM-DD; negative goes back). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

export const isIsoDate = (s: string): boolean =>
  /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && addDays(s, 0) === s

/** The instant at which the wall clock in `timeZone` shows `date` `time` (HH:MM). */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const wall = Date.parse(`${date}T${time}:00Z`)
  // Two rounds settle the offset, also across a daylight-saving change.
  let guess = wall
  for (let i = 0; i < 2; i++) {
    const p = parts(new Date(guess), timeZone)
    const shown = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second))
    guess += wall - shown
  }
  return new Date(guess)
}
