// ALERT_WEBHOOKS / ESCALATION_WEBHOOKS: which chat robots and endpoints get alerts.
//
// Syntax (one variable, comma-separated entries, whitespace and empty entries ignored):
//
//   type=url[,type=url...]        type: wecom | dingtalk | feishu | slack | json
//
//   wecom=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY
//   dingtalk=https://oapi.dingtalk.com/robot/send?access_token=TOKEN&secret=SECxxxx
//   feishu=https://open.feishu.cn/open-apis/bot/v2/hook/HOOK_ID?secret=SECRET
//   slack=https://hooks.slack.com/services/T000/B000/XXXX
//   json=https://ops.example.org/hooks/sentinel
//
// - The URL is everything after the first `=`, copied as the robot shows it.
// - `secret` is OUR query parameter, read only for dingtalk and feishu (the signing secret of
//   "加签" / "签名校验"); it is removed from the URL before any call, so it never travels.
//   Percent-encode it if it contains `&`, `#`, `%` or `,` (a `+` is kept as a plus sign).
//   Without `secret` the robot is called unsigned (keyword or IP-list security).
// - For wecom, slack and json the URL is used exactly as written, `secret` included.
// - A comma inside a URL must be written `%2C`.
//
// Errors name the entry by position, type and host only: the rest of a webhook URL (key,
// access_token, hook id, Slack path) is itself a credential and is never echoed.

export const WEBHOOK_TYPES = ['wecom', 'dingtalk', 'feishu', 'slack', 'json'] as const
export type WebhookType = (typeof WEBHOOK_TYPES)[number]

export interface WebhookTarget {
  type: WebhookType
  /** the URL to call, our `secret` parameter removed; still a credential: log `label` instead */
  url: string
  /** DingTalk / Feishu signing secret, when configured */
  secret?: string
  /** safe to log, e.g. `dingtalk#2 oapi.dingtalk.com` */
  label: string
}

export class WebhookConfigError extends Error {
  override name = 'WebhookConfigError'
  constructor(
    message: string,
    /** 1-based position of the bad entry */
    readonly entry: number,
  ) {
    super(message)
  }
}

const SIGNED_TYPES: ReadonlySet<WebhookType> = new Set(['dingtalk', 'feishu'])
const SAFE_TYPE_TEXT = /^[A-Za-z][A-Za-z0-9_-]{0,19}$/

/** Parses a webhook list; undefined or blank gives no targets. Throws WebhookConfigError. */
export function parseWebhookList(value: string | undefined, variable = 'webhook list'): WebhookTarget[] {
  if (value === undefined) return []
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')
  return entries.map((entry, i) => parseEntry(entry, i + 1, variable))
}

function parseEntry(entry: string, position: number, variable: string): WebhookTarget {
  const fail = (what: string, problem: string): never => {
    throw new WebhookConfigError(`${variable} entry ${position} (${what}): ${problem}`, position)
  }
  const eq = entry.indexOf('=')
  const typeText = eq < 0 ? '' : entry.slice(0, eq).trim()
  // A bare URL has its first `=` inside the query: never echo what precedes it.
  if (!SAFE_TYPE_TEXT.test(typeText)) {
    return fail('no type', `expected type=url with type one of ${WEBHOOK_TYPES.join(', ')}`)
  }
  const type = typeText.toLowerCase()
  if (!isWebhookType(type)) {
    return fail(`type "${typeText}"`, `unknown type; expected one of ${WEBHOOK_TYPES.join(', ')}`)
  }
  const raw = entry.slice(eq + 1).trim()
  const { url, secrets } = SIGNED_TYPES.has(type) ? takeQueryParam(raw, 'secret') : { url: raw, secrets: [] }
  const parsed = parseUrl(url)
  if (!parsed) return fail(type, 'the URL is not a valid absolute URL')
  const what = `${type}, host ${parsed.host}`
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return fail(what, 'the URL must start with https://')
  // fetch refuses URLs with user:password@; say so now rather than at the first alert.
  if (parsed.username !== '' || parsed.password !== '') return fail(what, 'the URL must not contain user:password@')
  if (secrets.length > 1) return fail(what, 'secret is given more than once')
  const secret = secrets[0]
  if (secret !== undefined && secret === '') return fail(what, 'secret is empty')
  const label = `${type}#${position} ${parsed.host}`
  return secret === undefined ? { type, url, label } : { type, url, secret, label }
}

function isWebhookType(value: string): value is WebhookType {
  return (WEBHOOK_TYPES as readonly string[]).includes(value)
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

/**
 * Removes every `name=value` from the query of `url` and returns the decoded values. Works on the
 * raw text so the other parameters (access tokens) keep their exact encoding, and a `+` in a secret
 * stays a `+` (URLSearchParams would turn it into a space).
 */
function takeQueryParam(url: string, name: string): { url: string; secrets: string[] } {
  const hashAt = url.indexOf('#')
  const beforeHash = hashAt < 0 ? url : url.slice(0, hashAt)
  const hash = hashAt < 0 ? '' : url.slice(hashAt)
  const queryAt = beforeHash.indexOf('?')
  if (queryAt < 0) return { url, secrets: [] }
  const kept: string[] = []
  const secrets: string[] = []
  for (const pair of beforeHash.slice(queryAt + 1).split('&')) {
    const eq = pair.indexOf('=')
    const key = eq < 0 ? pair : pair.slice(0, eq)
    if (safeDecode(key) === name) secrets.push(safeDecode(eq < 0 ? '' : pair.slice(eq + 1)))
    else if (pair !== '') kept.push(pair)
  }
  const base = beforeHash.slice(0, queryAt)
  return { url: `${base}${kept.length > 0 ? `?${kept.join('&')}` : ''}${hash}`, secrets }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
