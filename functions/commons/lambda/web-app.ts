// The web app as a Lambda function, behind API Gateway's HTTP API: the same Hono app as the
// local server. Two functions serve it: the API function, and the workbook function, which
// alone carries the .xlsx library for the forms page's two workbook routes (infra/stack.ts).
// Everything is built at the cold start, and the app again when a secret
// changes (read at most every SECRETS_MAX_AGE_S). Writes reach the mirror and the
// alert worker through the table stream, so there is no in-process wake-up here; changes the
// sheet should show at once (an acknowledged emergency, a decided release) ask the mirror for a sweep.
import { LambdaClient } from '@aws-sdk/client-lambda'
import { S3Client } from '@aws-sdk/client-s3'
import { getConnInfo, handle } from 'hono/aws-lambda'
import { s3Photos } from '../adapters/s3-photos.ts'
import type { WorkbookFiles } from '../forms/workbook.ts'
import { createApp } from '../web/app.tsx'
import { appDeps } from '../wiring/app.ts'
import { ApiConfig, parseLambdaConfig } from './config.ts'
import { invokeRebuild, requestRefresh } from './mirror-requests.ts'
import { lambdaHandler, lambdaRuntime } from './runtime.ts'
import { rebuiltOnChange, secretValue } from './secrets.ts'

/** The handler, built at the cold start: a missing secret fails it, naming the secret. */
export async function webAppHandler(options: { workbooks?: WorkbookFiles } = {}) {
  const config = parseLambdaConfig(ApiConfig)
  const edge = await lambdaRuntime(config)
  const lambda = new LambdaClient({})
  const refreshSheet = requestRefresh(lambda, config.MIRROR_FUNCTION_NAME, edge.log, edge.inFlight)
  const photos = config.PHOTO_BUCKET ? await s3Photos(new S3Client({}), config.PHOTO_BUCKET) : undefined

  const currentApp = rebuiltOnChange(
    () =>
      Promise.all([
        secretValue(edge.secrets, config.ADMIN_TOKEN_SECRET_ARN),
        secretValue(edge.secrets, config.LINK_KEY_SECRET_ARN),
        secretValue(edge.secrets, config.ACK_KEY_SECRET_ARN),
      ]),
    ([adminToken, linkKey, ackKey]) =>
      handle(
        createApp(
          appDeps(edge, config, {
            adminToken,
            linkKey,
            ackKey,
            publicUrl: config.PUBLIC_URL,
            // API Gateway sets the source address itself and serves only HTTPS.
            client: (c) => ({ address: getConnInfo(c).remote.address, tls: true }),
            rebuildSheet: () => invokeRebuild(lambda, config.MIRROR_FUNCTION_NAME),
            approvalsChanged: refreshSheet,
            emergenciesChanged: refreshSheet,
            ...(options.workbooks ? { workbooks: options.workbooks } : {}),
            ...(photos ? { photos } : {}),
          }),
        ),
      ),
  )
  // The cold start reads the secrets: a missing one fails it, naming the secret.
  await currentApp()

  type App = Awaited<ReturnType<typeof currentApp>>
  return lambdaHandler(edge, async (event: Parameters<App>[0], context: Parameters<App>[1]) => (await currentApp())(event, context))
}
