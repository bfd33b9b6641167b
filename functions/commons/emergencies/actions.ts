// What people do to an emergency: acknowledge it (escalation stops) and resolve it. Shared by
// the admin API, the board and the one-tap link.
import type { EmergencyStore, UnitStore } from '../store.ts'
import { acknowledge, type Delivery, type Emergency, EmergencyNotFoundError, type EscalationPolicy, resolve } from './emergency.ts'

export type EmergencyAction = 'ack' | 'resolve'

export async function actOnEmergency(
  store: EmergencyStore,
  input: { id: string; action: EmergencyAction; by: string; at: Date; policy: EscalationPolicy },
): Promise<Emergency> {
  const change = input.action === 'ack' ? acknowledge : resolve
  const updated = await store.update(input.id, (current) => change(current, input.by, input.at, input.policy))
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
