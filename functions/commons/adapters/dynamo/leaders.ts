// DynamoDB implementation of the leader store, in the one table: pk LEADER, sk <leader id>.
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { Leader, LeaderStore } from '../../leaders/leaders.ts'
import { conditional } from './conditional.ts'
import { type Item, queryItems } from './paging.ts'

function leaderFromItem(item: Item): Leader {
  return {
    id: item.id as string,
    name: item.name as string,
    tokenHash: item.tokenHash as string,
    createdAt: item.createdAt as string,
    ...(item.rotatedAt ? { rotatedAt: item.rotatedAt as string } : {}),
  }
}

export function createLeaderStore(doc: DynamoDBDocumentClient, tableName: string): LeaderStore {
  const key = (id: string) => ({ pk: 'LEADER', sk: id })
  return {
    async get(id) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: key(id), ConsistentRead: true }))
      return out.Item ? leaderFromItem(out.Item) : undefined
    },
    create(leader) {
      return conditional(
        doc.send(
          new PutCommand({ TableName: tableName, Item: { ...key(leader.id), ...leader }, ConditionExpression: 'attribute_not_exists(pk)' }),
        ),
      )
    },
    async list() {
      const items = await queryItems(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :l',
        ExpressionAttributeValues: { ':l': 'LEADER' },
      })
      return items.map(leaderFromItem).sort((a, b) => a.id.localeCompare(b.id))
    },
    replaceToken(id, tokenHash, at) {
      return conditional(
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(id),
            UpdateExpression: 'SET tokenHash = :h, rotatedAt = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':h': tokenHash, ':at': at },
          }),
        ),
      )
    },
  }
}
