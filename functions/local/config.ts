// Configuration of the local system, parsed once from the environment. A bad value stops the
// start with the variable's name.
import { resolve } from 'node:path'
import { z } from 'zod'
import { defaultTableName } from '#commons/adapters/dynamo/table.ts'
import { parseWebhookList, WebhookConfigError } from '#commons/channels/webhook-config.ts'
import { isTimeZone } from '#commons/clock.ts'

const onOff = z.enum(['on', 'off', 'true', 'false', '1', '0']).transform((v) => v === 'on' || v === 'true' || v === '1')

const timeZone = z.string().refine(isTimeZone, 'not an IANA time zone')

/** A webhook list (`type=url,…`), checked at start; errors name the entry, never its secret. */
const webhookList = (variable: string) =>
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

export const LocalConfig = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z
    .string()
    .default('./.data')
    .transform((p) => resolve(p)),
  ADMIN_TOKEN: z
    .string()
    .min(16, 'at least 16 characters')
    .regex(/^[A-Za-z0-9._~+/-]+$/, 'URL-safe characters only')
    .optional(),
  /** HMAC key of the expiring unit links in reminders (generated and kept in DATA_DIR when unset) */
  LINK_KEY: z.string().min(16, 'at least 16 characters').optional(),
  DYNAMODB_ENDPOINT: z.url().optional(),
  TABLE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/)
    .default(defaultTableName),
  ORG_TIMEZONE: timeZone.default('Asia/Shanghai'),
  PUBLIC_URL: z.url().optional(),
  DEMO: onOff.default(true),
  MIRROR_DEBOUNCE_MS: z.coerce.number().int().min(0).max(600_000).default(200),
  SWEEP_INTERVAL_S: z.coerce.number().min(0.1).max(3600).default(30),
  /** where new information-release requests are announced (`type=url`, as ALERT_WEBHOOKS) */
  APPROVER_WEBHOOKS: webhookList('APPROVER_WEBHOOKS'),
  // The daily cycle: reminders before each deadline, the summary at it.
  REMINDER_LEAD_MIN: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(60),
  DAILY_CYCLE_INTERVAL_S: z.coerce.number().min(1).max(3600).default(60),
  OFFICE_WEBHOOKS: webhookList('OFFICE_WEBHOOKS'),
  LEADERS_WEBHOOKS: webhookList('LEADERS_WEBHOOKS'),
  // The Google Sheet: set SHEET_ID to mirror there instead of the local workbook.
  SHEET_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{10,200}$/, 'the id from the sheet URL (…/spreadsheets/d/ID/edit)')
    .optional(),
  GOOGLE_APPLICATION_CREDENTIALS: z.string().optional(),
  GOOGLE_ACCESS_TOKEN: z.string().optional(),
  SHEETS_API_URL: z.url().optional(),
  // Emergency alerts: chat robots (`type=url,…`), the SNS topic, escalation, acknowledge links.
  ALERT_WEBHOOKS: webhookList('ALERT_WEBHOOKS'),
  ESCALATION_WEBHOOKS: webhookList('ESCALATION_WEBHOOKS'),
  /** one escalation window for every severity; unset: 特急 300 s, 紧急 900 s, 一般 3600 s */
  ESCALATE_AFTER_S: z.coerce
    .number()
    .min(1)
    .max(7 * 86_400)
    .optional(),
  ESCALATE_MAX: z.coerce.number().int().min(0).max(20).default(3),
  ALERT_TOPIC_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN')
    .optional(),
  /** HMAC key of the one-tap acknowledge links (generated and kept in DATA_DIR when unset) */
  ACK_LINK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  ACK_LINK_TTL_S: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(86_400),
  ALERT_LANG: z.enum(['zh', 'en']).default('zh'),
  /** how often the alert worker looks for retries and escalations due */
  ALERT_TICK_S: z.coerce.number().min(0.1).max(300).default(5),
})
export type LocalConfig = z.infer<typeof LocalConfig>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export function parseLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const parsed = LocalConfig.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')))
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
  throw new ConfigError(`bad configuration: ${problems}`)
}
