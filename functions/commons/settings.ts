// The settings every edition reads, defined once: the local server's environment
// (functions/local/config.ts), the Lambda functions' (lambda/config.ts, set by infra/stack.ts)
// and the CDK context (infra/config.ts) take their pieces from here, so a value one accepts the
// others accept too. `parseSettings` is the one parser: an empty value counts as unset, and an
// error names the variable.
import * as z from 'zod'
import { parseWebhookList, WebhookConfigError } from './channels/webhook-config.ts'
import { isTimeZone } from './clock.ts'

export class SettingsError extends Error {
  override name = 'SettingsError'
}

export const timeZone = z.string().refine(isTimeZone, 'not an IANA time zone')

export const tableName = z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/)

/** the leaders' spreadsheet id, as it appears in the sheet's URL */
export const sheetId = z.string().regex(/^[A-Za-z0-9_-]{10,200}$/, 'the id from the sheet URL (…/spreadsheets/d/ID/edit)')

export const snsTopicArn = z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN')

/** A webhook list (`type=url,…`), checked at start; errors name the entry, never its secret. */
export const webhookList = (variable: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      try {
        return parseWebhookList(value, variable)
      } catch (error) {
        if (!(error instanceof WebhookConfigError)) throw error
        ctx.addIssue({ code: 'custom', message: error.message })
        return z.NEVER
      }
    })

/** seconds a record may wait for the leaders' sheet before the office is told (MIRROR_ALERT_AFTER_S) */
export const DEFAULT_MIRROR_ALERT_AFTER_S = 600
export const mirrorAlertAfterS = z.coerce
  .number()
  .int()
  .min(10)
  .max(7 * 86_400)
  .default(DEFAULT_MIRROR_ALERT_AFTER_S)

/** one escalation window for every severity, whole seconds up to a week; unset: 特急 300 s, 紧急 900 s, 一般 3600 s */
export const escalateAfterS = z.coerce
  .number()
  .int()
  .min(1)
  .max(7 * 86_400)
  .optional()

/** how many times an unacknowledged emergency is escalated */
export const escalateMax = z.coerce.number().int().min(0).max(20).default(3)

/** how long a one-tap acknowledge link works, in seconds */
export const ackLinkTtlS = z.coerce
  .number()
  .int()
  .min(60)
  .max(30 * 86_400)
  .default(86_400)

/** the language of alert texts */
export const alertLang = z.enum(['zh', 'en']).default('zh')

/** minutes before each deadline when missing units are reminded */
export const reminderLeadMinutes = z.coerce
  .number()
  .int()
  .min(0)
  .max(24 * 60)
  .default(60)

/** alerts one unit may raise per 10 minutes before the rest reach the board only (emergencies/unit-rate.ts) */
export const unitAlertLimit = z.coerce.number().int().min(1).max(1000).default(5)

/** The emergency settings, under the variable names the local server and the functions share. */
export const AlertSettings = z.object({
  ESCALATE_AFTER_S: escalateAfterS,
  ESCALATE_MAX: escalateMax,
  ACK_LINK_TTL_S: ackLinkTtlS,
  ALERT_LANG: alertLang,
  UNIT_ALERT_LIMIT: unitAlertLimit,
})
export type AlertSettings = z.infer<typeof AlertSettings>

/**
 * Parses `values` (the environment, or the CDK context) with `schema`: empty strings and
 * undefined count as unset. A failure throws `error` (SettingsError unless given), naming each bad variable.
 */
export function parseSettings<S extends z.ZodType>(
  schema: S,
  values: Readonly<Record<string, unknown>>,
  { source = 'configuration', error = SettingsError }: { source?: string; error?: new (message: string) => Error } = {},
): z.infer<S> {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== '')))
  if (parsed.success) return parsed.data
  throw new error(`bad ${source}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
}
