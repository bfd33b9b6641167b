// The Google key secret of the mirror function, read as it is stored in Secrets Manager: a
// service-account key file's JSON (kept in memory, handed to the Sheets client), or an access token
// for a local Sheets API server; anything else is refused without quoting the secret.
import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createSheetsClient } from '#commons/adapters/google-sheets.ts'
import { GoogleKeyError, sheetsClientOptions } from '#commons/lambda/google.ts'

const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const keyFile = {
  type: 'service_account',
  project_id: 'sentinel-forms',
  private_key_id: '0123',
  private_key: privateKey,
  client_email: 'mirror@sentinel-forms.iam.gserviceaccount.com',
  client_id: '1',
  token_uri: 'https://oauth2.googleapis.com/token',
}

describe('the Google key secret', () => {
  it('gives the Sheets client the service account in memory: a JWT client for its e-mail, no key file', async () => {
    const options = sheetsClientOptions(JSON.stringify(keyFile), 'http://127.0.0.1:9/')
    expect(options).toEqual({
      rootUrl: 'http://127.0.0.1:9/',
      credentials: { client_email: keyFile.client_email, private_key: privateKey },
    })
    expect(options.credentialsFile).toBeUndefined()
    const client = createSheetsClient(options)
    const auth = client.context._options.auth as { getClient(): Promise<{ email?: string; key?: string }> }
    const jwt = await auth.getClient()
    expect(jwt.email).toBe(keyFile.client_email)
    expect(jwt.key).toBe(privateKey)
  })

  it('takes an access token, for a local Sheets API server', () => {
    expect(sheetsClientOptions('{"access_token":"ya29.local"}', undefined)).toEqual({ accessToken: 'ya29.local' })
  })

  it('refuses what is not a key, without quoting it', () => {
    const notJson = `-----BEGIN PRIVATE KEY----- ${privateKey.slice(40, 80)}`
    expect(() => sheetsClientOptions(notJson, undefined)).toThrow(GoogleKeyError)
    try {
      sheetsClientOptions(notJson, undefined)
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(privateKey.slice(40, 80))
    }
    expect(() => sheetsClientOptions(JSON.stringify({ ...keyFile, type: 'authorized_user' }), undefined)).toThrow(/service_account/)
  })
})
