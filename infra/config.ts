// Deployment configuration: cdk.json context, `-c key=value` on the command line, or stack
// props. Everything here lands in the template, so it holds no secret: secret values go into
// Secrets Manager after the deploy (README, "Deploy to AWS").
import * as z from 'zod'
import {
  ackLinkTtlS,
  alertLang,
  escalateAfterS,
  escalateMax,
  parseSettings,
  reminderLeadMinutes,
  sheetId,
  timeZone,
  unitAlertLimit,
} from '../functions/commons/settings.ts'

const list = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''))

export const DeployConfig = z.object({
  /** the leaders' spreadsheet id (from its URL); without it the mirror cannot start */
  sheetId: sheetId.optional(),
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
  /** one escalation window in seconds for every severity (ESCALATE_AFTER_S) */
  escalateAfterS,
  escalateMax,
  /** alerts one unit may send to the robots and SMS per 10 minutes (UNIT_ALERT_LIMIT) */
  unitAlertLimit,
  alertLang,
  ackLinkTtlS,
  reminderLeadMinutes,
  logRetentionDays: z.coerce.number().int().default(90),
  /**
   * concurrency reserved for the alert function (its ceiling too: the stream's shards and the
   * minute rule need a few); 0 reserves none, for accounts still at the 10-execution quota
   */
  alertsConcurrency: z.coerce.number().int().min(0).max(100).default(5),
  /** bump to make every function start afresh and re-read its secrets */
  secretsRevision: z.coerce.string().default('1'),
})
export type DeployConfig = z.infer<typeof DeployConfig>

export class DeployConfigError extends Error {
  override name = 'DeployConfigError'
}

/** Reads each key of DeployConfig from the CDK context (`node.tryGetContext`). */
export function deployConfigFrom(context: (key: string) => unknown): DeployConfig {
  const raw = Object.fromEntries(Object.keys(DeployConfig.shape).map((key) => [key, context(key)]))
  return parseSettings(DeployConfig, raw, { source: 'CDK context', error: DeployConfigError })
}

/**
 * The stack's name for a stage (`-c stage=NAME`): `SentinelForms-NAME`, or `SentinelForms`
 * without one. Every resource name derives from it, so stages share an account.
 */
export function stackNameFor(stage: unknown): string {
  if (stage === undefined || stage === '') return 'SentinelForms'
  if (typeof stage !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,23}$/.test(stage)) {
    throw new DeployConfigError('stage: a letter, then up to 23 letters, digits or hyphens (e.g. -c stage=dev)')
  }
  return `SentinelForms-${stage}`
}
