// DynamoDB stream batches, as Lambda delivers them, mapped onto the outbox design: a record
// matters when its new image still carries an outbox mark; the worker pass then reads the marks
// from the table itself, so a stream record is only a wake-up call.

/** The parts of a DynamoDB stream event this system reads (the full shape: test/integration/fixtures/). */
export interface DynamoStreamRecord {
  eventID?: string
  eventName?: 'INSERT' | 'MODIFY' | 'REMOVE'
  eventSource?: string
  dynamodb?: {
    Keys?: Record<string, unknown>
    NewImage?: Record<string, unknown>
    SequenceNumber?: string
  }
}

export interface DynamoStreamEvent {
  Records: DynamoStreamRecord[]
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[]
}

export function isStreamEvent(event: unknown): event is DynamoStreamEvent {
  const records = (event as { Records?: unknown } | null)?.Records
  return Array.isArray(records) && records.every((r) => (r as DynamoStreamRecord).eventSource === 'aws:dynamodb')
}

/** Records whose new image carries the outbox mark `attribute` (e.g. mirrorQ). */
export function markedRecords(event: DynamoStreamEvent, attribute: string): DynamoStreamRecord[] {
  return event.Records.filter((r) => r.dynamodb?.NewImage?.[attribute] !== undefined)
}

/**
 * The partial-batch answer after one pass over the outbox: nothing failed, or every marked
 * record from the first one on (Lambda resumes at the lowest failed sequence number anyway).
 */
export function batchResponse(marked: DynamoStreamRecord[], failed: boolean): BatchResponse {
  if (!failed) return { batchItemFailures: [] }
  return {
    batchItemFailures: marked.flatMap((r) => (r.dynamodb?.SequenceNumber ? [{ itemIdentifier: r.dynamodb.SequenceNumber }] : [])),
  }
}
