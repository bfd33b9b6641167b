// The daily cycle's dependencies (reminders before each deadline, the summary at it), built the
// same way by the schedule function and the local server's timer.
import type { WebhookTarget } from '../channels/webhook-config.ts'
import type { DailyCycleDeps } from '../daily/cycle.ts'
import { createNoticeSender } from '../daily/notice-sender.ts'
import { DEFAULT_MIRROR_ALERT_AFTER_S } from '../settings.ts'
import { signUnitToken } from '../units/tokens.ts'
import type { Edge } from './edge.ts'

export function dailyCycleDeps(
  edge: Edge,
  settings: { ORG_TIMEZONE: string; REMINDER_LEAD_MIN: number; MIRROR_ALERT_AFTER_S?: number },
  parts: {
    targets: { office: WebhookTarget[]; leaders: WebhookTarget[] }
    /** the address staff reach, for the unit links in reminders */
    publicUrl: string
    /** HMAC key of the expiring unit links */
    linkKey: string
  },
): DailyCycleDeps {
  const { clock, log } = edge
  return {
    ...edge.stores,
    forms: edge.forms,
    timeZone: settings.ORG_TIMEZONE,
    sender: createNoticeSender({ fetch: edge.fetch, clock, log, targets: parts.targets }),
    reminderLeadMinutes: settings.REMINDER_LEAD_MIN,
    sheet: {
      records: edge.stores.records,
      settings: edge.stores.settings,
      alertAfterS: settings.MIRROR_ALERT_AFTER_S ?? DEFAULT_MIRROR_ALERT_AFTER_S,
      officeLink: `${parts.publicUrl}/office`,
    },
    unitLink: (unit, expiresAt) => `${parts.publicUrl}/u/${signUnitToken(unit.id, unit.tokenHash, expiresAt, parts.linkKey)}`,
  }
}
