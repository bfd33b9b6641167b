// Configuration of the local system, parsed once from the environment. A bad value stops the
// start with the variable's name.
import { isIP } from 'node:net'
import { resolve } from 'node:path'
import * as z from 'zod'
import { defaultTableName } from '#commons/adapters/dynamo/table.ts'
import {
  AlertSettings,
  mirrorAlertAfterS,
  parseSettings,
  reminderLeadMinutes,
  sheetId,
  snsTopicArn,
  tableName,
  timeZone,
  webhookList,
} from '#commons/settings.ts'

const commaList = (text: string | undefined) =>
  (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')

const ipList = (name: string) =>
  z
    .string()
    .optional()
    .transform(commaList)
    .refine((items) => items.every((item) => isIP(item) !== 0), `${name}: a comma-separated list of IP addresses, e.g. 127.0.0.1`)

const hostList = (name: string) =>
  z
    .string()
    .optional()
    .transform((text) => commaList(text).map((host) => host.toLowerCase()))
    .refine(
      (items) => items.every((item) => /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/.test(item)),
      `${name}: a comma-separated list of host names, each with :port when not 80 or 443, e.g. forms.example.org,localhost:3000`,
    )
    .transform((items) => (items.length > 0 ? items : undefined))

const onOff = z.enum(['on', 'off', 'true', 'false', '1', '0']).transform((v) => v === 'on' || v === 'true' || v === '1')

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
  TABLE_NAME: tableName.default(defaultTableName),
  ORG_TIMEZONE: timeZone.default('Asia/Shanghai'),
  PUBLIC_URL: z.url().optional(),
  /** reverse proxies (IP addresses) whose X-Forwarded-For and X-Forwarded-Proto are believed */
  TRUST_PROXY: ipList('TRUST_PROXY'),
  /** the Host names (with :port when not 80/443) the server answers; any when unset */
  ALLOWED_HOSTS: hostList('ALLOWED_HOSTS'),
  DEMO: onOff.default(true),
  MIRROR_DEBOUNCE_MS: z.coerce.number().int().min(0).max(600_000).default(200),
  SWEEP_INTERVAL_S: z.coerce.number().min(0.1).max(3600).default(30),
  MIRROR_ALERT_AFTER_S: mirrorAlertAfterS,
  /** where new information-release requests are announced (`type=url`, as ALERT_WEBHOOKS) */
  APPROVER_WEBHOOKS: webhookList('APPROVER_WEBHOOKS'),
  // The daily cycle: reminders before each deadline, the summary at it.
  REMINDER_LEAD_MIN: reminderLeadMinutes,
  DAILY_CYCLE_INTERVAL_S: z.coerce.number().min(1).max(3600).default(60),
  OFFICE_WEBHOOKS: webhookList('OFFICE_WEBHOOKS'),
  LEADERS_WEBHOOKS: webhookList('LEADERS_WEBHOOKS'),
  // The Google Sheet: set SHEET_ID to mirror there instead of the local workbook.
  SHEET_ID: sheetId.optional(),
  GOOGLE_APPLICATION_CREDENTIALS: z.string().optional(),
  GOOGLE_ACCESS_TOKEN: z.string().optional(),
  SHEETS_API_URL: z.url().optional(),
  // Emergency alerts: chat robots (`type=url,…`), the SNS topic, escalation, acknowledge links.
  ALERT_WEBHOOKS: webhookList('ALERT_WEBHOOKS'),
  ESCALATION_WEBHOOKS: webhookList('ESCALATION_WEBHOOKS'),
  ALERT_TOPIC_ARN: snsTopicArn.optional(),
  /** HMAC key of the one-tap acknowledge links (generated and kept in DATA_DIR when unset) */
  ACK_LINK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  ...AlertSettings.shape,
  /** how often the alert worker looks for retries and escalations due */
  ALERT_TICK_S: z.coerce.number().min(0.1).max(300).default(5),
})
export type LocalConfig = z.infer<typeof LocalConfig>

export function parseLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  return parseSettings(LocalConfig, env)
}
