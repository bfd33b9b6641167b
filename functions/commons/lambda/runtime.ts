// What every Lambda function builds once per cold start: the DynamoDB stores, the forms, the
// Secrets Manager client. Clients take their endpoints from the standard AWS variables
// (AWS_ENDPOINT_URL_DYNAMODB, …), which is how the handler tests point them at local servers.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { z } from 'zod'
import { createDynamoClients } from '../adapters/dynamo/client.ts'
import { createDynamoStores } from '../adapters/dynamo/stores.ts'
import { type Clock, systemClock } from '../clock.ts'
import { loadBundledForms } from '../forms/bundled.ts'
import type { FormRegistry } from '../forms/registry.ts'
import { consoleLogger, type Logger } from '../log.ts'
import type { Stores } from '../store.ts'
import { withUnitCache } from '../units/cached-units.ts'
import type { BaseConfig } from './config.ts'

export interface LambdaRuntime {
  doc: DynamoDBDocumentClient
  stores: Stores
  forms: FormRegistry
  clock: Clock
  log: Logger
  secrets: SecretsManagerClient
}

export async function lambdaRuntime(config: z.infer<typeof BaseConfig>): Promise<LambdaRuntime> {
  const { doc } = createDynamoClients()
  return {
    doc,
    stores: withUnitCache(createDynamoStores(doc, config.TABLE_NAME)),
    forms: await loadBundledForms(),
    clock: systemClock,
    log: consoleLogger,
    secrets: new SecretsManagerClient({}),
  }
}
