// Generic JSON endpoint, our own public contract (DESIGN.md §4 "Alerts"): POST exactly
// {"id","formId","unitId","category","severity","summary","ackUrl","createdAt","escalation"} with
// `Idempotency-Key: <id>`; the id is the same on every retry, so the receiver can dedupe.
// Judged by HTTP status alone: any 2xx is delivered.
import type { AlertMessage } from './message.ts'
import { postJson, type Robot } from './robot.ts'

interface JsonAlertBody {
  id: string
  formId: string
  unitId: string
  category: string
  severity: AlertMessage['severity']
  summary: string
  ackUrl: string
  createdAt: string
  escalation: number
}

/** Picks the public fields by name, so nothing else in the message can leak into the body. */
function jsonAlertBody(m: AlertMessage): JsonAlertBody {
  return {
    id: m.id,
    formId: m.formId,
    unitId: m.unitId,
    category: m.category,
    severity: m.severity,
    summary: m.summary,
    ackUrl: m.ackUrl,
    createdAt: m.createdAt,
    escalation: m.escalation,
  }
}

export const json: Robot = {
  build(message, target) {
    return postJson(target.url, JSON.stringify(jsonAlertBody(message)), { 'idempotency-key': message.id })
  },
  defaultRetryAfterMs: 30_000,
}
