// Emergencies in the one table: pk EMERGENCY, sk <id>, one item each, saved whole with a
// revision check (no transactions needed). An emergency with work to do rides the alert outbox
// index: alertQ = 'emergency' and its sort key (receivedAt) holds the next wake time, so the
// worker reads only what is due.
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import type { Emergency } from '../../emergencies/emergency.ts'
import type { EmergencyStore } from '../../store.ts'
import { conditional } from './conditional.ts'
import { type Item, queryItems } from './paging.ts'

/** the partition of every emergency item */
export const EMERGENCY_PK = 'EMERGENCY'
const WAKE_QUEUE = 'emergency'
const MAX_UPDATE_ATTEMPTS = 10

class EmergencyUpdateConflictError extends Error {
  override name = 'EmergencyUpdateConflictError'
}

function toItem(e: Emergency): Item {
  return {
    pk: EMERGENCY_PK,
    sk: e.id,
    ...e,
    alertQ: e.wakeAt ? WAKE_QUEUE : undefined,
    receivedAt: e.wakeAt,
  }
}

function fromItem(item: Item): Emergency {
  const { pk: _pk, sk: _sk, alertQ: _q, receivedAt: _r, ...rest } = item
  return rest as unknown as Emergency
}

export function createDynamoEmergencyStore(doc: DynamoDBDocumentClient, tableName: string): EmergencyStore {
  const get = async (id: string) => {
    const out = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: EMERGENCY_PK, sk: id }, ConsistentRead: true }))
    return out.Item ? fromItem(out.Item) : undefined
  }

  /** Writes `next` (rev + 1) only when the stored revision is still `next.rev`. */
  const save = (next: Emergency) =>
    conditional(
      doc.send(
        new PutCommand({
          TableName: tableName,
          Item: toItem({ ...next, rev: next.rev + 1 }),
          ConditionExpression: 'rev = :rev',
          ExpressionAttributeValues: { ':rev': next.rev },
        }),
      ),
    )

  async function query(input: { index?: string; key: string; values: Record<string, unknown>; limit?: number; forward?: boolean }) {
    const items = await queryItems(
      doc,
      {
        TableName: tableName,
        IndexName: input.index,
        KeyConditionExpression: input.key,
        ExpressionAttributeValues: input.values,
        ScanIndexForward: input.forward ?? true,
      },
      input.limit,
    )
    return items.map(fromItem)
  }

  return {
    get,
    create: (emergency) =>
      conditional(
        doc.send(new PutCommand({ TableName: tableName, Item: toItem(emergency), ConditionExpression: 'attribute_not_exists(pk)' })),
      ),
    async update(id, change) {
      for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
        const current = await get(id)
        if (!current) return undefined
        const next = change(current)
        if (next === current) return current
        if (await save({ ...next, rev: current.rev })) return { ...next, rev: current.rev + 1 }
      }
      throw new EmergencyUpdateConflictError(`emergency ${id} kept changing under ${MAX_UPDATE_ATTEMPTS} attempts`)
    },
    async list() {
      const all = await query({ key: 'pk = :pk', values: { ':pk': EMERGENCY_PK } })
      return all.sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    },
    due: (now, limit) =>
      query({
        index: 'alertOutbox',
        key: 'alertQ = :q AND receivedAt <= :now',
        values: { ':q': WAKE_QUEUE, ':now': now.toISOString() },
        limit,
      }),
  }
}
