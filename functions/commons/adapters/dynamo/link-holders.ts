// DynamoDB implementation of a kind of link holder (approvers, leaders), in the one table:
// pk <APPROVER|LEADER>, sk <id>.
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { LinkHolder, LinkHolderStore } from '../../link-holders.ts'
import { conditional } from './conditional.ts'
import { type Item, queryItems } from './paging.ts'

function holderFromItem(item: Item): LinkHolder {
  return {
    id: item.id as string,
    name: item.name as string,
    tokenHash: item.tokenHash as string,
    createdAt: item.createdAt as string,
    ...(item.rotatedAt ? { rotatedAt: item.rotatedAt as string } : {}),
    ...(item.revokedAt ? { revokedAt: item.revokedAt as string } : {}),
  }
}

export function createLinkHolderStore(doc: DynamoDBDocumentClient, tableName: string, pk: 'APPROVER' | 'LEADER'): LinkHolderStore {
  const key = (id: string) => ({ pk, sk: id })
  /** One update of an existing holder; false when there is none. */
  const update = (id: string, UpdateExpression: string, ExpressionAttributeValues: Record<string, unknown>) =>
    conditional(
      doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(id),
          UpdateExpression,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues,
        }),
      ),
    )
  return {
    async get(id) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: key(id), ConsistentRead: true }))
      return out.Item ? holderFromItem(out.Item) : undefined
    },
    create(holder) {
      return conditional(
        doc.send(
          new PutCommand({ TableName: tableName, Item: { ...key(holder.id), ...holder }, ConditionExpression: 'attribute_not_exists(pk)' }),
        ),
      )
    },
    async list() {
      const items = await queryItems(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :k',
        ExpressionAttributeValues: { ':k': pk },
      })
      return items.map(holderFromItem).sort((a, b) => a.id.localeCompare(b.id))
    },
    replaceToken: (id, tokenHash, at) => update(id, 'SET tokenHash = :h, rotatedAt = :at REMOVE revokedAt', { ':h': tokenHash, ':at': at }),
    revoke: (id, at) => update(id, 'SET revokedAt = :at', { ':at': at }),
  }
}
