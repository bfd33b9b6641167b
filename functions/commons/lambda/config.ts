// Configuration of the Lambda functions, parsed once at cold start from the environment the
// stack sets (infra/stack.ts). A bad or missing value fails the cold start with the variable's name.
import { z } from 'zod'
import { isTimeZone } from '../clock.ts'
import { AlertSettings } from './alert-settings.ts'

export class LambdaConfigError extends Error {
  override name = 'LambdaConfigError'
}

const timeZone = z.string().refine(isTimeZone, 'not an IANA time zone')

const secretId = z.string().min(1)

/** What every function gets. */
export const BaseConfig = z.object({
  TABLE_NAME: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/),
  ORG_TIMEZONE: timeZone.default('Asia/Shanghai'),
  /** the address staff reach (HTTP API endpoint or custom domain), for links */
  PUBLIC_URL: z.url().transform((u) => u.replace(/\/+$/, '')),
})

/** the mirror function, invoked for a sheet rebuild or refresh */
const mirrorFunction = z.string().min(1)

export const ApiConfig = BaseConfig.extend({
  ADMIN_TOKEN_SECRET_ARN: secretId,
  LINK_KEY_SECRET_ARN: secretId,
  MIRROR_FUNCTION_NAME: mirrorFunction,
  ...AlertSettings.shape,
})

export const AlertsConfig = BaseConfig.extend({
  ALERT_TOPIC_ARN: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN'),
  WEBHOOKS_SECRET_ARN: secretId,
  MIRROR_FUNCTION_NAME: mirrorFunction,
  ...AlertSettings.shape,
})

export const MirrorConfig = BaseConfig.extend({
  SHEET_ID: z.string().regex(/^[A-Za-z0-9_-]{10,200}$/, 'the id from the sheet URL (…/spreadsheets/d/ID/edit)'),
  GOOGLE_KEY_SECRET_ARN: secretId,
  /** the Sheets API root (tests and local API servers); Google's when unset */
  SHEETS_API_URL: z.url().optional(),
})

export const ScheduleConfig = BaseConfig.extend({
  WEBHOOKS_SECRET_ARN: secretId,
  LINK_KEY_SECRET_ARN: secretId,
  REMINDER_LEAD_MIN: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(60),
})

/** Parses `env` with `schema`; empty strings count as unset. */
export function parseLambdaConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')))
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
  throw new LambdaConfigError(`bad configuration: ${problems}`)
}
