// What people do to an emergency: acknowledge it (escalation stops) and resolve it. Shared by
// the admin API, the board and the one-tap link.
import { PersonName } from '../decided-by.ts'
import type { Lang } from '../i18n.ts'
import type { EmergencyStore, UnitStore } from '../store.ts'
import { acknowledge, type Delivery, type Emergency, EmergencyNotFoundError, type EscalationPolicy, resolve } from './emergency.ts'

export type EmergencyAction = 'ack' | 'resolve'

export async function actOnEmergency(
  store: EmergencyStore,
  input: { id: string; action: EmergencyAction; by: string; at: Date; policy: EscalationPolicy },
): Promise<Emergency> {
  // The pages and the API ask for the name first; here it is only checked, never made up.
  const by = PersonName.parse(input.by)
  const change = input.action === 'ack' ? acknowledge : resolve
  const updated = await store.update(input.id, (current) => change(current, by, input.at, input.policy))
  if (!updated) throw new EmergencyNotFoundError(`no emergency ${input.id}`)
  return updated
}

/** The public shape (DESIGN §4: `{"id","submissionId","unitId","severity","status",…}`). */
export interface EmergencyView {
  id: string
  submissionId: string
  formId: string
  unitId: string
  unitName: string
  category: string
  severity: Emergency['severity']
  status: Emergency['status']
  createdAt: string
  acknowledgedAt: string | null
  acknowledgedBy: string | null
  resolvedAt: string | null
  resolvedBy: string | null
  escalations: number
  deliveries: Pick<Delivery, 'alertId' | 'escalation' | 'channel' | 'state' | 'attempts' | 'deliveredAt' | 'latencyMs' | 'error'>[]
}

export function viewOf(e: Emergency, unitName: string): EmergencyView {
  return {
    id: e.id,
    submissionId: e.recordId,
    formId: e.formId,
    unitId: e.unitId,
    unitName,
    category: e.category,
    severity: e.severity,
    status: e.status,
    createdAt: e.createdAt,
    acknowledgedAt: e.acknowledgedAt ?? null,
    acknowledgedBy: e.acknowledgedBy ?? null,
    resolvedAt: e.resolvedAt ?? null,
    resolvedBy: e.resolvedBy ?? null,
    escalations: e.escalations,
    deliveries: e.deliveries.map(({ alertId, escalation, channel, state, attempts, deliveredAt, latencyMs, error }) => ({
      alertId,
      escalation,
      channel,
      state,
      attempts,
      ...(deliveredAt ? { deliveredAt } : {}),
      ...(latencyMs !== undefined ? { latencyMs } : {}),
      ...(error ? { error } : {}),
    })),
  }
}

export async function unitNamesOf(units: UnitStore): Promise<Map<string, string>> {
  return new Map((await units.list()).map((u) => [u.id, u.name]))
}

/** A unit's own emergencies, newest first. Emergencies are few: one read of them all, filtered. */
export async function emergenciesOfUnit(store: EmergencyStore, unitId: string): Promise<Emergency[]> {
  return (await store.list()).filter((e) => e.unitId === unitId)
}

const WEBHOOK_KIND: Record<string, { zh: string; en: string }> = {
  wecom: { zh: '企业微信群', en: 'WeCom group' },
  dingtalk: { zh: '钉钉群', en: 'DingTalk group' },
  feishu: { zh: '飞书群', en: 'Feishu group' },
  slack: { zh: 'Slack 频道', en: 'Slack channel' },
  json: { zh: '值班系统', en: 'duty system' },
}

/** What a channel is, by its stable name (channels/targets.ts, sms.ts): `outbox`, `sns`, `sms`, `sms escalation`, `<alert|escalation> <type>#<n> <host>`. */
export function channelOf(name: string, lang: Lang): { channel: string; label: string } {
  if (name === 'outbox') return { channel: 'board', label: { zh: '办公室应急看板', en: "the office's emergency board" }[lang] }
  if (name === 'sns') return { channel: 'sms_email', label: { zh: '应急工作组短信/邮件', en: 'the emergency group by SMS/e-mail' }[lang] }
  if (name === 'sms') return { channel: 'sms', label: { zh: '应急工作组短信', en: 'the emergency group by SMS' }[lang] }
  if (name === 'sms escalation') return { channel: 'escalation:sms', label: { zh: '升级：短信', en: 'escalation: SMS' }[lang] }
  const [role = '', kind = ''] = name.split(/[ #]/)
  const group = WEBHOOK_KIND[kind]?.[lang] ?? kind
  const label =
    role === 'escalation'
      ? { zh: `升级：${group}`, en: `escalation: ${group}` }[lang]
      : { zh: `应急工作组${group}`, en: `the emergency group's ${group}` }[lang]
  return { channel: `${role}:${kind}`, label }
}

/**
 * Whom an emergency's alerts went to, as a unit may read it: the kind of each channel (the board,
 * SMS/e-mail, a chat group), never its address, and whether it got there.
 */
export function alertedOf(e: Emergency, lang: Lang): { channel: string; label: string; delivered: boolean }[] {
  const seen = new Map<string, { channel: string; label: string; delivered: boolean }>()
  for (const d of e.deliveries) {
    if (d.state === 'cancelled') continue
    const { channel, label } = channelOf(d.channel, lang)
    const before = seen.get(channel)
    seen.set(channel, { channel, label, delivered: (before?.delivered ?? false) || d.state === 'delivered' })
  }
  return [...seen.values()]
}

/** What a unit's token sees of its own emergency: its state and who acted, not the channels' addresses. */
export function unitViewOf(e: Emergency) {
  const { unitName: _name, deliveries: _deliveries, ...view } = viewOf(e, '')
  return { ...view, alerted: alertedOf(e, 'en').map(({ channel, delivered }) => ({ channel, delivered })) }
}
