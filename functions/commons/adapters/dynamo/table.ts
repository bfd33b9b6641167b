// The one DynamoDB table and its indexes. The CDK stack and the local server both read this,
// so the deployed table and the embedded one cannot drift apart.
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb'

export const tableKeys = { partitionKey: 'pk', sortKey: 'sk' } as const

/** Global secondary indexes: name → string key attributes. The outbox indexes are sparse. */
export const tableIndexes = {
  byDay: { partitionKey: 'dayKey', sortKey: 'daySort' },
  mirrorOutbox: { partitionKey: 'mirrorQ', sortKey: 'receivedAt' },
  alertOutbox: { partitionKey: 'alertQ', sortKey: 'receivedAt' },
} as const

/** The TTL attribute (epoch seconds): DynamoDB deletes items past it (sessions, refusal counts). */
export const ttlAttribute = 'expiresAt'

export const defaultTableName = 'sentinel-forms'

/** Creates the table when it does not exist yet (local and test use; AWS gets it from CDK). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }))
    return
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error
  }
  const attributes = new Set<string>([tableKeys.partitionKey, tableKeys.sortKey])
  for (const index of Object.values(tableIndexes)) {
    attributes.add(index.partitionKey)
    attributes.add(index.sortKey)
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: tableKeys.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableKeys.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: Object.entries(tableIndexes).map(([name, index]) => ({
        IndexName: name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  )
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName })
}
