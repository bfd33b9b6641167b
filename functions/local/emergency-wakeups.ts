// A repair only the local server needs, at start before its workers: dynalite writes a put's
// index entries before its item, not in one batch, so a process killed between the two can
// leave an emergency that is due with no entry in the index the worker reads, and so never
// alerted (the crash test met it). DynamoDB itself is atomic per item and needs none of it.
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb'
import { conditional } from '#commons/adapters/dynamo/conditional.ts'
import { EMERGENCY_PK } from '#commons/adapters/dynamo/emergencies.ts'
import { queryItems } from '#commons/adapters/dynamo/paging.ts'

/**
 * Writes every emergency that still has work to do again, as it is. The revision check leaves
 * alone anything changed meanwhile. Returns how many were written.
 */
export async function restoreEmergencyWakeups(doc: DynamoDBDocumentClient, tableName: string): Promise<number> {
  const due = await queryItems(doc, {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    FilterExpression: 'attribute_exists(alertQ)',
    ExpressionAttributeValues: { ':pk': EMERGENCY_PK },
    ConsistentRead: true,
  })
  const rewritten = await Promise.all(
    due.map((item) =>
      conditional(
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: item,
            ConditionExpression: 'rev = :rev',
            ExpressionAttributeValues: { ':rev': item.rev },
          }),
        ),
      ),
    ),
  )
  return rewritten.filter(Boolean).length
}
