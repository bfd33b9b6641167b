// The leaders' Google Sheet as a SheetSink, through the Sheets v4 API alone (@googleapis/sheets:
// the whole googleapis package would weigh ~13 MB in a Lambda bundle).
//
// Per batch: one read of the tabs' properties; one spreadsheets.batchUpdate only when a tab is
// missing, its grid is too small, or its layout is not the current one; then values.batchUpdate
// (RAW) in chunks under ~2 MB. Never values.append: rows are keyed, so any retry rewrites the
// same cells.
//
// The layout (tab order, frozen header row and first column, column widths, date formats,
// status colours as conditional formats, a warning-only protection, the column keys as
// developer metadata) is written in that one structure request when a tab's `sentinel.layout`
// metadata differs from the layout's hash, or on a rebuild: once, not on every pass.
import { createHash, randomInt } from 'node:crypto'
import { auth, sheets, type sheets_v4 } from '@googleapis/sheets'
import type { Logger } from '../log.ts'
import { type Failure, retrying, SheetWriteError, type SinkPacing } from '../sheet/retry.ts'
import {
  type Cell,
  type ChartLayout,
  fittedWidths,
  gridNeeds,
  rowsOf,
  type SheetBatch,
  type SheetSink,
  type TabLayout,
  TONES,
  typedCell,
} from '../sheet/sink.ts'

export interface SheetsClientOptions {
  /** a service-account key file (GOOGLE_APPLICATION_CREDENTIALS) */
  credentialsFile?: string
  /** a service-account key already in memory (the Lambda's secret): never written to disk */
  credentials?: { client_email: string; private_key: string }
  /** a ready access token (GOOGLE_ACCESS_TOKEN), e.g. for a local API server */
  accessToken?: string
  /** the API root (SHEETS_API_URL), e.g. http://127.0.0.1:8085/ */
  rootUrl?: string
}

const SCOPES = ['https://www.googleapis.com/auth/spreadsheets']

/**
 * The Sheets client, created once at the edge. Auth comes from the google-auth-library copy that
 * @googleapis/sheets itself uses, so the types match and the bundle holds one copy.
 */
export function createSheetsClient(options: SheetsClientOptions): sheets_v4.Sheets {
  const rootUrl = options.rootUrl
  if (options.accessToken) {
    const client = new auth.OAuth2()
    client.setCredentials({ access_token: options.accessToken })
    return sheets({ version: 'v4', auth: client, ...(rootUrl ? { rootUrl } : {}) })
  }
  const googleAuth = new auth.GoogleAuth({
    scopes: SCOPES,
    ...(options.credentials ? { credentials: options.credentials } : options.credentialsFile ? { keyFile: options.credentialsFile } : {}),
  })
  return sheets({ version: 'v4', auth: googleAuth, ...(rootUrl ? { rootUrl } : {}) })
}

/** Google's quota is 60 writes a minute per user; googleapis sets no request timeout of its own. */
export interface GoogleSinkOptions extends SinkPacing {
  spreadsheetId: string
  log: Logger
}

export interface GoogleSheetSink extends SheetSink {
  /** the sheet's address, for people */
  readonly path: string
  /** resolves when the next write request would keep to the pace (call before gathering a batch) */
  ready(): Promise<void>
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** What a failed googleapis call tells us (gaxios errors; `response` is absent for timeouts and resets). */
function failureOf(error: unknown): Failure {
  const response = (error as { response?: { status?: number; headers?: unknown } } | null)?.response
  const status = typeof response?.status === 'number' ? response.status : undefined
  const headers = response?.headers
  // a fetch Headers, though not always this realm's class
  const get = (headers as { get?: unknown } | undefined)?.get
  const raw =
    typeof get === 'function'
      ? (get as (name: string) => string | null).call(headers, 'retry-after')
      : typeof headers === 'object' && headers !== null
        ? (headers as Record<string, unknown>)['retry-after']
        : undefined
  let retryAfterMs: number | undefined
  if (typeof raw === 'string' && raw.trim() !== '') {
    const seconds = Number(raw)
    retryAfterMs = Number.isFinite(seconds) ? seconds * 1000 : Math.max(0, Date.parse(raw) - Date.now())
    if (Number.isNaN(retryAfterMs)) retryAfterMs = undefined
  }
  const isHttpClientError = typeof error === 'object' && error !== null && 'config' in error
  const transient = status === undefined ? isHttpClientError : status === 408 || status === 429 || status >= 500
  return { status, retryAfterMs, transient }
}

/** 'Tab name'!A5 with the quoting the A1 grammar needs (spaces, Chinese, apostrophes). */
const a1 = (tab: string, row: number, column = 1) => `'${tab.replace(/'/g, "''")}'!${columnLetters(column)}${row}`

function columnLetters(column: number): string {
  let s = ''
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s
  return s
}

interface TabInfo {
  sheetId: number
  rows: number
  columns: number
  frozenRows: number
  frozenColumns: number
  /** the hash of the layout last written to the tab, if any */
  layout?: string
  conditionalFormats: number
  /** our own warning-only protections */
  protections: number[]
  charts: { chartId: number; title: string }[]
}

/** developer metadata keys: the hash of a tab's layout, and each column's key */
const LAYOUT_KEY = 'sentinel.layout'
const COLUMN_KEY = 'sentinel.column'
const PROTECTION = 'Sentinel Forms: written from the database; a rebuild overwrites hand edits here'
const NUMBER_PATTERN = { date: { type: 'DATE', pattern: 'yyyy-mm-dd' }, datetime: { type: 'DATE_TIME', pattern: 'yyyy-mm-dd hh:mm:ss' } }
const HEADER_FILL = { red: 232 / 255, green: 234 / 255, blue: 237 / 255 }
const rgb = ([r, g, b]: [number, number, number]) => ({ red: r / 255, green: g / 255, blue: b / 255 })
/** pixels per narrow character at the default 10 pt font, plus the cell's padding */
const PIXELS_PER_CHAR = 7
const CELL_PADDING_PX = 8

const layoutHash = (layout: TabLayout) =>
  createHash('sha256')
    .update(JSON.stringify([layout.header, layout.keys, layout.kinds ?? [], layout.highlights ?? []]))
    .digest('base64url')
    .slice(0, 22)

/** A native chart over the tab's first `rows` rows (the header names the series). */
function chartSpec(chart: ChartLayout, sheetId: number, rows: number): sheets_v4.Schema$ChartSpec {
  const column = (c: number) => ({
    sourceRange: { sources: [{ sheetId, startRowIndex: 0, endRowIndex: rows, startColumnIndex: c, endColumnIndex: c + 1 }] },
  })
  return {
    title: chart.title,
    basicChart: {
      chartType: chart.type,
      legendPosition: 'BOTTOM_LEGEND',
      headerCount: 1,
      domains: [{ domain: column(0) }],
      series: chart.series.map((c) => ({ series: column(c), targetAxis: 'LEFT_AXIS' })),
    },
  }
}

/** The tab's charts as the layout wants them: found by title and updated in place, added once, strays deleted. */
function chartRequests(layout: TabLayout, sheetId: number, existing: TabInfo['charts'], rows: number): sheets_v4.Schema$Request[] {
  const requests: sheets_v4.Schema$Request[] = []
  const kept = new Set<number>()
  for (const [i, chart] of (layout.charts ?? []).entries()) {
    const spec = chartSpec(chart, sheetId, rows)
    const same = existing.find((c) => c.title === chart.title && !kept.has(c.chartId))
    if (same) {
      kept.add(same.chartId)
      requests.push({ updateChartSpec: { chartId: same.chartId, spec } })
      continue
    }
    const anchorCell = { sheetId, rowIndex: rows + 1 + Math.floor(i / 2) * 20, columnIndex: (i % 2) * 7 }
    requests.push({ addChart: { chart: { spec, position: { overlayPosition: { anchorCell, widthPixels: 560, heightPixels: 340 } } } } })
  }
  for (const stray of existing.filter((c) => !kept.has(c.chartId))) requests.push({ deleteEmbeddedObject: { objectId: stray.chartId } })
  return requests
}

/** Everything that makes a tab readable, replacing what an earlier layout left. */
function layoutRequests(
  layout: TabLayout,
  sheetId: number,
  index: number,
  have: TabInfo | undefined,
  rows: Cell[][],
): sheets_v4.Schema$Request[] {
  const requests: sheets_v4.Schema$Request[] = []
  if (have) {
    requests.push({
      updateSheetProperties: {
        properties: { sheetId, index, gridProperties: { frozenRowCount: 1, frozenColumnCount: 1 } },
        fields: 'index,gridProperties.frozenRowCount,gridProperties.frozenColumnCount',
      },
    })
    for (let i = 0; i < have.conditionalFormats; i++) requests.push({ deleteConditionalFormatRule: { sheetId, index: 0 } })
    for (const id of have.protections) requests.push({ deleteProtectedRange: { protectedRangeId: id } })
    if (have.layout !== undefined) {
      for (const metadataKey of [LAYOUT_KEY, COLUMN_KEY]) {
        requests.push({
          deleteDeveloperMetadata: { dataFilter: { developerMetadataLookup: { metadataKey, metadataLocation: { sheetId } } } },
        })
      }
    }
  }
  const columns = layout.header.length
  requests.push({
    repeatCell: {
      range: { sheetId, startRowIndex: 0, endRowIndex: 1, startColumnIndex: 0, endColumnIndex: columns },
      cell: { userEnteredFormat: { textFormat: { bold: true }, backgroundColor: HEADER_FILL } },
      fields: 'userEnteredFormat(textFormat,backgroundColor)',
    },
  })
  fittedWidths(layout, rows).forEach((chars, i) => {
    requests.push({
      updateDimensionProperties: {
        range: { sheetId, dimension: 'COLUMNS', startIndex: i, endIndex: i + 1 },
        properties: { pixelSize: chars * PIXELS_PER_CHAR + CELL_PADDING_PX },
        fields: 'pixelSize',
      },
    })
  })
  for (const [i, kind] of (layout.kinds ?? []).entries()) {
    if (kind !== 'date' && kind !== 'datetime') continue
    requests.push({
      repeatCell: {
        range: { sheetId, startRowIndex: 1, startColumnIndex: i, endColumnIndex: i + 1 },
        cell: { userEnteredFormat: { numberFormat: NUMBER_PATTERN[kind] } },
        fields: 'userEnteredFormat.numberFormat',
      },
    })
  }
  for (const [i, h] of (layout.highlights ?? []).entries()) {
    requests.push({
      addConditionalFormatRule: {
        index: i,
        rule: {
          ranges: [{ sheetId, startRowIndex: 1, startColumnIndex: h.from, endColumnIndex: h.to + 1 }],
          booleanRule: {
            condition: { type: 'TEXT_STARTS_WITH', values: [{ userEnteredValue: h.startsWith }] },
            format: { backgroundColor: rgb(TONES[h.tone].fill), textFormat: { foregroundColor: rgb(TONES[h.tone].text) } },
          },
        },
      },
    })
  }
  requests.push(...chartRequests(layout, sheetId, have?.charts ?? [], rows.length + 1))
  requests.push({ addProtectedRange: { protectedRange: { range: { sheetId }, description: PROTECTION, warningOnly: true } } })
  layout.keys.forEach((key, i) => {
    requests.push({
      createDeveloperMetadata: {
        developerMetadata: {
          metadataKey: COLUMN_KEY,
          metadataValue: key,
          location: { dimensionRange: { sheetId, dimension: 'COLUMNS', startIndex: i, endIndex: i + 1 } },
          visibility: 'DOCUMENT',
        },
      },
    })
  })
  requests.push({
    createDeveloperMetadata: {
      developerMetadata: { metadataKey: LAYOUT_KEY, metadataValue: layoutHash(layout), location: { sheetId }, visibility: 'DOCUMENT' },
    },
  })
  return requests
}

/** grow in steps so that a steady trickle of new rows rarely costs a structure request */
const GROW_ROWS = 1000

/** values written from column A of `row` down */
interface Block {
  tab: string
  row: number
  values: Cell[][]
}

export function createGoogleSheetSink(api: sheets_v4.Sheets, options: GoogleSinkOptions): GoogleSheetSink {
  const {
    spreadsheetId,
    log,
    timeoutMs = 30_000,
    maxRetries = 6,
    retryBudgetMs = 60_000,
    baseBackoffMs = 1000,
    maxBackoffMs = 32_000,
    minWriteIntervalMs = 1100,
    maxRequestBytes = 1_800_000,
    sleep = realSleep,
    now = Date.now,
  } = options
  // googleapis would retry GETs on its own with another policy: one policy, ours, for every call
  const call = { timeout: timeoutMs, retry: false }
  let lastWriteAt = -Infinity
  let queue: Promise<void> = Promise.resolve()

  async function ready(): Promise<void> {
    const wait = lastWriteAt + minWriteIntervalMs - now()
    if (wait > 0) await sleep(wait)
  }

  /** one write request, paced */
  async function write<T>(send: () => Promise<T>): Promise<T> {
    await ready()
    lastWriteAt = now()
    return send()
  }

  async function tabInfos(): Promise<Map<string, TabInfo>> {
    const fields =
      'sheets(properties,developerMetadata,conditionalFormats(ranges),protectedRanges(protectedRangeId,description),charts(chartId,spec(title)))'
    const { data } = await api.spreadsheets.get({ spreadsheetId, fields }, call)
    const tabs = new Map<string, TabInfo>()
    for (const sheet of data.sheets ?? []) {
      const p = sheet.properties
      if (!p?.title || p.sheetId === undefined || p.sheetId === null) continue
      const grid = p.gridProperties ?? {}
      const layout = sheet.developerMetadata?.find((m) => m.metadataKey === LAYOUT_KEY)?.metadataValue ?? undefined
      tabs.set(p.title, {
        sheetId: p.sheetId,
        rows: grid.rowCount ?? 0,
        columns: grid.columnCount ?? 0,
        frozenRows: grid.frozenRowCount ?? 0,
        frozenColumns: grid.frozenColumnCount ?? 0,
        ...(layout ? { layout } : {}),
        conditionalFormats: sheet.conditionalFormats?.length ?? 0,
        protections: (sheet.protectedRanges ?? [])
          .filter((r) => r.description === PROTECTION && typeof r.protectedRangeId === 'number')
          .map((r) => r.protectedRangeId as number),
        charts: (sheet.charts ?? []).flatMap((c) =>
          typeof c.chartId === 'number' ? [{ chartId: c.chartId, title: c.spec?.title ?? '' }] : [],
        ),
      })
    }
    return tabs
  }

  /** a sheet id no tab has: chosen here so that one request can add a tab and lay it out */
  const freshSheetId = (tabs: Map<string, TabInfo>, taken: Set<number>) => {
    for (;;) {
      const id = randomInt(1, 2 ** 31 - 1)
      if (![...tabs.values()].some((t) => t.sheetId === id) && !taken.has(id)) return id
    }
  }

  /** Tabs, frozen headers and grid sizes as the batch needs them; the sizes the values may fill. */
  async function ensureLayout(batch: SheetBatch, need: Map<string, { rows: number; columns: number }>): Promise<Map<string, TabInfo>> {
    const tabs = await tabInfos()
    const requests: sheets_v4.Schema$Request[] = []
    const layoutWrites: sheets_v4.Schema$Request[] = []
    const sized = new Map<string, TabInfo>()
    const layouts = new Map(batch.tabs.map((t, index) => [t.title, { layout: t, index }]))
    const taken = new Set<number>()
    for (const [title, { rows, columns }] of need) {
      const have = tabs.get(title)
      const laid = layouts.get(title)
      const frozenRows = laid ? 1 : 0
      if (!have) {
        const size = { rows: Math.max(GROW_ROWS, rows + GROW_ROWS), columns: Math.max(26, columns) }
        const sheetId = freshSheetId(tabs, taken)
        taken.add(sheetId)
        requests.push({
          addSheet: {
            properties: {
              sheetId,
              title,
              ...(laid ? { index: Math.min(laid.index, tabs.size + taken.size - 1) } : {}),
              gridProperties: { rowCount: size.rows, columnCount: size.columns, frozenRowCount: frozenRows, frozenColumnCount: frozenRows },
            },
          },
        })
        if (laid) layoutWrites.push(...layoutRequests(laid.layout, sheetId, laid.index, undefined, rowsOf(batch, title)))
        sized.set(title, { sheetId, ...size, frozenRows, frozenColumns: frozenRows, conditionalFormats: 0, protections: [], charts: [] })
        continue
      }
      if (laid && (batch.relayout || have.layout !== layoutHash(laid.layout))) {
        layoutWrites.push(...layoutRequests(laid.layout, have.sheetId, laid.index, have, rowsOf(batch, title)))
      }
      if (have.rows < rows)
        requests.push({ appendDimension: { sheetId: have.sheetId, dimension: 'ROWS', length: rows - have.rows + GROW_ROWS } })
      if (have.columns < columns)
        requests.push({ appendDimension: { sheetId: have.sheetId, dimension: 'COLUMNS', length: columns - have.columns } })
      // someone unfroze a tab whose layout is otherwise current
      const unfrozen = have.frozenRows !== 1 || have.frozenColumns !== 1
      if (laid && unfrozen && have.layout === layoutHash(laid.layout) && !batch.relayout) {
        requests.push({
          updateSheetProperties: {
            properties: { sheetId: have.sheetId, gridProperties: { frozenRowCount: 1, frozenColumnCount: 1 } },
            fields: 'gridProperties.frozenRowCount,gridProperties.frozenColumnCount',
          },
        })
      }
      sized.set(title, {
        ...have,
        rows: Math.max(have.rows, rows + (have.rows < rows ? GROW_ROWS : 0)),
        columns: Math.max(have.columns, columns),
      })
    }
    // grids first: a layout may format columns a grid only now grows to
    requests.push(...layoutWrites)
    if (requests.length > 0) {
      await write(() => api.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests } }, call))
      log.info('sheet layout updated', { requests: requests.length })
    }
    return sized
  }

  /** The value ranges of a batch: headers, whole-tab replacements (padded to clear what was there), keyed rows. */
  function blocks(batch: SheetBatch, tabs: Map<string, TabInfo>): Block[] {
    const out: Block[] = batch.tabs.map((t) => ({ tab: t.title, row: 1, values: [t.header] }))
    const kinds = new Map(batch.tabs.map((t) => [t.title, t.kinds ?? []]))
    const typed = (tab: string, row: Cell[]) => row.map((cell, i) => typedCell(cell, kinds.get(tab)?.[i]))
    for (const { tab, rows } of batch.replace ?? []) {
      const grid = tabs.get(tab)
      const width = Math.max(grid?.columns ?? 0, ...rows.map((r) => r.length))
      const height = Math.max((grid?.rows ?? 0) - 1, rows.length)
      // '' clears a cell: whatever was below or beside the new rows (hand edits, older rows) goes
      const padded = Array.from({ length: height }, (_, i) => {
        const row = typed(tab, rows[i] ?? [])
        return [...row, ...Array<Cell>(width - row.length).fill('')]
      })
      out.push({ tab, row: 2, values: padded })
    }
    for (const w of batch.rows) out.push({ tab: w.tab, row: w.row, values: [typed(w.tab, w.cells)] })
    return out
  }

  const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value))

  /** Request bodies under the byte budget; a large block is split by rows. */
  function chunks(all: Block[]): Block[][] {
    const result: Block[][] = []
    let current: Block[] = []
    let size = 0
    const push = (block: Block, blockBytes: number) => {
      if (current.length > 0 && size + blockBytes > maxRequestBytes) {
        result.push(current)
        current = []
        size = 0
      }
      current.push(block)
      size += blockBytes
    }
    for (const block of all) {
      const total = bytes(block)
      if (total <= maxRequestBytes) {
        push(block, total)
        continue
      }
      let start = 0
      while (start < block.values.length) {
        const part: Cell[][] = []
        let partBytes = 0
        for (let i = start; i < block.values.length; i++) {
          const rowBytes = bytes(block.values[i]) + 1
          if (part.length > 0 && partBytes + rowBytes > maxRequestBytes / 2) break
          part.push(block.values[i] as Cell[])
          partBytes += rowBytes
        }
        push({ tab: block.tab, row: block.row + start, values: part }, partBytes)
        start += part.length
      }
    }
    if (current.length > 0) result.push(current)
    return result
  }

  async function applyNow(batch: SheetBatch): Promise<void> {
    const attempt = retrying({ sheet: 'Google Sheet', log, maxRetries, retryBudgetMs, baseBackoffMs, maxBackoffMs, sleep, now }, failureOf)
    const need = gridNeeds(batch)
    // reads the tabs afresh on every try: a timed-out addSheet may have happened after all
    const layout = () => attempt('layout', () => ensureLayout(batch, need))
    // a 400 here is most likely another process adding the same tab first: look again, once
    const tabs = await layout().catch((error: unknown) => {
      if (error instanceof SheetWriteError && error.status === 400) return layout()
      throw error
    })
    for (const part of chunks(blocks(batch, tabs))) {
      const data = part.map((b) => ({ range: a1(b.tab, b.row), values: b.values }))
      await attempt('values', () =>
        write(() => api.spreadsheets.values.batchUpdate({ spreadsheetId, requestBody: { valueInputOption: 'RAW', data } }, call)),
      )
    }
  }

  return {
    path: `https://docs.google.com/spreadsheets/d/${spreadsheetId}/edit`,
    ready,
    apply(batch) {
      // one batch at a time per process: two layouts planned at once would add the same tab twice
      const run = queue.then(() => applyNow(batch))
      queue = run.catch(() => undefined)
      return run
    },
  }
}
