// Deployment configuration: cdk.json context, `-c key=value` on the command line, or stack
// props. Everything here lands in the template, so it holds no secret: secret values go into
// Secrets Manager after the deploy (README, "Deploy to AWS").
import { z } from 'zod'
import { isTimeZone } from '../functions/commons/clock.ts'

const list = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''))

const timeZone = z.string().refine(isTimeZone, 'not an IANA time zone')

export const DeployConfig = z.object({
  /** the leaders' spreadsheet id (from its URL); without it the mirror cannot start */
  sheetId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{10,200}$/, 'the id from the sheet URL (…/spreadsheets/d/ID/edit)')
    .optional(),
  timeZone: timeZone.default('Asia/Shanghai'),
  /** the emergency group's e-mail subscriptions to the alert topic */
  alertEmails: list.pipe(z.array(z.email())).default([]),
  /** the emergency group's SMS subscriptions (E.164, e.g. +8613800000000) */
  alertPhones: list.pipe(z.array(z.string().regex(/^\+[1-9]\d{6,14}$/, 'E.164, e.g. +8613800000000'))).default([]),
  /** who receives the operational alarms */
  opsEmails: list.pipe(z.array(z.email())).default([]),
  /** the address staff use, when a custom domain fronts the API; the HTTP API's URL otherwise */
  publicUrl: z.url().optional(),
  /** HTTP API stage limits: steady requests per second and burst */
  throttleRate: z.coerce.number().min(1).max(10_000).default(50),
  throttleBurst: z.coerce.number().int().min(1).max(5_000).default(100),
  /** how often the mirror's sweep runs, in minutes (the daily cycle and escalations run every minute) */
  sweepMinutes: z.coerce.number().int().min(1).max(60).default(5),
  /** one escalation window in seconds for every severity; unset: 特急 300 s, 紧急 900 s, 一般 3600 s */
  escalateAfterS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .optional(),
  escalateMax: z.coerce.number().int().min(0).max(20).default(3),
  /** the language of alert texts */
  alertLang: z.enum(['zh', 'en']).default('zh'),
  /** how long a one-tap acknowledge link works, in seconds */
  ackLinkTtlS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(86_400),
  /** minutes before each deadline when missing units are reminded */
  reminderLeadMinutes: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(60),
  logRetentionDays: z.coerce.number().int().default(90),
  /** bump to make every function start afresh and re-read its secrets */
  secretsRevision: z.coerce.string().default('1'),
})
export type DeployConfig = z.infer<typeof DeployConfig>

export class DeployConfigError extends Error {
  override name = 'DeployConfigError'
}

/** Reads each key of DeployConfig from the CDK context (`node.tryGetContext`). */
export function deployConfigFrom(context: (key: string) => unknown): DeployConfig {
  const raw = Object.fromEntries(
    Object.keys(DeployConfig.shape)
      .map((key) => [key, context(key)])
      .filter(([, v]) => v !== undefined && v !== ''),
  )
  const parsed = DeployConfig.safeParse(raw)
  if (parsed.success) return parsed.data
  throw new DeployConfigError(`bad CDK context: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
}
