// What every Lambda function builds once per cold start: the DynamoDB stores, the forms, the
// Secrets Manager client; with the clock, the log and fetch, the edge its builders take (wiring/). Clients take their endpoints from the standard AWS variables
// (AWS_ENDPOINT_URL_DYNAMODB, …), which is how the handler tests point them at local servers.
import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import type * as z from 'zod'
import { createApprovalStore } from '../adapters/dynamo/approvals.ts'
import { createDynamoClients } from '../adapters/dynamo/client.ts'
import { createDynamoEmergencyStore } from '../adapters/dynamo/emergencies.ts'
import { createFormVersionStore } from '../adapters/dynamo/form-versions.ts'
import { createLinkHolderStore } from '../adapters/dynamo/link-holders.ts'
import { createDynamoStores } from '../adapters/dynamo/stores.ts'
import { systemClock } from '../clock.ts'
import { loadBundledFormInputs } from '../forms/bundled.ts'
import { createFormCatalog } from '../forms/catalog.ts'
import { lambdaLogger } from '../log.ts'
import { withUnitCache } from '../units/cached-units.ts'
import type { Edge } from '../wiring/edge.ts'
import type { BaseConfig } from './config.ts'
import { createInFlight, type InFlight } from './in-flight.ts'
import { createMetrics, type MetricsSink } from './metrics.ts'
import { type SecretsReader, secretsReader } from './secrets.ts'

export interface LambdaRuntime extends Edge {
  secrets: SecretsReader
  metrics: MetricsSink
  /** the Powertools logger behind `log`, for `lambdaHandler` */
  powertools: PowertoolsLogger
  /** requests the handler waits for before it returns */
  inFlight: InFlight
}

export async function lambdaRuntime(config: z.infer<typeof BaseConfig>): Promise<LambdaRuntime> {
  const { doc } = createDynamoClients()
  // service: POWERTOOLS_SERVICE_NAME (the function's name); level: POWERTOOLS_LOG_LEVEL.
  const { log, powertools } = lambdaLogger()
  return {
    stores: withUnitCache(createDynamoStores(doc, config.TABLE_NAME)),
    approvals: createApprovalStore(doc, config.TABLE_NAME),
    emergencies: createDynamoEmergencyStore(doc, config.TABLE_NAME),
    leaders: createLinkHolderStore(doc, config.TABLE_NAME, 'LEADER'),
    forms: await createFormCatalog({
      builtIn: await loadBundledFormInputs(),
      store: createFormVersionStore(doc, config.TABLE_NAME),
      clock: systemClock,
      log,
    }),
    clock: systemClock,
    log,
    powertools,
    inFlight: createInFlight(),
    fetch: (url, init) => fetch(url, init),
    secrets: secretsReader(new SecretsManagerClient({}), config.SECRETS_MAX_AGE_S, log),
    metrics: createMetrics(),
  }
}

/**
 * A handler whose log lines carry this invocation's request id and cold start, whose failure is
 * logged with its stack and cause before Lambda sees it, and which returns only after the
 * requests it started have left.
 */
export function lambdaHandler<E, C, R>(
  runtime: Pick<LambdaRuntime, 'powertools' | 'log' | 'inFlight' | 'forms'>,
  handler: (event: E, context: C) => Promise<R>,
): (event: E, context: C) => Promise<R> {
  return async (event, context) => {
    if (context) runtime.powertools.addContext(context as never)
    try {
      // a form the office published reaches this instance within the catalog's lifetime
      await runtime.forms.fresh()
      return await handler(event, context)
    } catch (error) {
      runtime.log.error('invocation failed', { error })
      throw error
    } finally {
      await runtime.inFlight.settled()
    }
  }
}
