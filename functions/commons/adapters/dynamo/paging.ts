// Reading every page of a query or scan, through the SDK's own paginators, and many items by key.
import { setTimeout as sleep } from 'node:timers/promises'
import {
  BatchGetCommand,
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

/** BatchGetItem's limit on keys per request. */
const BATCH_GET_KEYS = 100

/**
 * The items at these keys, read consistently, in a request per hundred keys rather than one per
 * key; keys with no item are absent from the answer. Keys DynamoDB leaves unprocessed (throttling)
 * are asked again after a short back-off.
 */
export async function getItems(doc: DynamoDBDocumentClient, tableName: string, keys: readonly Item[]): Promise<Item[]> {
  const items: Item[] = []
  for (let start = 0; start < keys.length; start += BATCH_GET_KEYS) {
    let ask: Item[] = keys.slice(start, start + BATCH_GET_KEYS)
    for (let attempt = 0; ask.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt))
      const out = await doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: ask, ConsistentRead: true } } }))
      items.push(...(out.Responses?.[tableName] ?? []))
      ask = out.UnprocessedKeys?.[tableName]?.Keys ?? []
    }
  }
  return items
}

/**
 * `call` over every item, at most `limit` at a time, answers in the items' order. A thousand calls
 * at once would queue behind the client's sockets long enough to trip its connection timeout.
 */
export async function mapBounded<T, R>(items: readonly T[], call: (item: T, index: number) => Promise<R>, limit = 32): Promise<R[]> {
  const answers: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) answers[i] = await call(items[i] as T, i)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return answers
}
