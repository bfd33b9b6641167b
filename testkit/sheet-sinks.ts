// The two sheet sinks as the shared sheet scenarios see them: each real sink on its own test
// server (Google's Sheets v4, Feishu's open API), with faults named by what they mean rather
// than by each API's request kinds and codes.
import { createFeishuSheetSink, type FeishuSinkOptions } from '#commons/adapters/feishu-sheets.ts'
import { createGoogleSheetSink, createSheetsClient, type GoogleSinkOptions } from '#commons/adapters/google-sheets.ts'
import { silentLogger } from '#commons/log.ts'
import type { SheetSink } from '#commons/sheet/sink.ts'
import { type FeishuSheetsServer, startFeishuSheetsServer } from './feishu-sheets-server.ts'
import { type SheetsServer, startSheetsServer } from './sheets-server.ts'

/** what both sinks take, for tests: pacing, backoff, limits, the clock */
export type SinkTuning = Partial<
  Pick<GoogleSinkOptions & FeishuSinkOptions, 'sleep' | 'timeoutMs' | 'maxRetries' | 'retryBudgetMs' | 'maxRequestBytes'>
>

/** which requests a fault hits: the value writes, the read of the tabs, or any */
type Target = 'values' | 'read' | 'any'

type SheetFault =
  | { kind: 'rate-limit'; waitS?: number }
  | { kind: 'server'; status: number }
  /** the sheet is not shared with us */
  | { kind: 'refused' }
  /** the sheet is not there */
  | { kind: 'missing' }

export interface SheetUnderTest {
  name: 'Google' | 'Feishu'
  /** a sink on its own client, as another process would have; no pacing and tiny backoffs */
  sink(tuning?: SinkTuning): SheetSink
  /** the local system's environment for this sheet */
  env: Record<string, string>
  values(tab: string): (string | number)[][]
  /** as values(), with dates shown as the sheet shows them */
  displayed(tab: string): (string | number)[][]
  formulas(tab: string): { a1: string; formula: string }[]
  titles(): string[]
  failNext(n: number, fault: SheetFault, on?: Target): void
  delayNext(n: number, ms: number): void
  editByHand(tab: string, row: number, values: (string | number)[]): void
  /** failed requests (429 or 5xx, rate limits, timeouts answered late count as 0) */
  failedRequests(): { status: number }[]
  /** value write requests, and all write requests */
  writes(): { values: number; all: number }
  close(): Promise<void>
}

const fast = { log: silentLogger, minWriteIntervalMs: 0, baseBackoffMs: 1, maxBackoffMs: 5, timeoutMs: 10_000 }

export async function googleSheet(server?: SheetsServer): Promise<SheetUnderTest & { server: SheetsServer }> {
  const s = server ?? (await startSheetsServer({ tabs: ['Sheet1'] }))
  const kinds: Record<Target, string | undefined> = { values: 'values.batchUpdate', read: 'spreadsheets.get', any: undefined }
  return {
    name: 'Google',
    server: s,
    sink: (tuning = {}) =>
      createGoogleSheetSink(createSheetsClient({ accessToken: s.token, rootUrl: s.url }), {
        spreadsheetId: s.spreadsheetId,
        ...fast,
        ...tuning,
      }),
    env: { SHEET_ID: s.spreadsheetId, GOOGLE_ACCESS_TOKEN: s.token, SHEETS_API_URL: s.url },
    values: (tab) => s.values(tab) as (string | number)[][],
    displayed: (tab) => s.displayed(tab) as (string | number)[][],
    formulas: (tab) => s.formulas(tab),
    titles: () => s.tabs().map((t) => t.title),
    failNext(n, fault, on = 'any') {
      const kind = kinds[on]
      const status = fault.kind === 'rate-limit' ? 429 : fault.kind === 'server' ? fault.status : fault.kind === 'refused' ? 403 : 404
      s.failNext(n, {
        status,
        ...(fault.kind === 'rate-limit' && fault.waitS !== undefined ? { retryAfterS: fault.waitS } : {}),
        ...(kind ? { kind } : {}),
      })
    },
    delayNext: (n, ms) => s.delayNext(n, ms),
    editByHand: (tab, row, values) => s.editByHand(tab, row, values),
    failedRequests: () => s.requests.filter((r) => r.status === 0 || r.status >= 429),
    writes: () => ({
      values: s.requests.filter((r) => r.kind === 'values.batchUpdate').length,
      all: s.requests.filter((r) => r.method !== 'GET').length,
    }),
    close: () => s.close(),
  }
}

export async function feishuSheet(server?: FeishuSheetsServer): Promise<SheetUnderTest & { server: FeishuSheetsServer }> {
  const s = server ?? (await startFeishuSheetsServer({ tabs: ['Sheet1'] }))
  const kinds: Record<Target, string | undefined> = { values: 'values_batch_update', read: 'metainfo', any: undefined }
  return {
    name: 'Feishu',
    server: s,
    sink: (tuning = {}) =>
      createFeishuSheetSink({
        spreadsheetToken: s.spreadsheetToken,
        appId: s.appId,
        appSecret: s.appSecret,
        apiUrl: s.url,
        ...fast,
        ...tuning,
      }),
    env: { FEISHU_SHEET_TOKEN: s.spreadsheetToken, FEISHU_APP_ID: s.appId, FEISHU_APP_SECRET: s.appSecret, FEISHU_API_URL: s.url },
    values: (tab) => s.values(tab),
    displayed: (tab) => s.displayed(tab),
    formulas: (tab) => s.formulas(tab),
    titles: () => s.tabs().map((t) => t.title),
    failNext(n, fault, on = 'any') {
      const kind = kinds[on]
      const where = kind ? { kind } : {}
      if (fault.kind === 'rate-limit')
        s.failNext(n, { status: 429, ...(fault.waitS !== undefined ? { resetS: fault.waitS } : {}), ...where })
      else if (fault.kind === 'server') s.failNext(n, { status: fault.status, code: 90203, ...where })
      else s.failNext(n, { code: fault.kind === 'refused' ? 90213 : 90214, ...where })
    },
    delayNext: (n, ms) => s.delayNext(n, ms),
    editByHand: (tab, row, values) => s.editByHand(tab, row, values),
    failedRequests: () => s.requests.filter((r) => r.status === 0 || r.status >= 429),
    writes: () => ({ values: s.requests.filter((r) => r.kind === 'values_batch_update').length, all: s.writeRequestCount() }),
    close: () => s.close(),
  }
}

export const sheetsUnderTest = [
  { name: 'Google', start: () => googleSheet() },
  { name: 'Feishu', start: () => feishuSheet() },
] as const
