// The leaders' sheet in Feishu (飞书) Sheets as a SheetSink, over the open platform's v2 sheets API
// with plain fetch (no SDK). For mainland China, where Google is out of reach.
//
// Auth: an internal app's tenant_access_token (app id + secret), cached and fetched again when
// less than 30 minutes are left (Feishu then hands out a new one); an API answer that the token
// is invalid (99991663) fetches a new one once.
//
// Per batch: one metainfo read; a sheets_batch_update only when a tab is missing or must move or
// freeze; rows and columns added (dimension_range) where a grid is too small; the layout (header
// style, date formats, column widths, status colours as conditional formats) where this process
// has not yet written the current one, or on a rebuild; then values_batch_update in chunks within
// Feishu's limits (5,000 rows x 100 columns per write, a body budget). Never values_append:
// rows are keyed, so any retry rewrites the same cells.
import { createHash } from 'node:crypto'
import type { Logger } from '../log.ts'
import { type Failure, retrying, SheetWriteError, type SinkPacing } from '../sheet/retry.ts'
import {
  type Cell,
  fittedWidths,
  gridNeeds,
  rowsOf,
  type SheetBatch,
  type SheetSink,
  type TabLayout,
  TONES,
  typedCell,
} from '../sheet/sink.ts'

/** Feishu allows 100 requests a second per API, and 5,000 rows per write. */
export interface FeishuSinkOptions extends SinkPacing {
  /** the token in the sheet's address: https://…feishu.cn/sheets/<token> (FEISHU_SHEET_TOKEN) */
  spreadsheetToken: string
  appId: string
  appSecret: string
  /** the open platform's root (FEISHU_API_URL): https://open.feishu.cn, or https://open.larksuite.com */
  apiUrl?: string
  log: Logger
  /** rows per write: Feishu takes at most 5,000 */
  maxRowsPerWrite?: number
  fetch?: typeof fetch
}

export interface FeishuSheetSink extends SheetSink {
  readonly path: string
  ready(): Promise<void>
}

/** Feishu's limits (open.feishu.cn, sheets v2): columns per write, rows per dimension_range call. */
const MAX_COLUMNS_PER_WRITE = 100
const MAX_DIMENSION_STEP = 5000
/** condition formats per call */
const MAX_CONDITION_FORMATS_PER_CALL = 10
/** grow in steps so that a steady trickle of new rows rarely costs a structure request */
const GROW_ROWS = 1000
/** a token with less than this left is fetched again (Feishu then issues a new one) */
const TOKEN_REFRESH_MS = 30 * 60_000

/** Auth failures: missing (99991661), malformed (99991671), invalid or expired (99991663). */
const TOKEN_INVALID = 99991663
const AUTH_CODES = new Set([99991661, 99991671, TOKEN_INVALID])
/** too many requests: the gateway's 99991400, and the sheets API's own 90217 */
const RATE_LIMITED = new Set([99991400, 90217])
const FORBIDDEN = 90213
const TITLE_TAKEN = 90210
/** the app lacks the API permission (scope) */
const NO_SCOPE = 99991672
const NOT_FOUND = new Set([90214, 90215])

const fixForbidden = (appId: string) =>
  `在飞书中打开表格，“…”→“添加文档应用”，把本系统的应用 ${appId} (FEISHU_APP_ID) 添加为可编辑的协作者 (add the app to the spreadsheet as a collaborator)。`
const FIX_NO_SCOPE = '在飞书开放平台为应用开通“查看、评论、编辑和管理电子表格”(sheets:spreadsheet) 权限并发布版本。'
const FIX_NOT_FOUND = '检查 FEISHU_SHEET_TOKEN 是否为表格地址 …/sheets/TOKEN 中的 TOKEN，且表格仍在。'
const FIX_AUTH = '检查 FEISHU_APP_ID 与 FEISHU_APP_SECRET（飞书开放平台 → 应用 → 凭证与基础信息）。'

/** What Feishu answered: HTTP status, its body code and message, the wait a 429 asks for. */
class FeishuApiError extends Error {
  override name = 'FeishuApiError'
  constructor(
    readonly httpStatus: number,
    readonly code: number | undefined,
    msg: string,
    readonly resetS: number | undefined,
    /** the token endpoint refused the app id or secret */
    readonly auth = false,
  ) {
    super(`HTTP ${httpStatus}${code !== undefined ? `, code ${code}` : ''}: ${msg}`)
  }
}

/** The retry loop's reading of a failure; the status is the one the sheet's health knows (403 refused, 404 not there). */
function failureOf(error: unknown, appId: string): Failure {
  if (!(error instanceof FeishuApiError)) {
    // timeouts, resets, refused connections: the write may or may not have happened; keyed rows make a retry safe
    return { status: undefined, retryAfterMs: undefined, transient: true, why: `network: ${(error as Error)?.message ?? error}` }
  }
  const { httpStatus, code, resetS } = error
  const retryAfterMs = resetS !== undefined ? resetS * 1000 : undefined
  const why = error.message
  if (code === FORBIDDEN) return { status: 403, retryAfterMs, transient: false, why, fix: fixForbidden(appId) }
  if (code === NO_SCOPE) return { status: 403, retryAfterMs, transient: false, why, fix: FIX_NO_SCOPE }
  if (code !== undefined && NOT_FOUND.has(code)) return { status: 404, retryAfterMs, transient: false, why, fix: FIX_NOT_FOUND }
  if (error.auth || (code !== undefined && AUTH_CODES.has(code))) return { status: 401, retryAfterMs, transient: false, why, fix: FIX_AUTH }
  const transient = httpStatus === 429 || httpStatus >= 500 || (code !== undefined && RATE_LIMITED.has(code))
  return { status: httpStatus, retryAfterMs, transient, why }
}

function columnLetters(column: number): string {
  let s = ''
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s
  return s
}

/** `<sheetId>!A5:F9`: Feishu names a tab by its id, and a range must cover what is written (a single cell as A1:A1). */
const range = (sheetId: string, row: number, column: number, rows: number, columns: number) =>
  `${sheetId}!${columnLetters(column)}${row}:${columnLetters(column + columns - 1)}${row + rows - 1}`

const hex = ([r, g, b]: [number, number, number]) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`
const HEADER_FILL = '#e8eaed'
const FORMATTER = { date: 'yyyy-MM-dd', datetime: 'yyyy-MM-dd HH:mm:ss' }
/** pixels per narrow character at the default font, plus the cell's padding (as on Google) */
const PIXELS_PER_CHAR = 7
const CELL_PADDING_PX = 8

/** what makes a layout new; widths are fitted to the rows of the pass that writes it, as on Google */
const layoutHash = (layout: TabLayout) =>
  createHash('sha256')
    .update(JSON.stringify([layout.header, layout.keys, layout.kinds ?? [], layout.highlights ?? []]))
    .digest('base64url')
    .slice(0, 22)

interface TabInfo {
  sheetId: string
  index: number
  rows: number
  columns: number
  frozenRows: number
  frozenColumns: number
}

/** values written from column `column` of `row` down */
interface Block {
  tab: string
  row: number
  column: number
  values: Cell[][]
}

/** Feishu refuses JSON booleans (90204); a Cell is text or a number, and a number must be finite. */
const feishuCell = (cell: Cell): Cell => (typeof cell === 'number' && !Number.isFinite(cell) ? String(cell) : cell)

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export function createFeishuSheetSink(options: FeishuSinkOptions): FeishuSheetSink {
  const {
    spreadsheetToken,
    appId,
    appSecret,
    apiUrl = 'https://open.feishu.cn',
    log,
    timeoutMs = 30_000,
    maxRetries = 6,
    retryBudgetMs = 60_000,
    baseBackoffMs = 1000,
    maxBackoffMs = 32_000,
    minWriteIntervalMs = 20,
    maxRequestBytes = 1_800_000,
    maxRowsPerWrite = 5000,
    sleep = realSleep,
    now = Date.now,
    fetch: fetchFn = fetch,
  } = options
  const root = apiUrl.replace(/\/+$/, '')
  const base = `${root}/open-apis/sheets/v2/spreadsheets/${encodeURIComponent(spreadsheetToken)}`
  let token: { value: string; refreshAt: number } | undefined
  let lastWriteAt = -Infinity
  let queue: Promise<void> = Promise.resolve()
  /** the layout this process last wrote to each tab (sheetId → hash): Feishu keeps no metadata for it */
  const laidOut = new Map<string, string>()

  async function request<T>(method: string, url: string, body: unknown, bearer: string | undefined): Promise<T> {
    const res = await fetchFn(url, {
      method,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    })
    const text = await res.text()
    let json: { code?: unknown; msg?: unknown; data?: unknown } & Record<string, unknown> = {}
    try {
      json = JSON.parse(text)
    } catch {
      // a gateway's HTML error page: the status says enough
    }
    const code = typeof json.code === 'number' ? json.code : undefined
    if (!res.ok || code !== 0) {
      const reset = Number(res.headers.get('x-ogw-ratelimit-reset'))
      const msg = typeof json.msg === 'string' ? json.msg : text.slice(0, 200)
      throw new FeishuApiError(res.status, code, msg, Number.isFinite(reset) && reset > 0 ? reset : undefined)
    }
    return json as T
  }

  async function tenantToken(): Promise<string> {
    if (token && now() < token.refreshAt) return token.value
    const answer = await request<{ tenant_access_token: string; expire: number }>(
      'POST',
      `${root}/open-apis/auth/v3/tenant_access_token/internal`,
      { app_id: appId, app_secret: appSecret },
      undefined,
    ).catch((error: unknown) => {
      // a refused app id or secret is not mended by a retry; a rate limit or a server error may be
      if (error instanceof FeishuApiError && error.httpStatus !== 429 && error.httpStatus < 500 && !RATE_LIMITED.has(error.code ?? 0))
        throw new FeishuApiError(error.httpStatus, error.code, `tenant_access_token refused: ${error.message}`, error.resetS, true)
      throw error
    })
    token = { value: answer.tenant_access_token, refreshAt: now() + Math.max(0, answer.expire * 1000 - TOKEN_REFRESH_MS) }
    return token.value
  }

  /** one sheets API call; a token Feishu no longer takes is fetched again, once */
  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const send = async () => (await request<{ data: T }>(method, `${base}${path}`, body, await tenantToken())).data
    try {
      return await send()
    } catch (error) {
      if (!(error instanceof FeishuApiError) || error.code !== TOKEN_INVALID) throw error
      token = undefined
      return send()
    }
  }

  async function ready(): Promise<void> {
    const wait = lastWriteAt + minWriteIntervalMs - now()
    if (wait > 0) await sleep(wait)
  }

  async function write<T>(method: string, path: string, body: unknown): Promise<T> {
    await ready()
    lastWriteAt = now()
    return api<T>(method, path, body)
  }

  async function tabInfos(): Promise<Map<string, TabInfo>> {
    const data = await api<{
      sheets?: {
        sheetId: string
        title: string
        index: number
        rowCount: number
        columnCount: number
        frozenRowCount?: number
        frozenColCount?: number
      }[]
    }>('GET', '/metainfo')
    return new Map(
      (data.sheets ?? []).map((s) => [
        s.title,
        {
          sheetId: s.sheetId,
          index: s.index,
          rows: s.rowCount,
          columns: s.columnCount,
          frozenRows: s.frozenRowCount ?? 0,
          frozenColumns: s.frozenColCount ?? 0,
        },
      ]),
    )
  }

  /** grid rows (and columns) added at the end, at most 5,000 a call */
  async function grow(sheetId: string, majorDimension: 'ROWS' | 'COLUMNS', length: number): Promise<void> {
    for (let left = length; left > 0; left -= MAX_DIMENSION_STEP) {
      await write('POST', '/dimension_range', { dimension: { sheetId, majorDimension, length: Math.min(left, MAX_DIMENSION_STEP) } })
    }
  }

  /** The date columns' formats over rows `from`..`to` (a style range is at most 5,000 rows). */
  function dateStyles(layout: TabLayout, sheetId: string, from: number, to: number) {
    const styles: { ranges: string[]; style: Record<string, unknown> }[] = []
    for (const [i, kind] of (layout.kinds ?? []).entries()) {
      if (kind !== 'date' && kind !== 'datetime') continue
      const ranges: string[] = []
      for (let row = from; row <= to; row += maxRowsPerWrite)
        ranges.push(range(sheetId, row, i + 1, Math.min(maxRowsPerWrite, to - row + 1), 1))
      if (ranges.length > 0) styles.push({ ranges, style: { formatter: FORMATTER[kind] } })
    }
    return styles
  }

  /** The tab's look: header style, date formats, widths, colours; written when this process has not written this layout yet. */
  async function layOut(layout: TabLayout, tab: TabInfo, rows: Cell[][], fresh: boolean): Promise<void> {
    const { sheetId } = tab
    const columns = layout.header.length
    await write('PUT', '/styles_batch_update', {
      data: [
        { ranges: [range(sheetId, 1, 1, 1, columns)], style: { font: { bold: true }, backColor: HEADER_FILL } },
        ...dateStyles(layout, sheetId, 2, tab.rows),
      ],
    })
    // equal widths side by side share one request
    const widths = fittedWidths(layout, rows).map((chars) => chars * PIXELS_PER_CHAR + CELL_PADDING_PX)
    for (let start = 0; start < widths.length; ) {
      let end = start
      while (end + 1 < widths.length && widths[end + 1] === widths[start]) end++
      await write('PUT', '/dimension_range', {
        dimension: { sheetId, majorDimension: 'COLUMNS', startIndex: start + 1, endIndex: end + 1 },
        dimensionProperties: { fixedSize: widths[start] },
      })
      start = end + 1
    }
    if (!fresh) {
      const { sheet_condition_formats: old = [] } = await api<{
        sheet_condition_formats?: { sheet_id: string; condition_format: { cf_id: string } }[]
      }>('GET', `/condition_formats?sheet_ids=${encodeURIComponent(sheetId)}`)
      for (let i = 0; i < old.length; i += MAX_CONDITION_FORMATS_PER_CALL) {
        const sheet_cf_ids = old
          .slice(i, i + MAX_CONDITION_FORMATS_PER_CALL)
          .map((f) => ({ sheet_id: f.sheet_id, cf_id: f.condition_format.cf_id }))
        await write('DELETE', '/condition_formats/batch_delete', { sheet_cf_ids })
      }
    }
    const highlights = layout.highlights ?? []
    for (let i = 0; i < highlights.length; i += MAX_CONDITION_FORMATS_PER_CALL) {
      const sheet_condition_formats = highlights.slice(i, i + MAX_CONDITION_FORMATS_PER_CALL).map((h) => ({
        sheet_id: sheetId,
        condition_format: {
          ranges: [`${sheetId}!${columnLetters(h.from + 1)}2:${columnLetters(h.to + 1)}`],
          rule_type: 'containsText',
          attrs: [{ operator: 'beginsWith', text: h.startsWith }],
          style: { back_color: hex(TONES[h.tone].fill), fore_color: hex(TONES[h.tone].text) },
        },
      }))
      await write('POST', '/condition_formats/batch_create', { sheet_condition_formats })
    }
    laidOut.set(sheetId, layoutHash(layout))
  }

  /** Tabs in order, frozen, large enough and laid out as the batch needs them. */
  async function ensureLayout(batch: SheetBatch, need: Map<string, { rows: number; columns: number }>): Promise<Map<string, TabInfo>> {
    let tabs = await tabInfos()
    const layouts = new Map(batch.tabs.map((t, index) => [t.title, { layout: t, index }]))
    const missing = [...need.keys()].filter((title) => !tabs.has(title))
    if (missing.length > 0) {
      const requests = missing.map((title) => ({
        addSheet: { properties: { title, index: Math.min(layouts.get(title)?.index ?? tabs.size, tabs.size) } },
      }))
      await write('POST', '/sheets_batch_update', { requests })
      log.info('sheet tabs added', { tabs: missing.length })
      tabs = await tabInfos()
    }
    const fresh = new Set(missing.map((title) => tabs.get(title)?.sheetId))
    // order and freezing: one request for all tabs that need it
    const updates: unknown[] = []
    for (const [title, { layout, index }] of layouts) {
      const have = tabs.get(title)
      if (!have || !need.has(title)) continue
      const frozen = have.frozenRows === 1 && have.frozenColumns === 1
      const placed = have.index === index
      if (frozen && placed && !batch.relayout && laidOut.has(have.sheetId)) continue
      updates.push({
        updateSheet: { properties: { sheetId: have.sheetId, index, frozenRowCount: 1, frozenColCount: Math.min(1, layout.header.length) } },
      })
    }
    if (updates.length > 0) await write('POST', '/sheets_batch_update', { requests: updates })
    const sized = new Map<string, TabInfo>()
    for (const [title, { rows, columns }] of need) {
      const have = tabs.get(title)
      if (!have) throw new Error(`the tab ${title} was not added`)
      const tab = { ...have }
      if (tab.rows < rows) {
        await grow(tab.sheetId, 'ROWS', rows - tab.rows + GROW_ROWS)
        tab.rows = rows + GROW_ROWS
      }
      if (tab.columns < columns) {
        await grow(tab.sheetId, 'COLUMNS', columns - tab.columns)
        tab.columns = columns
      }
      const laid = layouts.get(title)
      if (laid) {
        if (batch.relayout || laidOut.get(tab.sheetId) !== layoutHash(laid.layout)) {
          await layOut(laid.layout, tab, rowsOf(batch, title), fresh.has(tab.sheetId))
        } else if (tab.rows > have.rows) {
          // the rows just added get the date formats too
          const data = dateStyles(laid.layout, tab.sheetId, have.rows + 1, tab.rows)
          if (data.length > 0) await write('PUT', '/styles_batch_update', { data })
        }
      }
      sized.set(title, tab)
    }
    return sized
  }

  /** headers, whole-tab replacements (padded with '' to clear what was there), keyed rows */
  function blocks(batch: SheetBatch, tabs: Map<string, TabInfo>): Block[] {
    const out: Block[] = batch.tabs.map((t) => ({ tab: t.title, row: 1, column: 1, values: [t.header] }))
    const kinds = new Map(batch.tabs.map((t) => [t.title, t.kinds ?? []]))
    const typed = (tab: string, row: Cell[]) => row.map((cell, i) => feishuCell(typedCell(cell, kinds.get(tab)?.[i])))
    for (const { tab, rows } of batch.replace ?? []) {
      const grid = tabs.get(tab)
      const width = Math.max(grid?.columns ?? 0, ...rows.map((r) => r.length))
      const height = Math.max((grid?.rows ?? 0) - 1, rows.length)
      const padded = Array.from({ length: height }, (_, i) => {
        const row = typed(tab, rows[i] ?? [])
        return [...row, ...Array<Cell>(width - row.length).fill('')]
      })
      out.push({ tab, row: 2, column: 1, values: padded })
    }
    for (const w of batch.rows) out.push({ tab: w.tab, row: w.row, column: 1, values: [typed(w.tab, w.cells)] })
    return out
  }

  /** Value ranges under Feishu's limits: at most 100 columns and `maxRowsPerWrite` rows a range and a request, and the byte budget. */
  function chunks(all: Block[]): Block[][] {
    const pieces: Block[] = []
    for (const block of all) {
      const width = Math.max(1, ...block.values.map((r) => r.length))
      for (let c = 0; c < width; c += MAX_COLUMNS_PER_WRITE) {
        for (let r = 0; r < block.values.length; r += maxRowsPerWrite) {
          const values = block.values.slice(r, r + maxRowsPerWrite).map((row) => row.slice(c, c + MAX_COLUMNS_PER_WRITE))
          if (values.every((row) => row.length === 0)) continue
          pieces.push({ tab: block.tab, row: block.row + r, column: block.column + c, values })
        }
      }
    }
    const result: Block[][] = []
    let current: Block[] = []
    let size = 0
    let rows = 0
    for (const piece of pieces) {
      // a piece over the byte budget alone is split by rows
      const parts: Block[] = []
      const pieceBytes = bytes(piece.values)
      if (pieceBytes <= maxRequestBytes) parts.push(piece)
      else {
        let start = 0
        while (start < piece.values.length) {
          const part: Cell[][] = []
          let partBytes = 0
          for (let i = start; i < piece.values.length; i++) {
            const rowBytes = bytes(piece.values[i]) + 1
            if (part.length > 0 && partBytes + rowBytes > maxRequestBytes / 2) break
            part.push(piece.values[i] as Cell[])
            partBytes += rowBytes
          }
          parts.push({ ...piece, row: piece.row + start, values: part })
          start += part.length
        }
      }
      for (const part of parts) {
        const partBytes = bytes(part.values)
        if (current.length > 0 && (size + partBytes > maxRequestBytes || rows + part.values.length > maxRowsPerWrite)) {
          result.push(current)
          current = []
          size = 0
          rows = 0
        }
        current.push(part)
        size += partBytes
        rows += part.values.length
      }
    }
    if (current.length > 0) result.push(current)
    return result
  }

  async function applyNow(batch: SheetBatch): Promise<void> {
    const attempt = retrying({ sheet: 'Feishu sheet', log, maxRetries, retryBudgetMs, baseBackoffMs, maxBackoffMs, sleep, now }, (error) =>
      failureOf(error, appId),
    )
    const need = gridNeeds(batch)
    // reads the tabs afresh on every try: a timed-out addSheet may have happened after all
    const layout = () => attempt('layout', () => ensureLayout(batch, need))
    // another process added the same tab first (90210 ExistSheetTitle): look again, once
    const tabs = await layout().catch((error: unknown) => {
      if (error instanceof SheetWriteError && error.cause instanceof FeishuApiError && error.cause.code === TITLE_TAKEN) return layout()
      throw error
    })
    for (const part of chunks(blocks(batch, tabs))) {
      const valueRanges = part.map((b) => {
        const width = Math.max(1, ...b.values.map((r) => r.length))
        const values = b.values.map((r) => [...r, ...Array<Cell>(width - r.length).fill('')])
        return { range: range(tabs.get(b.tab)?.sheetId ?? b.tab, b.row, b.column, values.length, width), values }
      })
      await attempt('values', () => write('POST', '/values_batch_update', { valueRanges }))
    }
  }

  return {
    path: `${root.replace('://open.', '://')}/sheets/${spreadsheetToken}`,
    ready,
    apply(batch) {
      // one batch at a time per process: Feishu takes one write at a time per document, and two layouts planned at once would add a tab twice
      const run = queue.then(() => applyNow(batch))
      queue = run.catch(() => undefined)
      return run
    },
  }
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value))
