// Secrets from Secrets Manager, read at the cold start and again once they are older than the
// maximum age (SECRETS_MAX_AGE_S, 5 minutes by default): a new value reaches every running
// function within that, without a deploy. A read that fails after the first keeps the last value.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { z } from 'zod'
import { webhookList } from '../settings.ts'

class SecretUnsetError extends Error {
  override name = 'SecretUnsetError'
}

export interface SecretsReader {
  client: SecretsManagerClient
  /** how long a value read is used before it is read again */
  maxAgeMs: number
  /** the clock's milliseconds (Date.now) */
  now?: () => number
}

const cache = new Map<string, { value: Promise<string>; readAt: number }>()

/** The secret's string value; the error names the secret, never its value. */
export function secretValue({ client, maxAgeMs, now = Date.now }: SecretsReader, secretId: string): Promise<string> {
  const cached = cache.get(secretId)
  if (cached && now() - cached.readAt < maxAgeMs) return cached.value
  const read = client.send(new GetSecretValueCommand({ SecretId: secretId })).then((out) => {
    if (!out.SecretString) throw new SecretUnsetError(`secret ${out.Name ?? secretId} holds no string value`)
    return out.SecretString
  })
  // A failed first read is not cached (the next invocation tries again); a failed re-read keeps
  // the value the instance already has.
  const value = cached ? read.catch(() => cached.value) : read
  if (!cached) value.catch(() => cache.delete(secretId))
  cache.set(secretId, { value, readAt: now() })
  return value
}

/**
 * What `build` makes of the secrets `read` returns, made again only when a value changed (a
 * rotation): the handlers build their dependencies once per secret version, not per request.
 */
export function rebuiltOnChange<V, T>(read: () => Promise<V>, build: (values: V) => T): () => Promise<T> {
  let last: { values: string; built: T } | undefined
  return async () => {
    const values = await read()
    const key = JSON.stringify(values)
    if (last?.values !== key) last = { values: key, built: build(values) }
    return last.built
  }
}

/** The webhooks secret: a JSON object with the same variables as the local server, parsed as it parses them. */
export const WebhooksSecret = z.object({
  ALERT_WEBHOOKS: webhookList('ALERT_WEBHOOKS'),
  ESCALATION_WEBHOOKS: webhookList('ESCALATION_WEBHOOKS'),
  OFFICE_WEBHOOKS: webhookList('OFFICE_WEBHOOKS'),
  LEADERS_WEBHOOKS: webhookList('LEADERS_WEBHOOKS'),
  APPROVER_WEBHOOKS: webhookList('APPROVER_WEBHOOKS'),
})
export type WebhooksSecret = z.infer<typeof WebhooksSecret>

export async function webhooksSecret(reader: SecretsReader, secretId: string): Promise<WebhooksSecret> {
  const text = await secretValue(reader, secretId)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    // No cause: JSON.parse's message quotes the text, and the text is a credential.
    throw new SecretUnsetError(`secret ${secretId} is not JSON: expected {"ALERT_WEBHOOKS": "type=url,…"}`)
  }
  const parsed = WebhooksSecret.safeParse(json)
  if (!parsed.success) {
    // The issues name the variable and the entry (type and host), never a key.
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'secret'}: ${i.message}`).join('; ')
    throw new SecretUnsetError(
      `secret ${secretId}: expected an object of webhook lists (ALERT_WEBHOOKS, ESCALATION_WEBHOOKS, OFFICE_WEBHOOKS, LEADERS_WEBHOOKS, APPROVER_WEBHOOKS): ${problems}`,
    )
  }
  return parsed.data
}
