// The API function: the same Hono app as the local server, behind API Gateway's HTTP API.
// Everything is built once per cold start (top-level await); writes reach the mirror and the
// alerter through the table stream, so there is no in-process wake-up here.
import { LambdaClient } from '@aws-sdk/client-lambda'
import { handle } from 'hono/aws-lambda'
import { ApiConfig, parseLambdaConfig } from '#commons/lambda/config.ts'
import { invokeRebuild } from '#commons/lambda/rebuild.ts'
import { lambdaRuntime } from '#commons/lambda/runtime.ts'
import { secretValue } from '#commons/lambda/secrets.ts'
import { hashSecret } from '#commons/tokens.ts'
import { createApp } from '#commons/web/app.tsx'

const config = parseLambdaConfig(ApiConfig)
const runtime = await lambdaRuntime(config)
const [adminToken, linkKey] = await Promise.all([
  secretValue(runtime.secrets, config.ADMIN_TOKEN_SECRET_ARN),
  secretValue(runtime.secrets, config.LINK_KEY_SECRET_ARN),
])
const lambda = new LambdaClient({})

const app = createApp({
  ...runtime,
  timeZone: config.ORG_TIMEZONE,
  adminTokenHash: hashSecret(adminToken),
  linkKey,
  publicUrl: config.PUBLIC_URL,
  rebuildSheet: () => invokeRebuild(lambda, config.MIRROR_FUNCTION_NAME),
})

export const handler = handle(app)
