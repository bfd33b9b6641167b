// Configuration of the Lambda functions, parsed once at cold start from the environment the
// stack sets (infra/stack.ts). A bad or missing value fails the cold start with the variable's
// name. The pieces shared with the local server and the CDK context come from settings.ts.
import * as z from 'zod'
import {
  AlertSettings,
  feishuAppId,
  feishuSheetToken,
  parseSettings,
  reminderLeadMinutes,
  sheetId,
  snsTopicArn,
  tableName,
  timeZone,
} from '../settings.ts'

const secretId = z.string().min(1)

/** What every function gets. */
export const BaseConfig = z.object({
  TABLE_NAME: tableName,
  ORG_TIMEZONE: timeZone.default('Asia/Shanghai'),
  /** the address staff reach (HTTP API endpoint or custom domain), for links */
  PUBLIC_URL: z.url().transform((u) => u.replace(/\/+$/, '')),
  /** how long a secret read is used before it is read again: a rotation reaches running functions within this */
  SECRETS_MAX_AGE_S: z.coerce.number().int().min(0).max(3600).default(300),
})

/** the mirror function, invoked for a sheet rebuild or refresh */
const mirrorFunction = z.string().min(1)

/** the emergency settings of the API (acknowledge links, board) and the alert function (delivery, escalation) */
const EmergencyConfig = {
  ACK_KEY_SECRET_ARN: secretId,
  ...AlertSettings.shape,
}

export const ApiConfig = BaseConfig.extend({
  ADMIN_TOKEN_SECRET_ARN: secretId,
  LINK_KEY_SECRET_ARN: secretId,
  MIRROR_FUNCTION_NAME: mirrorFunction,
  /** the private bucket of photo uploads; without it the forms' photos are refused */
  PHOTO_BUCKET: z.string().min(3).optional(),
  ...EmergencyConfig,
})

export const AlertsConfig = BaseConfig.extend({
  ALERT_TOPIC_ARN: snsTopicArn,
  WEBHOOKS_SECRET_ARN: secretId,
  /** SMS through Alibaba Cloud (mainland China), when the stack has the AliyunSms secret */
  ALIYUN_SMS_SECRET_ARN: secretId.optional(),
  MIRROR_FUNCTION_NAME: mirrorFunction,
  ...EmergencyConfig,
})

/** The mirror writes to one sheet: Google's (SHEET_ID and its key) or Feishu's (the token, the app id and its secret); `sheetTarget` checks which. */
export const MirrorConfig = BaseConfig.extend({
  SHEET_ID: sheetId.optional(),
  GOOGLE_KEY_SECRET_ARN: secretId.optional(),
  /** the Sheets API root (tests and local API servers); Google's when unset */
  SHEETS_API_URL: z.url().optional(),
  FEISHU_SHEET_TOKEN: feishuSheetToken.optional(),
  FEISHU_APP_ID: feishuAppId.optional(),
  /** the secret whose value is the Feishu app's secret */
  FEISHU_SECRET_ARN: secretId.optional(),
  FEISHU_API_URL: z.url().optional(),
})

export const ScheduleConfig = BaseConfig.extend({
  WEBHOOKS_SECRET_ARN: secretId,
  LINK_KEY_SECRET_ARN: secretId,
  REMINDER_LEAD_MIN: reminderLeadMinutes,
})

/** Parses `env` with `schema` (settings.ts: empty strings count as unset). */
export function parseLambdaConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  return parseSettings(schema, env)
}
