// Reading every page of a query or scan, through the SDK's own paginators.
import {
  type DynamoDBDocumentClient,
  paginateQuery,
  paginateScan,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb'

export type Item = Record<string, unknown>

/** The items a query finds, page after page, stopping once `limit` are in hand. */
export async function queryItems(doc: DynamoDBDocumentClient, input: QueryCommandInput, limit = Infinity): Promise<Item[]> {
  const items: Item[] = []
  for await (const page of paginateQuery({ client: doc }, input)) {
    items.push(...(page.Items ?? []))
    if (items.length >= limit) break
  }
  return items.slice(0, limit)
}

/** Every item a scan finds (admin and audit use: a scan reads the whole table). */
export async function scanItems(doc: DynamoDBDocumentClient, input: ScanCommandInput): Promise<Item[]> {
  const items: Item[] = []
  for await (const page of paginateScan({ client: doc }, input)) items.push(...(page.Items ?? []))
  return items
}
