// Secrets from Secrets Manager through Powertools Parameters: read at the cold start and again
// once the value held is older than the maximum age (SECRETS_MAX_AGE_S, 5 minutes by default),
// so a new value reaches every running function within that, without a deploy.
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets'
import type { SecretsGetOptions } from '@aws-lambda-powertools/parameters/secrets/types'
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import * as z from 'zod'
import type { Logger } from '../log.ts'
import { webhookList } from '../settings.ts'

class SecretUnsetError extends Error {
  override name = 'SecretUnsetError'
}

/**
 * Parameters' provider, except that a re-read that fails returns the value read before (which
 * Parameters then holds for another maximum age): a Secrets Manager outage or throttling does
 * not take down an instance that already has its secrets. A failed first read still fails.
 */
class SecretsKeepingLastValue extends SecretsProvider {
  readonly #lastRead = new Map<string, string | Uint8Array>()
  readonly #log: Logger

  constructor(client: SecretsManagerClient, log: Logger) {
    super({ awsSdkV3Client: client })
    this.#log = log
  }

  protected override async _get(name: string, options?: SecretsGetOptions) {
    try {
      const value = await super._get(name, options)
      if (value !== undefined) this.#lastRead.set(name, value)
      return value
    } catch (error) {
      const last = this.#lastRead.get(name)
      if (last === undefined) throw error
      // The SDK's error names the secret and the failure, never a value.
      this.#log.warn('secret re-read failed; keeping the value held', { secretId: name, error })
      return last
    }
  }
}

export interface SecretsReader {
  provider: SecretsProvider
  /** how long a value read is used before it is read again, in seconds */
  maxAgeS: number
}

export function secretsReader(client: SecretsManagerClient, maxAgeS: number, log: Logger): SecretsReader {
  return { provider: new SecretsKeepingLastValue(client, log), maxAgeS }
}

/** The secret's string value; the error names the secret, never its value. */
export async function secretValue({ provider, maxAgeS }: SecretsReader, secretId: string): Promise<string> {
  const value = await provider.get(secretId, { maxAge: maxAgeS }).catch((error: Error) => {
    throw new SecretUnsetError(`secret ${secretId} could not be read: ${error.message}`, { cause: error })
  })
  if (typeof value !== 'string') throw new SecretUnsetError(`secret ${secretId} holds no string value`)
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
