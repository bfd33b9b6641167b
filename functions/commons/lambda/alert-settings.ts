// The emergency settings shared by the API (acknowledge links, board) and the alert function
// (delivery, escalation): the same variables as the local server.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { z } from 'zod'
import { createDynamoEmergencyStore } from '../adapters/dynamo/emergencies.ts'
import type { EscalationPolicy } from '../emergencies/emergency.ts'
import type { EmergencyStore } from '../store.ts'

export const AlertSettings = z.object({
  ACK_KEY_SECRET_ARN: z.string().min(1),
  /** one escalation window for every severity; unset: 特急 300 s, 紧急 900 s, 一般 3600 s */
  ESCALATE_AFTER_S: z.coerce
    .number()
    .min(1)
    .max(7 * 86_400)
    .optional(),
  ESCALATE_MAX: z.coerce.number().int().min(0).max(20).default(3),
  ACK_LINK_TTL_S: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(86_400),
  ALERT_LANG: z.enum(['zh', 'en']).default('zh'),
})
export type AlertSettings = z.infer<typeof AlertSettings>

export function emergencyParts(
  settings: AlertSettings,
  doc: DynamoDBDocumentClient,
  tableName: string,
): { emergencies: EmergencyStore; policy: EscalationPolicy } {
  return {
    emergencies: createDynamoEmergencyStore(doc, tableName),
    policy: { max: settings.ESCALATE_MAX, ...(settings.ESCALATE_AFTER_S ? { afterS: settings.ESCALATE_AFTER_S } : {}) },
  }
}
