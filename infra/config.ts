// Deployment configuration: cdk.json context, `-c key=value` on the command line, or stack
// props. Everything here lands in the template, so it holds no secret: secret values go into
// Secrets Manager after the deploy (README, "Deploy to AWS").
import * as z from 'zod'
import {
  ackLinkTtlS,
  alertLang,
  escalateAfterS,
  escalateMax,
  feishuAppId,
  feishuSheetToken,
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
  /** or the Feishu spreadsheet's token (mainland China), with the app's id; its secret goes into Secrets Manager */
  feishuSheetToken: feishuSheetToken.optional(),
  feishuAppId: feishuAppId.optional(),
  /** the Feishu open platform's root: https://open.feishu.cn (default) or https://open.larksuite.com */
  feishuApiUrl: z.url().optional(),
  timeZone: timeZone.default('Asia/Shanghai'),
  /** the emergency group's e-mail subscriptions to the alert topic */
  alertEmails: list.pipe(z.array(z.email())).default([]),
  /** the emergency group's SMS subscriptions (E.164, e.g. +8613800000000) */
  alertPhones: list.pipe(z.array(z.string().regex(/^\+[1-9]\d{6,14}$/, 'E.164, e.g. +8613800000000'))).default([]),
  /** who receives the operational alarms */
  opsEmails: list.pipe(z.array(z.email())).default([]),
  /** the address staff use; default https://<domainName> with a custom domain, the HTTP API's URL otherwise */
  publicUrl: z.url().optional(),
  /** a custom domain for the HTTP API (needed in the China regions, with ICP recordal), with its ACM certificate */
  domainName: z
    .string()
    .regex(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a lower-case host name, e.g. forms.example.cn')
    .optional(),
  certificateArn: z
    .string()
    .regex(/^arn:aws(-cn)?:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, 'an ACM certificate ARN in the stack’s region')
    .optional(),
  /** SMS through Alibaba Cloud (mainland China): an AliyunSms secret the alert function reads */
  aliyunSms: z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .transform((v) => v === true || v === 'true')
    .default(false),
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
  const config = parseSettings(DeployConfig, raw, { source: 'CDK context', error: DeployConfigError })
  // one sheet at a time, as for the local server
  if (config.sheetId && config.feishuSheetToken)
    throw new DeployConfigError("bad CDK context: sheetId and feishuSheetToken are both set; the leaders' sheet is one sink at a time")
  if (config.feishuSheetToken && !config.feishuAppId)
    throw new DeployConfigError("bad CDK context: feishuSheetToken needs the Feishu app's feishuAppId (-c feishuAppId=cli_…)")
  return config
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
