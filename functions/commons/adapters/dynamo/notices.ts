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
  /** Records how a claimed notice ended, and the one attribute that goes with that state. */
  const setState = async (id: string, state: 'sent' | 'failed', attribute: 'sentAt' | 'deliveredTo', value: unknown) => {
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key(id),
        UpdateExpression: 'SET #s = :state, #a = :value',
        ExpressionAttributeNames: { '#s': 'state', '#a': attribute },
        ExpressionAttributeValues: { ':state': state, ':value': value },
      }),
    )
  }
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
    markSent: (id, now) => setState(id, 'sent', 'sentAt', now.toISOString()),
    markFailed: (id, deliveredTo) => setState(id, 'failed', 'deliveredTo', deliveredTo),
  }
}
