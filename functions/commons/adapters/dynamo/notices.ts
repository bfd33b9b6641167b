// Notice claims: pk NOTICE, sk <notice id>. One conditional update claims a notice; a crash
// after the claim leaves it "claimed", and a claim older than STALE_MS may be taken again.
// A failed attempt keeps the channels it did reach (deliveredTo), so a retry skips them.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { NoticeStore } from '../../store.ts'

const STALE_MS = 5 * 60_000
const MAX_ATTEMPTS = 10

export function createNoticeStore(doc: DynamoDBDocumentClient, tableName: string): NoticeStore {
  const key = (id: string) => ({ pk: 'NOTICE', sk: id })
  return {
    async claim(id, now) {
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(id),
            UpdateExpression: 'SET #s = :claimed, claimedAt = :now ADD attempts :one',
            ConditionExpression:
              'attribute_not_exists(pk) OR (attempts < :max AND (#s = :failed OR (#s = :claimed AND claimedAt < :stale)))',
            ExpressionAttributeNames: { '#s': 'state' },
            ExpressionAttributeValues: {
              ':claimed': 'claimed',
              ':failed': 'failed',
              ':now': now.getTime(),
              ':stale': now.getTime() - STALE_MS,
              ':one': 1,
              ':max': MAX_ATTEMPTS,
            },
            ReturnValues: 'ALL_NEW',
          }),
        )
        return { deliveredTo: (out.Attributes?.deliveredTo as string[] | undefined) ?? [] }
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return undefined
        throw error
      }
    },
    async markSent(id, now) {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(id),
          UpdateExpression: 'SET #s = :sent, sentAt = :now',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':sent': 'sent', ':now': now.toISOString() },
        }),
      )
    },
    async markFailed(id, deliveredTo) {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(id),
          UpdateExpression: 'SET #s = :failed, deliveredTo = :to',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':failed': 'failed', ':to': deliveredTo },
        }),
      )
    },
  }
}
