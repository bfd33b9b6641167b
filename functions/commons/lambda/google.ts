// The Google key secret as Sheets client options. It holds the service-account key file's JSON
// (what Google's console downloads), or, for a local Sheets API server only, {"access_token": …}
// like GOOGLE_ACCESS_TOKEN. The key stays in memory: it is handed to the Sheets client, never
// written to a file.
import * as z from 'zod'
import type { SheetsClientOptions } from '../adapters/google-sheets.ts'

export class GoogleKeyError extends Error {
  override name = 'GoogleKeyError'
}

const ServiceAccountKey = z.looseObject({ type: z.literal('service_account'), client_email: z.string(), private_key: z.string() })
const AccessToken = z.object({ access_token: z.string().min(1) })

export function sheetsClientOptions(secret: string, rootUrl: string | undefined): SheetsClientOptions {
  let json: unknown
  try {
    json = JSON.parse(secret)
  } catch {
    // No cause: the parser's message would quote the key.
    throw new GoogleKeyError('the Google key secret is not JSON: put the service-account key file there (README, "Deploy to AWS")')
  }
  const base = rootUrl ? { rootUrl } : {}
  const token = AccessToken.safeParse(json)
  if (token.success) return { ...base, accessToken: token.data.access_token }
  const key = ServiceAccountKey.safeParse(json)
  if (!key.success) {
    throw new GoogleKeyError('the Google key secret is not a service-account key ("type": "service_account")')
  }
  return { ...base, credentials: { client_email: key.data.client_email, private_key: key.data.private_key } }
}
