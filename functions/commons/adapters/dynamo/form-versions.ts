// DynamoDB implementation of the published form versions (forms/catalog.ts), in the one table:
//   version  pk FORM#<formId>  sk V#<000001>   (never changed once written)
//   head     pk FORMS          sk <formId>     (the current version: one query reads every form)
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb'
import type { FormVersionStore, PublishedForm } from '../../forms/catalog.ts'
import { conditional } from './conditional.ts'
import { type Item, queryItems } from './paging.ts'

const pad = (version: number) => String(version).padStart(6, '0')

function publishedOf(item: Item): PublishedForm {
  return {
    formId: item.formId as string,
    version: item.version as number,
    definition: item.definition as Record<string, unknown>,
    publishedBy: item.publishedBy as string,
    publishedAt: item.publishedAt as string,
    ...(typeof item.rolledBackTo === 'number' ? { rolledBackTo: item.rolledBackTo } : {}),
  }
}

export function createFormVersionStore(doc: DynamoDBDocumentClient, tableName: string): FormVersionStore {
  return {
    async put(published) {
      const { formId, version } = published
      const stored = await conditional(
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: `FORM#${formId}`, sk: `V#${pad(version)}`, ...published },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      )
      if (!stored) return false
      // The head never goes back: a slower writer of an older version leaves it alone.
      await conditional(
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: 'FORMS', sk: formId, ...published },
            ConditionExpression: 'attribute_not_exists(pk) OR version < :v',
            ExpressionAttributeValues: { ':v': version },
          }),
        ),
      )
      return true
    },
    async versions(formId) {
      const items = await queryItems(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `FORM#${formId}` },
        ConsistentRead: true,
      })
      return items.map(publishedOf)
    },
    async latest() {
      const items = await queryItems(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'FORMS' },
        ConsistentRead: true,
      })
      return items.map(publishedOf)
    },
  }
}
