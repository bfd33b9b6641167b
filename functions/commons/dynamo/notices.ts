// Notice claims: pk NOTICE, sk <notice id>. One conditional update claims a notice; a crash
// after the claim leaves it "claimed", and a claim older than STALE_MS may be taken again.
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { NoticeStore } from '../store.ts'
import { conditional } from './conditional.ts'

const STALE_MS = 5 * 60_000
const MAX_ATTEMPTS = 10

export function createNoticeStore(doc: DynamoDBDocumentClient, tableName: string): NoticeStore {
  const key = (id: string) => ({ pk: 'NOTICE', sk: id })
  return {
    claim(id, now) {
      return conditional(
        doc.send(
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
          }),
        ),
      )
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
    async markFailed(id) {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(id),
          UpdateExpression: 'SET #s = :failed',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':failed': 'failed' },
        }),
      )
    },
  }
}
