// The words of an alert, from the emergency and the submission that raised it: category,
// severity, unit, what was reported (location, description, supplies, contact…), time and the
// acknowledge link. Also the one message that stands for several when a robot's rate is spent.
import { createHash } from 'node:crypto'
import { capChars } from '../channels/format.ts'
import type { AlertMessage, Severity } from '../channels/message.ts'
import type { FormDefinition, Label, Lang } from '../forms/definition.ts'
import { type CellLinks, specOf } from '../forms/field-types.ts'
import type { FormRegistry } from '../forms/registry.ts'
import type { RecordVersion } from '../model.ts'
import { alertIdOf, type Emergency, SEVERITY_LABEL } from './emergency.ts'
import { overRateNote } from './unit-rate.ts'

const SUMMARY_MAX_CHARS = 120

/** The label of an alert category, from the forms that let users pick one. */
export function categoryLabel(forms: FormRegistry, category: string): Label {
  for (const form of forms.all) {
    for (const trigger of form.alerts) {
      if (!('categoryField' in trigger)) continue
      const field = form.fields.find((f) => f.id === trigger.categoryField)
      const option = field?.type === 'select' ? field.options.find((o) => o.value === category) : undefined
      if (option) return option.label
    }
  }
  return { zh: category, en: category }
}

function fieldText(form: FormDefinition, values: RecordVersion['values'], id: string, lang: Lang, links?: CellLinks): string | undefined {
  const field = form.fields.find((f) => f.id === id)
  const value = values[id]
  if (!field || value === undefined || value === null || value === '') return undefined
  return String(specOf(field).cell(field, value, lang, links))
}

/** One line: the fields that made the submission alert, or the description the submitter wrote. */
export function summaryOf(form: FormDefinition, values: RecordVersion['values'], lang: Lang): string {
  const sep = lang === 'zh' ? '：' : ': '
  const parts: string[] = []
  for (const trigger of form.alerts) {
    if ('when' in trigger) {
      const c = trigger.when
      const ids = 'anyPositive' in c ? c.anyPositive : 'isTrue' in c ? [c.isTrue] : [c.equals.field]
      for (const id of ids) {
        const text = fieldText(form, values, id, lang)
        const field = form.fields.find((f) => f.id === id)
        if (text !== undefined && field) parts.push(`${field.label[lang]} ${text}`)
      }
    }
  }
  if (parts.length === 0) {
    const text = form.fields.find((f) => f.type === 'textarea')
    const description = text ? fieldText(form, values, text.id, lang) : undefined
    if (description) parts.push(description)
  }
  const line = `${form.title[lang]}${sep}${parts.join(lang === 'zh' ? '，' : ', ')}`
  const chars = Array.from(line.replace(/\s+/g, ' '))
  return chars.length <= SUMMARY_MAX_CHARS ? chars.join('') : `${chars.slice(0, SUMMARY_MAX_CHARS - 1).join('')}…`
}

export interface ComposeInput {
  emergency: Emergency
  escalation: number
  /** when this alert was raised (the submission time for the first one) */
  createdAt: string
  form: FormDefinition | undefined
  record: RecordVersion | undefined
  unitName: string
  forms: FormRegistry
  ackUrl: string
  lang: Lang
  /** the app's links in the details: a photo is a link (office sign-in), never the image */
  links?: CellLinks
}

export function composeAlert(input: ComposeInput): AlertMessage {
  const { emergency: e, form, record, lang } = input
  const details =
    form && record
      ? form.fields
          .filter((f) => !form.alerts.some((a) => 'categoryField' in a && (a.categoryField === f.id || a.severityField === f.id)))
          .map((f) => ({ label: f.label[lang], value: fieldText(form, record.values, f.id, lang, input.links) ?? '' }))
          .filter((d) => d.value !== '')
      : []
  const over = record?.alert?.overRate
  if (over?.kind === 'first') details.unshift(overRateNote(lang, over))
  return {
    id: alertIdOf(e.id, input.escalation),
    formId: e.formId,
    unitId: e.unitId,
    unitName: input.unitName,
    category: e.category,
    categoryLabel: categoryLabel(input.forms, e.category),
    severity: e.severity,
    summary: form && record ? summaryOf(form, record.values, lang) : e.category,
    details,
    ackUrl: input.ackUrl,
    createdAt: input.createdAt,
    escalation: input.escalation,
    lang,
  }
}

const RANK: Record<Severity, number> = { general: 0, urgent: 1, critical: 2 }

/** A merged line's words at most: short, so that many alerts fit whole in a robot's message. */
const MERGED_UNIT_CHARS = 30
const MERGED_SUMMARY_CHARS = 40

/**
 * One message standing for several, sent when a robot would refuse more messages this minute.
 * Each alert keeps one whole line with its own acknowledge link, in the order given (the worker
 * puts every unit's first alert before any unit's second, so one unit's flood comes last); what
 * does not fit is left out whole, with a note, and the message links to the board.
 */
export function mergeAlerts(messages: readonly AlertMessage[], boardUrl: string, now: Date): AlertMessage {
  const lang = messages[0]?.lang ?? 'zh'
  const severity = messages.reduce<Severity>((s, m) => (RANK[m.severity] > RANK[s] ? m.severity : s), 'general')
  const n = messages.length
  const ack = lang === 'zh' ? '确认' : 'ack'
  return {
    id: `merged-${createHash('sha256')
      .update(messages.map((m) => m.id).join(','))
      .digest('hex')
      .slice(0, 20)}`,
    formId: 'merged',
    unitId: 'merged',
    unitName:
      lang === 'zh' ? `${new Set(messages.map((m) => m.unitId)).size} 个单位` : `${new Set(messages.map((m) => m.unitId)).size} units`,
    category: 'merged',
    categoryLabel: { zh: `${n} 条告警合并发送`, en: `${n} alerts in one message` },
    severity,
    summary:
      lang === 'zh'
        ? `短时间内有 ${n} 条告警，合并为一条发送（机器人限速）`
        : `${n} alerts within a minute, sent as one (robot rate limit)`,
    details: messages.map((m) => ({
      label: `${SEVERITY_LABEL[m.severity][lang]} ${capChars(m.unitName, MERGED_UNIT_CHARS)}${m.escalation > 0 ? (lang === 'zh' ? ` 第${m.escalation}次升级` : ` escalation ${m.escalation}`) : ''}`,
      value: `${m.categoryLabel[lang]} · ${capChars(m.summary, MERGED_SUMMARY_CHARS)}`,
      link: { label: ack, url: m.ackUrl },
    })),
    wholeDetails: true,
    ackUrl: boardUrl,
    createdAt: now.toISOString(),
    escalation: Math.max(...messages.map((m) => m.escalation)),
    lang,
  }
}
