// The DynamoDB clients, created once at the edge and passed in.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'

export interface DynamoClients {
  client: DynamoDBClient
  doc: DynamoDBDocumentClient
}

/** With `endpoint` (dynalite or another DynamoDB-compatible server) local credentials are used. */
export function createDynamoClients(endpoint?: string): DynamoClients {
  const client = endpoint
    ? new DynamoDBClient({
        endpoint,
        region: process.env.AWS_REGION ?? 'local',
        credentials: {
          accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
          secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
        },
        maxAttempts: 5,
      })
    : new DynamoDBClient({})
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  })
  return { client, doc }
}
