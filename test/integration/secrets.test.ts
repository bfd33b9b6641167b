// Secrets through Powertools Parameters, read by the real SDK client from a local Secrets
// Manager endpoint: held for the maximum age, re-read after it, the last value kept on a failed re-read.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { secretsReader, secretValue } from '../../functions/commons/lambda/secrets.ts'
import type { Logger } from '../../functions/commons/log.ts'
import { type SecretsServer, startSecretsServer } from '../../testkit/secrets-server.ts'

const ID = 'arn:aws:secretsmanager:ap-east-1:111122223333:secret:AdminToken-abc123'
let server: SecretsServer
let client: SecretsManagerClient

beforeAll(async () => {
  server = await startSecretsServer({ [ID]: 'first-value' })
  client = new SecretsManagerClient({
    endpoint: server.url,
    region: 'ap-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  })
})
afterAll(async () => {
  client.destroy()
  await server.close()
})

function recordingLog() {
  const warnings: { message: string; fields?: Record<string, unknown> }[] = []
  const log: Logger = { info: () => {}, error: () => {}, warn: (message, fields) => warnings.push({ message, fields }) }
  return { log, warnings }
}

describe('secrets read through Powertools Parameters', () => {
  it('reads a secret once per maximum age, not per call', async () => {
    server.put(ID, 'first-value')
    const reader = secretsReader(client, 300, recordingLog().log)
    const before = server.reads.get(ID) ?? 0

    const values = [await secretValue(reader, ID), await secretValue(reader, ID), await secretValue(reader, ID)]

    expect(values).toEqual(['first-value', 'first-value', 'first-value'])
    expect(server.reads.get(ID)).toBe(before + 1)
  })

  it('takes a new value once the one held is older than the maximum age', async () => {
    server.put(ID, 'first-value')
    const reader = secretsReader(client, 0, recordingLog().log)
    expect(await secretValue(reader, ID)).toBe('first-value')

    server.put(ID, 'rotated-value')

    expect(await secretValue(reader, ID)).toBe('rotated-value')
  })

  it('keeps the value already held when a re-read fails, and says so without the value', async () => {
    server.put(ID, 'held-value')
    const { log, warnings } = recordingLog()
    const reader = secretsReader(client, 0, log)
    expect(await secretValue(reader, ID)).toBe('held-value')

    server.remove(ID)
    try {
      expect(await secretValue(reader, ID)).toBe('held-value')
    } finally {
      server.put(ID, 'held-value')
    }
    expect(warnings.map((w) => [w.message, w.fields?.secretId])).toEqual([['secret re-read failed; keeping the value held', ID]])
    expect(JSON.stringify(warnings)).not.toContain('held-value')
  })

  it('fails a first read naming the secret, not caching the failure', async () => {
    const missing = `${ID}-missing`
    const reader = secretsReader(client, 300, recordingLog().log)

    await expect(secretValue(reader, missing)).rejects.toThrow(`secret ${missing} could not be read`)
    server.put(missing, 'now-there')

    expect(await secretValue(reader, missing)).toBe('now-there')
  })
})
