// The alert every channel renders. Built once per delivery by the alerter; channels only read it.

export type Severity = 'general' | 'urgent' | 'critical' // 一般 / 紧急 / 特急

export interface AlertMessage {
  /** alert id; the SAME on every retry of one delivery (receivers dedupe on it) */
  id: string
  formId: string
  unitId: string
  unitName: string
  /** e.g. 'suspected_case', 'supplies_shortage', 'staffing', 'wildlife_dieoff', 'public_opinion', 'safety', 'other' */
  category: string
  categoryLabel: { zh: string; en: string }
  severity: Severity
  /** one line, already in the message language */
  summary: string
  /** location, description, supplies needed, contact... already localized; user-written, shown
   * as inert text. `link` is one the system made (a merged message's per-alert ack links). */
  details: { label: string; value: string; link?: { label: string; url: string } }[]
  /** a merged message: each detail is one alert, kept whole or left out (with a note), never cut */
  wholeDetails?: boolean
  /** one-tap acknowledge link */
  ackUrl: string
  /** ISO 8601 */
  createdAt: string
  /** 0 first alert, n for the n-th escalation */
  escalation: number
  lang: 'zh' | 'en'
}
