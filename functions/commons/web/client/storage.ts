// What the client keeps on the device: drafts per form page (localStorage), and the queue of
// submissions not yet answered by the server (IndexedDB, with their photos; localStorage where
// IndexedDB cannot open). Storage may be missing or full (private mode): then nothing is kept,
// and submitting still works while the page is open.

export interface Draft {
  /** the Idempotency-Key of this draft (the form's `_key`) */
  key: string
  savedAt: number
  fields: [string, string][]
}

export interface Queued {
  url: string
  /** the urlencoded form post, `_key` included */
  body: string
  key: string
  /** the draft it came from, which is also the form page's address */
  draft: string
  title: string
  /** when it was queued: the queue is sent oldest first */
  queuedAt?: number
}

import { run } from './device-db.ts'

const QUEUE = 'sf:queue'
const draftName = (draft: string) => `sf:draft:${draft}`

function read<T>(name: string): T | undefined {
  try {
    const text = localStorage.getItem(name)
    return text === null ? undefined : (JSON.parse(text) as T)
  } catch {
    return undefined
  }
}

function write(name: string, value: unknown): void {
  try {
    if (value === undefined) localStorage.removeItem(name)
    else localStorage.setItem(name, JSON.stringify(value))
  } catch {
    // Storage unavailable or full: the page still submits while it is open.
  }
}

/** A form page's draft is keyed by its path and the record it corrects, not by language. */
export function draftKeyOf(href: string): string {
  const url = new URL(href)
  const from = url.searchParams.get('from')
  return url.pathname + (from ? `?from=${encodeURIComponent(from)}` : '')
}

export function loadDraft(draft: string): Draft | undefined {
  const saved = read<Draft>(draftName(draft))
  if (!saved || !Array.isArray(saved.fields) || typeof saved.key !== 'string') return undefined
  // A draft from another day is stale: yesterday's numbers are not today's report.
  if (new Date(saved.savedAt).toDateString() !== new Date().toDateString()) {
    removeDraft(draft)
    return undefined
  }
  return saved
}

export const saveDraft = (draft: string, value: Draft) => write(draftName(draft), value)
export const removeDraft = (draft: string) => write(draftName(draft), undefined)

/** The queue as an earlier version kept it, in localStorage; also where it goes when IndexedDB cannot open. */
function storedQueue(): Queued[] {
  const queue = read<Queued[]>(QUEUE)
  return Array.isArray(queue) ? queue : []
}
const storeQueue = (queue: Queued[]) => write(QUEUE, queue.length > 0 ? queue : undefined)

/** The reports waiting, oldest first. */
export async function loadQueue(): Promise<Queued[]> {
  try {
    const legacy = storedQueue()
    for (const item of legacy) await run('queue', 'readwrite', (store) => store.put(item, item.key))
    if (legacy.length > 0) storeQueue([])
    const queue = (await run('queue', 'readonly', (store) => store.getAll())) as Queued[]
    return queue.sort((a, b) => (a.queuedAt ?? 0) - (b.queuedAt ?? 0))
  } catch {
    return storedQueue()
  }
}

/** Queues a report, or replaces the queued one with its key. */
export async function putQueued(item: Queued): Promise<void> {
  try {
    await run('queue', 'readwrite', (store) => store.put(item, item.key))
  } catch {
    storeQueue([...storedQueue().filter((q) => q.key !== item.key), item])
  }
}

export async function removeQueued(key: string): Promise<void> {
  try {
    await run('queue', 'readwrite', (store) => store.delete(key))
  } catch {
    storeQueue(storedQueue().filter((q) => q.key !== key))
  }
}

const SENT = 'sf:sent'
/** Idempotency keys the server has answered (the last 50): a form page from the cache must not reuse one. */
export const sentKeys = (): string[] => {
  const keys = read<string[]>(SENT)
  return Array.isArray(keys) ? keys : []
}
export const noteSent = (key: string) => write(SENT, [...sentKeys().filter((k) => k !== key), key].slice(-50))
