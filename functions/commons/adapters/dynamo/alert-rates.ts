// Alerting records per unit and window (emergencies/unit-rate.ts), in the one table, so every
// process and Lambda instance counts the same flood: one item per unit holding its current
// window's start and the ids of the records given a place, in order, at most `cap` of them (a
// flood of thousands stays small). A window starts at the first alert after the last one ended.
//
//   alert rate  pk RATE#ALERT#<unitId>  sk WINDOW  windowStart (epoch ms)  ids: [recordId…]  expiresAt (epoch s)
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { AlertRateStore } from '../../store.ts'
import { ttlAttribute } from './table.ts'

/** Kept a day after its window: an old window is only ever replaced (the table's TTL removes it). */
const KEEP_S = 24 * 3600

export function createAlertRateStore(doc: DynamoDBDocumentClient, tableName: string): AlertRateStore {
  const update = async (input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'ReturnValues'>) => {
    try {
      const out = await doc.send(new UpdateCommand({ ...input, TableName: tableName, ReturnValues: 'ALL_NEW' }))
      return out.Attributes
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined
      throw error
    }
  }
  return {
    async admit(unitId, recordId, now, windowMs, cap) {
      const Key = { pk: `RATE#ALERT#${unitId}`, sk: 'WINDOW' }
      const at = now.getTime()
      const placeIn = (ids: unknown) => {
        const place = (Array.isArray(ids) ? (ids as string[]) : []).indexOf(recordId)
        return place >= 0 ? place + 1 : undefined
      }
      for (let attempt = 0; attempt < 3; attempt++) {
        // In the current window: the record joins the list while there is room.
        const joined = await update({
          Key,
          UpdateExpression: 'SET ids = list_append(ids, :one)',
          ConditionExpression: 'windowStart > :ended AND size(ids) < :cap AND NOT contains(ids, :id)',
          ExpressionAttributeValues: { ':one': [recordId], ':id': recordId, ':cap': cap, ':ended': at - windowMs },
        })
        if (joined) return placeIn(joined.ids)
        const item = (await doc.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item
        if (item && Number(item.windowStart) > at - windowMs) return placeIn(item.ids) // placed before, or no room
        // No window, or it ended: this record starts the next one (unless another process just did).
        const started = await update({
          Key,
          UpdateExpression: 'SET windowStart = :now, ids = :one, #expires = :expires',
          ConditionExpression: 'attribute_not_exists(pk) OR windowStart <= :ended',
          ExpressionAttributeNames: { '#expires': ttlAttribute },
          ExpressionAttributeValues: {
            ':now': at,
            ':one': [recordId],
            ':ended': at - windowMs,
            ':expires': Math.floor((at + windowMs) / 1000) + KEEP_S,
          },
        })
        if (started) return 1
      }
      throw new Error(`alert rate of ${unitId}: the window kept changing`)
    },
  }
}
