// ALIYUN_SMS_*: SMS through Alibaba Cloud SMS (阿里云短信服务, dysmsapi SendSms), the channel that
// reaches phones in mainland China, where Amazon SNS sends no SMS. The same variables are read
// from the environment locally and from the AliyunSms secret on AWS (one JSON object).
//
//   ALIYUN_SMS_ACCESS_KEY_ID       a RAM user's AccessKey ID (only dysms:SendSms allowed)
//   ALIYUN_SMS_ACCESS_KEY_SECRET   its AccessKey secret; never printed, never logged
//   ALIYUN_SMS_SIGN_NAME           the approved signature (签名), 2–12 characters, without 【】
//   ALIYUN_SMS_TEMPLATE_CODE       the approved template (模板), e.g. SMS_154950909
//   ALIYUN_SMS_PHONES              the emergency group's mainland mobiles, comma-separated
//   ALIYUN_SMS_ESCALATION_PHONES   who gets escalations by SMS (the leaders); default ALIYUN_SMS_PHONES
//   ALIYUN_SMS_API_URL             the API root; default https://dysmsapi.aliyuncs.com
//
// All or none: with some set and others missing the start stops, naming the missing ones.
// Errors name the variable and what it takes, never a value (the secret above all).
import * as z from 'zod'

const ALIYUN_SMS_DEFAULT_API_URL = 'https://dysmsapi.aliyuncs.com'
/** SendSms takes at most 1,000 numbers in one call (dysmsapi 2017-05-25, PhoneNumbers). */
const MAX_PHONES = 1000

export interface AliyunSmsConfig {
  accessKeyId: string
  accessKeySecret: string
  signName: string
  templateCode: string
  /** 11-digit mainland mobile numbers */
  phones: string[]
  /** who gets escalations, when not the same phones */
  escalationPhones?: string[]
  apiUrl: string
}

/** A mainland mobile, with or without +86 / 0086 / 86 in front: the 11 digits SendSms takes. */
function mainlandMobile(text: string): string | undefined {
  const match = /^(?:\+86|0086|86)?(1[3-9]\d{9})$/.exec(text.replace(/[ -]/g, ''))
  return match?.[1]
}

const phoneList = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const entries = (value ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '')
    const phones: string[] = []
    entries.forEach((entry, i) => {
      const phone = mainlandMobile(entry)
      // The position, never the number: phone numbers are personal data and end up in logs.
      if (phone === undefined)
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1} is not a mainland mobile number (11 digits starting with 1, +86 allowed)` })
      else if (!phones.includes(phone)) phones.push(phone)
    })
    if (phones.length > MAX_PHONES) ctx.addIssue({ code: 'custom', message: `at most ${MAX_PHONES} numbers` })
    return phones
  })

/** The variables, as fields of the local configuration or of the AliyunSms secret. */
export const AliyunSmsFields = {
  ALIYUN_SMS_ACCESS_KEY_ID: z
    .string()
    .regex(/^[A-Za-z0-9]{8,64}$/, 'an AccessKey ID: 8–64 letters and digits')
    .optional(),
  ALIYUN_SMS_ACCESS_KEY_SECRET: z
    .string()
    .regex(/^[\x21-\x7e]{16,128}$/, 'an AccessKey secret: 16–128 printable characters without spaces')
    .optional(),
  ALIYUN_SMS_SIGN_NAME: z
    .string()
    .regex(/^[^【】[\]\s]{2,12}$/, 'the approved signature name, 2–12 characters, without 【】')
    .optional(),
  ALIYUN_SMS_TEMPLATE_CODE: z
    .string()
    .regex(/^SMS_\d{4,20}$/, 'the approved template code, e.g. SMS_154950909')
    .optional(),
  ALIYUN_SMS_PHONES: phoneList,
  ALIYUN_SMS_ESCALATION_PHONES: phoneList,
  ALIYUN_SMS_API_URL: z.url().optional(),
}

type SmsFieldValues = z.infer<z.ZodObject<typeof AliyunSmsFields>>

const REQUIRED = [
  'ALIYUN_SMS_ACCESS_KEY_ID',
  'ALIYUN_SMS_ACCESS_KEY_SECRET',
  'ALIYUN_SMS_SIGN_NAME',
  'ALIYUN_SMS_TEMPLATE_CODE',
  'ALIYUN_SMS_PHONES',
] as const

const given = (values: SmsFieldValues, key: (typeof REQUIRED)[number]) => {
  const value = values[key]
  return Array.isArray(value) ? value.length > 0 : value !== undefined
}

/** For `.superRefine`: some ALIYUN_SMS_* set and others not is an error naming the missing ones. */
export function checkAliyunSmsComplete(values: SmsFieldValues, ctx: z.RefinementCtx): void {
  const set = REQUIRED.filter((key) => given(values, key))
  if (set.length === 0 && values.ALIYUN_SMS_API_URL === undefined && values.ALIYUN_SMS_ESCALATION_PHONES.length === 0) return
  for (const key of REQUIRED.filter((k) => !given(values, k)))
    ctx.addIssue({ code: 'custom', path: [key], message: 'required with the other ALIYUN_SMS_* variables (SMS through Alibaba Cloud)' })
}

/** The SMS configuration, or undefined when no ALIYUN_SMS_* is set (checked complete before). */
export function aliyunSmsConfig(values: SmsFieldValues): AliyunSmsConfig | undefined {
  const { ALIYUN_SMS_ACCESS_KEY_ID, ALIYUN_SMS_ACCESS_KEY_SECRET, ALIYUN_SMS_SIGN_NAME, ALIYUN_SMS_TEMPLATE_CODE, ALIYUN_SMS_PHONES } =
    values
  if (!ALIYUN_SMS_ACCESS_KEY_ID || !ALIYUN_SMS_ACCESS_KEY_SECRET || !ALIYUN_SMS_SIGN_NAME || !ALIYUN_SMS_TEMPLATE_CODE) return undefined
  if (ALIYUN_SMS_PHONES.length === 0) return undefined
  const escalation = values.ALIYUN_SMS_ESCALATION_PHONES
  return {
    accessKeyId: ALIYUN_SMS_ACCESS_KEY_ID,
    accessKeySecret: ALIYUN_SMS_ACCESS_KEY_SECRET,
    signName: ALIYUN_SMS_SIGN_NAME,
    templateCode: ALIYUN_SMS_TEMPLATE_CODE,
    phones: ALIYUN_SMS_PHONES,
    ...(escalation.length > 0 && escalation.join() !== ALIYUN_SMS_PHONES.join() ? { escalationPhones: escalation } : {}),
    apiUrl: (values.ALIYUN_SMS_API_URL ?? ALIYUN_SMS_DEFAULT_API_URL).replace(/\/+$/, ''),
  }
}

/** The AliyunSms secret on AWS: one JSON object with the same variables, all of them or none. */
export const AliyunSmsSecret = z.object(AliyunSmsFields).superRefine(checkAliyunSmsComplete)
