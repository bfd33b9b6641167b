// Secrets from Secrets Manager, read once per cold start and kept for the life of the instance.
// A new value reaches the functions on their next cold start (the README says how to force one).
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { z } from 'zod'
import { webhookList } from '../settings.ts'

class SecretUnsetError extends Error {
  override name = 'SecretUnsetError'
}

const cache = new Map<string, Promise<string>>()

/** The secret's string value; the error names the secret, never its value. */
export function secretValue(client: SecretsManagerClient, secretId: string): Promise<string> {
  let value = cache.get(secretId)
  if (!value) {
    value = client.send(new GetSecretValueCommand({ SecretId: secretId })).then((out) => {
      if (!out.SecretString) throw new SecretUnsetError(`secret ${out.Name ?? secretId} holds no string value`)
      return out.SecretString
    })
    // A failed read is not cached: the next invocation tries again.
    value.catch(() => cache.delete(secretId))
    cache.set(secretId, value)
  }
  return value
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

export async function webhooksSecret(client: SecretsManagerClient, secretId: string): Promise<WebhooksSecret> {
  const text = await secretValue(client, secretId)
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
