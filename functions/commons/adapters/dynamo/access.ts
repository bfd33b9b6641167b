// Who is let in: the office's sessions and the counts of refused tokens, in the one table so
// every Lambda instance (and the local server) sees the same. Both carry the table's TTL
// attribute, so DynamoDB deletes them after they end.
//
// Items:
//   office session  pk SESSION#<idHash>        sk SESSION
//   refusal count   pk REFUSED#<key>           sk <window id>
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { RefusalCounter, SessionStore } from '../../store.ts'
import { ttlAttribute } from './table.ts'

const epochS = (iso: string | Date) => Math.ceil(new Date(iso).getTime() / 1000)

export function createSessionStore(doc: DynamoDBDocumentClient, tableName: string): SessionStore {
  const key = (idHash: string) => ({ pk: `SESSION#${idHash}`, sk: 'SESSION' })
  return {
    async put(session) {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...key(session.idHash), ...session, [ttlAttribute]: epochS(session.expiresAt), expiresIso: session.expiresAt },
        }),
      )
    },
    async get(idHash) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: key(idHash), ConsistentRead: true }))
      const item = out.Item
      if (!item) return undefined
      return {
        idHash: item.idHash as string,
        adminTokenHash: item.adminTokenHash as string,
        createdAt: item.createdAt as string,
        expiresAt: item.expiresIso as string,
      }
    },
    async delete(idHash) {
      await doc.send(new DeleteCommand({ TableName: tableName, Key: key(idHash) }))
    },
  }
}

export function createRefusalCounter(doc: DynamoDBDocumentClient, tableName: string): RefusalCounter {
  return {
    add: (keys, window) =>
      Promise.all(
        keys.map(async (key) => {
          const out = await doc.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { pk: `REFUSED#${key}`, sk: window.id },
              UpdateExpression: 'ADD refused :one SET #e = :e',
              ExpressionAttributeNames: { '#e': ttlAttribute },
              ExpressionAttributeValues: { ':one': 1, ':e': epochS(window.endsAt) },
              ReturnValues: 'UPDATED_NEW',
            }),
          )
          return out.Attributes?.refused as number
        }),
      ),
  }
}
