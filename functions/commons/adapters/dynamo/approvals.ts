// DynamoDB implementation of the approval store, in the one table. Single conditional writes.
//
// Items:
//   event     pk APPROVAL#<recordId>  sk E#<000001>#1 (submitted) | E#<000001>#2 (decision)
//   state     pk APPROVAL#<recordId>  sk STATE and UNITSTATE (the same view, indexed two ways)
//   approver  pk APPROVER             sk <approverId>
//
// The decision of a version has one key whichever way it goes, so a conditional put lets exactly
// one decision in. No new index: the items reuse the table's generic GSIs under partition values
// of their own (GSI overloading), which the record queries never ask for:
//   byDay        dayKey APPROVALS#<status>       daySort    <firstReceivedAt>#<recordId>  (STATE)
//   byDay        dayKey APPROVALS#UNIT#<unitId>  daySort    <firstReceivedAt>#<recordId>  (UNITSTATE)
//   alertOutbox  alertQ approval-notice          receivedAt <at>                 (event, notice pending)
import {
  type DynamoDBDocumentClient,
  PutCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb'
import type { ApprovalEvent, ApprovalState, ApprovalStore } from '../../store.ts'
import { conditional } from './conditional.ts'
import { createLinkHolderStore } from './link-holders.ts'
import { type Item, queryItems } from './paging.ts'

const NOTICE_QUEUE = 'approval-notice'
const pk = (recordId: string) => `APPROVAL#${recordId}`
const eventSk = (e: Pick<ApprovalEvent, 'version' | 'kind'>) => `E#${String(e.version).padStart(6, '0')}#${e.kind === 'submitted' ? 1 : 2}`

function eventFromItem(item: Item): ApprovalEvent {
  return {
    recordId: item.recordId as string,
    version: item.version as number,
    kind: item.kind as ApprovalEvent['kind'],
    unitId: item.unitId as string,
    by: item.by as string,
    byName: item.byName as string,
    ...(typeof item.comment === 'string' ? { comment: item.comment } : {}),
    at: item.at as string,
    pendingNotice: item.alertQ !== undefined,
    ...(Array.isArray(item.noticeDeliveredTo) ? { noticeDeliveredTo: item.noticeDeliveredTo as string[] } : {}),
    ...(typeof item.noticeAttempts === 'number' ? { noticeAttempts: item.noticeAttempts } : {}),
  }
}

function stateFromItem(item: Item): ApprovalState {
  return {
    recordId: item.recordId as string,
    unitId: item.unitId as string,
    version: item.version as number,
    status: item.status as ApprovalState['status'],
    firstReceivedAt: item.firstReceivedAt as string,
    at: item.at as string,
    by: item.by as string,
    byName: item.byName as string,
    ...(typeof item.comment === 'string' ? { comment: item.comment } : {}),
    title: item.title as string,
    channel: item.channel as string,
    seq: item.seq as number,
  }
}

export function createApprovalStore(doc: DynamoDBDocumentClient, tableName: string): ApprovalStore {
  const queryAll = (input: Omit<QueryCommandInput, 'TableName'>, limit?: number) =>
    queryItems(doc, { ...input, TableName: tableName }, limit)
  const updateNoticeOf = async (
    event: ApprovalEvent,
    update: Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'>,
  ) => {
    await conditional(doc.send(new UpdateCommand({ TableName: tableName, Key: { pk: pk(event.recordId), sk: eventSk(event) }, ...update })))
  }

  return {
    async events(recordId) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':pk': pk(recordId), ':e': 'E#' },
        ConsistentRead: true,
      })
      return items.map(eventFromItem)
    },
    putEvent(event) {
      const { pendingNotice, ...rest } = event
      return conditional(
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              pk: pk(event.recordId),
              sk: eventSk(event),
              ...rest,
              ...(pendingNotice ? { alertQ: NOTICE_QUEUE, receivedAt: event.at } : {}),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      )
    },
    async putState(state) {
      const views = [
        { sk: 'STATE', dayKey: `APPROVALS#${state.status}` },
        { sk: 'UNITSTATE', dayKey: `APPROVALS#UNIT#${state.unitId}` },
      ]
      await Promise.all(
        views.map((view) =>
          conditional(
            doc.send(
              new PutCommand({
                TableName: tableName,
                Item: { pk: pk(state.recordId), ...view, ...state, daySort: `${state.firstReceivedAt}#${state.recordId}` },
                ConditionExpression: 'attribute_not_exists(pk) OR seq < :seq',
                ExpressionAttributeValues: { ':seq': state.seq },
              }),
            ),
          ),
        ),
      )
    },
    async byStatus(status, since) {
      const items = await queryAll({
        IndexName: 'byDay',
        KeyConditionExpression: since ? 'dayKey = :k AND daySort >= :s' : 'dayKey = :k',
        ExpressionAttributeValues: { ':k': `APPROVALS#${status}`, ...(since ? { ':s': since } : {}) },
      })
      return items.map(stateFromItem)
    },
    async ofUnit(unitId) {
      const items = await queryAll({
        IndexName: 'byDay',
        KeyConditionExpression: 'dayKey = :k',
        ExpressionAttributeValues: { ':k': `APPROVALS#UNIT#${unitId}` },
      })
      return items.map(stateFromItem)
    },
    async pendingNotices(limit) {
      const items = await queryAll(
        {
          IndexName: 'alertOutbox',
          KeyConditionExpression: 'alertQ = :q',
          ExpressionAttributeValues: { ':q': NOTICE_QUEUE },
          Limit: Math.min(limit, 1000),
        },
        limit,
      )
      return items.map(eventFromItem)
    },
    // Only the notice's bookkeeping changes; the recorded change stays as it was written.
    clearNotice: (event) =>
      updateNoticeOf(event, { UpdateExpression: 'REMOVE alertQ, receivedAt', ConditionExpression: 'attribute_exists(pk)' }),
    noteNoticeAttempt: (event, deliveredTo) =>
      updateNoticeOf(event, {
        UpdateExpression: 'SET noticeDeliveredTo = :to ADD noticeAttempts :one',
        ConditionExpression: 'attribute_exists(alertQ)',
        ExpressionAttributeValues: { ':to': deliveredTo, ':one': 1 },
      }),
    approvers: createLinkHolderStore(doc, tableName, 'APPROVER'),
  }
}
