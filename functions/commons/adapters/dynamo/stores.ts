// DynamoDB implementation of the domain's stores: one table, single-item conditional writes.
//
// Items:
//   record version  pk REC#<recordId>      sk V#<000001>   (+ byDay, and outbox marks while pending)
//   unit            pk UNIT                 sk <unitId>
//   row counter     pk SHEET                sk COUNTER#<tab>  (+ blockIds: the records of the last block reserved)
//   row claim       pk ROW#<tab>#<recordId> sk ROW
//   setting         pk SETTING              sk <name>
//   (sessions and refusal counts: access.ts; notices: notices.ts)
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  type ScanCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import { latestPerRecord, type RecordVersion, type Unit } from '../../model.ts'
import type { RecordStore, RowStore, SettingsStore, Stores, UnitStore, VersionRef } from '../../store.ts'
import { createRefusalCounter, createSessionStore } from './access.ts'
import { createAlertRateStore } from './alert-rates.ts'
import { conditional } from './conditional.ts'
import { createNoticeStore } from './notices.ts'
import { getItems, type Item, mapBounded, queryItems, scanItems } from './paging.ts'

const MIRROR_QUEUE = 'mirror'
/** the unit attributes an edit replaces (`name` and `type` are reserved words: always by placeholder) */
const PROFILE_FIELDS = ['name', 'type', 'forms', 'sites', 'contact', 'webhook'] as const
const ALERT_QUEUE = 'alert'
/** alerts beyond their unit's rate (emergencies/unit-rate.ts): taken after every other unit's */
const HELD_ALERT_QUEUE = 'alert-held'
/** record ids kept with the last reserved block of sheet rows, at most */
const MAX_BLOCK_IDS = 1000
const pad = (version: number) => String(version).padStart(6, '0')
const versionKey = (ref: VersionRef) => ({ pk: `REC#${ref.recordId}`, sk: `V#${pad(ref.version)}` })

function toItem(v: RecordVersion): Item {
  return {
    ...versionKey(v),
    dayKey: `DAY#${v.formId}#${v.date}`,
    daySort: `${v.recordId}#${pad(v.version)}`,
    recordId: v.recordId,
    formId: v.formId,
    unitId: v.unitId,
    date: v.date,
    version: v.version,
    formVersion: v.formVersion,
    values: v.values,
    receivedAt: v.receivedAt,
    firstReceivedAt: v.firstReceivedAt,
    idempotencyKey: v.idempotencyKey,
    alert: v.alert,
    // Outbox marks are the sparse index keys: present means "still to do".
    mirrorQ: v.pendingMirror ? MIRROR_QUEUE : undefined,
    alertQ: v.pendingAlert ? (v.alert?.overRate?.kind === 'more' ? HELD_ALERT_QUEUE : ALERT_QUEUE) : undefined,
  }
}

/** A stored version item as the domain's RecordVersion (also read by the crash bench's audit). */
export function recordVersionOf(item: Item): RecordVersion {
  return {
    recordId: item.recordId as string,
    formId: item.formId as string,
    unitId: item.unitId as string,
    date: item.date as string,
    version: item.version as number,
    ...(typeof item.formVersion === 'number' ? { formVersion: item.formVersion } : {}),
    values: (item.values ?? {}) as RecordVersion['values'],
    receivedAt: item.receivedAt as string,
    firstReceivedAt: (item.firstReceivedAt ?? item.receivedAt) as string,
    idempotencyKey: item.idempotencyKey as string,
    ...(item.alert ? { alert: item.alert as NonNullable<RecordVersion['alert']> } : {}),
    pendingMirror: item.mirrorQ !== undefined,
    pendingAlert: item.alertQ !== undefined,
  }
}

export function createDynamoStores(doc: DynamoDBDocumentClient, tableName: string): Stores {
  const queryAll = (input: Omit<QueryCommandInput, 'TableName'>, limit?: number) =>
    queryItems(doc, { ...input, TableName: tableName }, limit)

  const scanAll = (input: Omit<ScanCommandInput, 'TableName'>) => scanItems(doc, { ...input, TableName: tableName })

  /**
   * Versions marked on a queue, oldest first, as the items themselves hold them: an index entry
   * may be stale (DynamoDB's indexes are eventually consistent; dynalite can leave an entry behind
   * when killed mid-put), so the index only says where to look and the items are read by key.
   */
  const pendingOn = async (index: string, attribute: string, queue: string, limit: number) => {
    const entries = await queryAll(
      {
        IndexName: index,
        KeyConditionExpression: '#q = :q',
        ExpressionAttributeNames: { '#q': attribute },
        ExpressionAttributeValues: { ':q': queue },
        Limit: Math.min(limit, 1000),
      },
      limit,
    )
    const keys = [...new Map(entries.map((e) => [`${e.pk}\n${e.sk}`, { pk: e.pk, sk: e.sk }])).values()]
    const items = new Map((await getItems(doc, tableName, keys)).map((item) => [`${item.pk}\n${item.sk}`, item]))
    return keys.flatMap((key) => {
      const item = items.get(`${key.pk}\n${key.sk}`)
      return item && item[attribute] === queue ? [recordVersionOf(item)] : []
    })
  }

  const removeMark = (ref: VersionRef, attribute: string) =>
    doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: versionKey(ref),
        UpdateExpression: 'REMOVE #m',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#m': attribute },
      }),
    )

  const records: RecordStore = {
    async versions(recordId) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':pk': `REC#${recordId}`, ':v': 'V#' },
        ConsistentRead: true,
      })
      return items.map(recordVersionOf)
    },
    async currentOf(recordIds) {
      const newest = await mapBounded(recordIds, async (recordId) => {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
            ExpressionAttributeValues: { ':pk': `REC#${recordId}`, ':v': 'V#' },
            ScanIndexForward: false,
            Limit: 1,
            ConsistentRead: true,
          }),
        )
        return out.Items?.[0]
      })
      return newest.filter((item) => item !== undefined).map(recordVersionOf)
    },
    putVersion(version) {
      return conditional(
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: toItem(version),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      )
    },
    async currentOfDay(formId, date) {
      const items = await queryAll({
        IndexName: 'byDay',
        KeyConditionExpression: 'dayKey = :d',
        ExpressionAttributeValues: { ':d': `DAY#${formId}#${date}` },
      })
      return latestPerRecord(items.map(recordVersionOf))
    },
    async currentOfAll() {
      const items = await scanAll({
        FilterExpression: 'begins_with(pk, :rec)',
        ExpressionAttributeValues: { ':rec': 'REC#' },
      })
      return latestPerRecord(items.map(recordVersionOf))
    },
    pendingMirror: (limit) => pendingOn('mirrorOutbox', 'mirrorQ', MIRROR_QUEUE, limit),
    async clearMirror(refs) {
      await mapBounded(refs, (ref) => conditional(removeMark(ref, 'mirrorQ')))
    },
    async reopen(reopening) {
      await doc.send(new PutCommand({ TableName: tableName, Item: { pk: `REOPEN#${reopening.recordId}`, sk: reopening.at, ...reopening } }))
    },
    async lastReopening(recordId) {
      const out = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `REOPEN#${recordId}` },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      )
      const item = out.Items?.[0]
      return item ? { recordId, by: item.by as string, at: item.at as string, until: item.until as string } : undefined
    },
    async pendingAlerts(limit) {
      // A flood held back by its unit's rate waits behind every other unit's alerts.
      const first = await pendingOn('alertOutbox', 'alertQ', ALERT_QUEUE, limit)
      if (first.length >= limit) return first
      return [...first, ...(await pendingOn('alertOutbox', 'alertQ', HELD_ALERT_QUEUE, limit - first.length))]
    },
    async clearAlert(ref) {
      await conditional(removeMark(ref, 'alertQ'))
    },
  }

  const units: UnitStore = {
    async get(id) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: 'UNIT', sk: id }, ConsistentRead: true }))
      return out.Item ? unitFromItem(out.Item) : undefined
    },
    async list() {
      const items = await queryAll({ KeyConditionExpression: 'pk = :u', ExpressionAttributeValues: { ':u': 'UNIT' } })
      return items.map(unitFromItem)
    },
    create(unit) {
      return conditional(
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: 'UNIT', sk: unit.id, ...unit },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      )
    },
    replaceToken(id, tokenHash, at) {
      return conditional(
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: 'UNIT', sk: id },
            UpdateExpression: 'SET tokenHash = :h, rotatedAt = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':h': tokenHash, ':at': at },
          }),
        ),
      )
    },
    updateProfile(id, profile) {
      // Only these attributes: a concurrent rotation's token hash is never written back.
      const set = PROFILE_FIELDS.filter((f) => profile[f] !== undefined)
      const remove = PROFILE_FIELDS.filter((f) => profile[f] === undefined)
      return conditional(
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: 'UNIT', sk: id },
            UpdateExpression: [
              `SET ${set.map((f) => `#${f} = :${f}`).join(', ')}`,
              remove.length ? `REMOVE ${remove.map((f) => `#${f}`).join(', ')}` : '',
            ]
              .join(' ')
              .trim(),
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: Object.fromEntries(PROFILE_FIELDS.map((f) => [`#${f}`, f])),
            ExpressionAttributeValues: Object.fromEntries(set.map((f) => [`:${f}`, profile[f]])),
          }),
        ),
      )
    },
    retire(id, at) {
      return conditional(
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: 'UNIT', sk: id },
            UpdateExpression: 'SET retiredAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(retiredAt)',
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      )
    },
  }

  const claimKey = (tab: string, recordId: string) => ({ pk: `ROW#${tab}#${recordId}`, sk: 'ROW' })
  const counterKey = (tab: string) => ({ pk: 'SHEET', sk: `COUNTER#${tab}` })

  /** Claims `row` for the record; when a concurrent pass claimed the record first, its row wins (ours stays blank). */
  async function claimRow(tab: string, recordId: string, row: number): Promise<number> {
    const claimed = await conditional(
      doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...claimKey(tab, recordId), row },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    )
    if (claimed) return row
    const out = await doc.send(new GetCommand({ TableName: tableName, Key: claimKey(tab, recordId), ConsistentRead: true }))
    return out.Item?.row as number
  }

  const rows: RowStore = {
    async rowsFor(tab, recordIds) {
      const idOfKey = new Map(recordIds.map((id) => [claimKey(tab, id).pk, id]))
      const claimed = await getItems(
        doc,
        tableName,
        recordIds.map((id) => claimKey(tab, id)),
      )
      const found = new Map(claimed.map((item) => [idOfKey.get(item.pk as string) as string, item.row as number]))
      let missing = recordIds.filter((id) => !found.has(id))
      if (missing.length === 0) return found
      // The last block reserved keeps its records' ids on the counter. A pass that died between
      // reserving and claiming left them there: they take up the rows reserved for them (no one
      // else may), so a crash leaves no blank rows behind.
      const counter = (await doc.send(new GetCommand({ TableName: tableName, Key: counterKey(tab), ConsistentRead: true }))).Item
      const blockIds = (counter?.blockIds ?? []) as string[]
      if (blockIds.length > 0) {
        const offsets = new Map(blockIds.map((id, i) => [id, i]))
        const blockFirst = (counter?.lastRow as number) - blockIds.length + 2
        const resumed = missing.filter((id) => offsets.has(id))
        await mapBounded(resumed, async (id) => found.set(id, await claimRow(tab, id, blockFirst + (offsets.get(id) as number))))
        missing = missing.filter((id) => !offsets.has(id))
        if (missing.length === 0) return found
      }
      // One atomic counter bump reserves a block of rows for this whole pass, and names its records
      // (up to MAX_BLOCK_IDS: the item stays far below DynamoDB's 400 KB).
      const named = missing.length <= MAX_BLOCK_IDS
      const bumped = await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: counterKey(tab),
          UpdateExpression: named ? 'ADD lastRow :n SET blockIds = :ids' : 'ADD lastRow :n REMOVE blockIds',
          ExpressionAttributeValues: { ':n': missing.length, ...(named ? { ':ids': missing } : {}) },
          ReturnValues: 'UPDATED_NEW',
        }),
      )
      // Data rows start below the header row (row 1).
      const firstRow = (bumped.Attributes?.lastRow as number) - missing.length + 2
      await mapBounded(missing, async (id, i) => found.set(id, await claimRow(tab, id, firstRow + i)))
      return found
    },
  }

  const settings: SettingsStore = {
    async get(name) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: 'SETTING', sk: name }, ConsistentRead: true }))
      return out.Item?.value as string | undefined
    },
    async put(name, value) {
      await doc.send(new PutCommand({ TableName: tableName, Item: { pk: 'SETTING', sk: name, value } }))
    },
  }

  return {
    records,
    units,
    rows,
    settings,
    notices: createNoticeStore(doc, tableName),
    sessions: createSessionStore(doc, tableName),
    refusals: createRefusalCounter(doc, tableName),
    alertRates: createAlertRateStore(doc, tableName),
  }
}

function unitFromItem(item: Item): Unit {
  return {
    id: item.id as string,
    name: item.name as string,
    forms: (item.forms ?? []) as string[],
    ...(item.type ? { type: item.type as Unit['type'] } : {}),
    ...(item.sites ? { sites: item.sites as string[] } : {}),
    ...(item.contact ? { contact: item.contact as NonNullable<Unit['contact']> } : {}),
    ...(item.webhook ? { webhook: item.webhook as string } : {}),
    tokenHash: item.tokenHash as string,
    createdAt: item.createdAt as string,
    ...(item.rotatedAt ? { rotatedAt: item.rotatedAt as string } : {}),
    ...(item.retiredAt ? { retiredAt: item.retiredAt as string } : {}),
  }
}
