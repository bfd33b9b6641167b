// SMS to the emergency group's phones through a provider's template API (Alibaba Cloud SMS: the
// adapter is adapters/aliyun-sms.ts). Carriers in mainland China deliver only approved templates,
// so the alert travels as four template variables the office put into its approved template:
//
//   ${severity}  特急 / 紧急 / 一般, with 第N次升级 for an escalation
//   ${unit}      the unit's name
//   ${category}  what kind of emergency
//   ${summary}   the one-line summary
//
// e.g. 应急告警（${severity}）：${unit}报告${category}：${summary}。请打开应急看板确认：https://forms.example.cn/emergencies
//
// Each variable is user text made inert (user-text.ts: one line, links defanged, no 【】 that could
// pass for a signature) and cut to Alibaba's default limit of 35 characters a variable. The
// acknowledge link (about 100 characters) cannot be a variable: the board link is written into
// the template itself.
import { SEVERITY_LABEL } from '../emergencies/emergency.ts'
import type { DeliveryResult } from './deliver.ts'
import { capChars } from './format.ts'
import type { AlertMessage } from './message.ts'
import type { AlertChannel } from './targets.ts'
import { userText } from './user-text.ts'

/** Alibaba Cloud SMS: a template variable holds 1–35 characters unless the limit was lifted for the template. */
export const SMS_VARIABLE_MAX_CHARS = 35

/** Messages a minute to the same phones; beyond it alerts are merged (“N 条告警合并发送”), as for robots. */
const SMS_PER_MINUTE = 5

export type SmsTemplateParam = Record<'severity' | 'unit' | 'category' | 'summary', string>

/** The SMS senders: to the emergency group, and to whom escalations go when they are other phones. */
export interface SmsSenders {
  alert: SmsSender
  escalation?: SmsSender
}

/** What the SMS channel needs of a provider's client. */
export interface SmsSender {
  /** safe to log: provider and host, never a key or a number */
  label: string
  /** One SendSms to every phone; never throws. `outId` comes back in delivery reports. */
  send(input: { templateParam: SmsTemplateParam; outId: string }): Promise<DeliveryResult>
}

const variable = (text: string) => capChars(userText('sms', text), SMS_VARIABLE_MAX_CHARS) || '-'

/** The template variables of one alert (or of a merged message standing for several). */
function smsTemplateParam(message: AlertMessage): SmsTemplateParam {
  const { lang, escalation } = message
  const severity = SEVERITY_LABEL[message.severity][lang]
  const escalated = escalation > 0 ? (lang === 'zh' ? `，第${escalation}次升级` : `, escalation ${escalation}`) : ''
  return {
    severity: variable(`${severity}${escalated}`),
    unit: variable(message.unitName),
    category: variable(message.categoryLabel[lang]),
    summary: variable(message.summary),
  }
}

/** `sms` (alerts, and escalations unless they have phones of their own), `sms escalation`. */
export function smsChannel(sender: SmsSender, name: 'sms' | 'sms escalation' = 'sms'): AlertChannel {
  return {
    name,
    perMinute: SMS_PER_MINUTE,
    mergeable: true,
    everyAlert: false,
    send: (message) => sender.send({ templateParam: smsTemplateParam(message), outId: message.id }),
  }
}
