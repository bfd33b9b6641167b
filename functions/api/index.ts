// The API function: the same Hono app as the local server, behind API Gateway's HTTP API.
// Everything is built once per cold start (top-level await). Writes reach the mirror and the
// alert worker through the table stream, so there is no in-process wake-up here; changes the
// sheet should show at once (an acknowledged emergency, a decided release) ask the mirror for a sweep.
import { LambdaClient } from '@aws-sdk/client-lambda'
import { getConnInfo, handle } from 'hono/aws-lambda'
import { createApprovalStore } from '#commons/adapters/dynamo/approvals.ts'
import { emergencyParts } from '#commons/lambda/alert-settings.ts'
import { ApiConfig, parseLambdaConfig } from '#commons/lambda/config.ts'
import { invokeRebuild, requestRefresh } from '#commons/lambda/mirror-requests.ts'
import { lambdaRuntime } from '#commons/lambda/runtime.ts'
import { secretValue } from '#commons/lambda/secrets.ts'
import { hashSecret } from '#commons/units/tokens.ts'
import { createApp } from '#commons/web/app.tsx'

const config = parseLambdaConfig(ApiConfig)
const { doc, stores, forms, clock, log, secrets } = await lambdaRuntime(config)
const [adminToken, linkKey, ackKey] = await Promise.all([
  secretValue(secrets, config.ADMIN_TOKEN_SECRET_ARN),
  secretValue(secrets, config.LINK_KEY_SECRET_ARN),
  secretValue(secrets, config.ACK_KEY_SECRET_ARN),
])
const lambda = new LambdaClient({})
const refreshSheet = requestRefresh(lambda, config.MIRROR_FUNCTION_NAME, log)

const app = createApp({
  forms,
  stores,
  clock,
  log,
  timeZone: config.ORG_TIMEZONE,
  adminTokenHash: hashSecret(adminToken),
  linkKey,
  publicUrl: config.PUBLIC_URL,
  clientAddress: (c) => getConnInfo(c).remote.address,
  rebuildSheet: () => invokeRebuild(lambda, config.MIRROR_FUNCTION_NAME),
  approvals: { store: createApprovalStore(doc, config.TABLE_NAME), changed: refreshSheet },
  alerts: {
    ...emergencyParts(config, doc, config.TABLE_NAME),
    ackKey,
    ackTtlS: config.ACK_LINK_TTL_S,
    lang: config.ALERT_LANG,
    onChanged: refreshSheet,
  },
})

export const handler = handle(app)
