// Alerting records per unit and window (emergencies/unit-rate.ts), in the one table, so every
// process and Lambda instance counts the same flood: one item per unit and window holding the ids
// of the records given a place, in order, at most `cap` of them (a flood of thousands stays small).
//
//   alert rate  pk RATE#ALERT#<unitId>  sk <window start, ISO>  ids: [recordId…]  expiresAt (epoch s)
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { AlertRateStore } from '../../store.ts'

/** Kept a day after its window: old windows are never read again (a TTL on `expiresAt` removes them). */
const KEEP_S = 24 * 3600

export function createAlertRateStore(doc: DynamoDBDocumentClient, tableName: string): AlertRateStore {
  return {
    async admit(unitId, window, recordId, cap) {
      const Key = { pk: `RATE#ALERT#${unitId}`, sk: window }
      const placeIn = (ids: unknown) => {
        const place = (Array.isArray(ids) ? (ids as string[]) : []).indexOf(recordId)
        return place >= 0 ? place + 1 : undefined
      }
      try {
        // One conditional write: a record not yet placed joins the list while there is room.
        const out = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key,
            UpdateExpression: 'SET ids = list_append(if_not_exists(ids, :none), :one), expiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(ids) OR (size(ids) < :cap AND NOT contains(ids, :id))',
            ExpressionAttributeValues: {
              ':none': [],
              ':one': [recordId],
              ':id': recordId,
              ':cap': cap,
              ':expires': Math.floor(Date.parse(window) / 1000) + KEEP_S,
            },
            ReturnValues: 'ALL_NEW',
          }),
        )
        return placeIn(out.Attributes?.ids)
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error
      }
      // Placed by an earlier try of the same record, or no room left: the list says which.
      const item = await doc.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))
      return placeIn(item.Item?.ids)
    },
  }
}
