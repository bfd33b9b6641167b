/**
 * A Feishu (飞书) Sheets open-API test server on plain node:http.
 *
 * It keeps one spreadsheet in memory and answers the endpoints Sentinel Forms uses, with Feishu's
 * paths, its `{code, msg, data}` bodies, its error codes and its documented limits:
 *  - POST /open-apis/auth/v3/tenant_access_token/internal: app id and secret checked; a token
 *    `t-…` lasts `tokenTtlS` (2 h); asked again with under 30 min left, a new one is issued and the
 *    old one stays valid until it expires.
 *  - every /open-apis/sheets/v2/spreadsheets/:token/… call needs `Authorization: Bearer t-…`:
 *    99991661 missing, 99991671 not `t-`/`u-`, 99991663 unknown or expired.
 *  - metainfo, sheets_batch_update (addSheet, updateSheet, deleteSheet), dimension_range (POST add
 *    at the end, PUT width/visibility with 1-based inclusive indexes, DELETE), values (PUT one
 *    range), values/:range (GET), values_batch_update, values_batch_get, values_append,
 *    styles_batch_update, condition_formats (GET, batch_create, batch_delete).
 *  - ranges `<sheetId>!A1:B2` (also `<sheetId>`, `<sheetId>!A:B`, `<sheetId>!A2:C`); the range must
 *    cover the values written; a write outside the grid is refused (90202): grow it first.
 *  - limits: 5,000 rows and 100 columns per write, 50,000 characters per cell (90222), JSON
 *    booleans refused (90204), request body over MAX_BODY_BYTES refused (90227), 300 tabs,
 *    5,000,000 cells per tab, 5,000 rows or columns per dimension_range call.
 *  - errors: v2 errors are HTTP 400 with the code (90213 forbidden, 90214 spreadsheet not found,
 *    90215 sheet not found); a rate limit is HTTP 429, code 99991400, `x-ogw-ratelimit-reset`.
 *
 * Modelled from open.feishu.cn's server API pages (sheets v2/v3, the error-code list, the
 * tenant_access_token page). Undocumented choices are marked "choice:".
 */

import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

type Json = Record<string, unknown>
type CellValue = string | number

interface Formula {
  formula: string
}
type Cell = CellValue | Formula

interface RecordedRequest {
  method: string
  path: string
  kind: string
  /** HTTP status; 0 while the request is still being answered */
  status: number
  /** the body's code (0 on success) */
  code: number
  at: number
}

interface Fault {
  /** HTTP status (default 400 for a code, 429 with `resetS`) */
  status?: number
  /** the body's code (default 99991400 for 429, 90203 otherwise) */
  code?: number
  /** seconds in `x-ogw-ratelimit-reset` */
  resetS?: number
  /** only requests of this kind (e.g. 'values_batch_update') take the fault */
  kind?: string
}

interface Sheet {
  sheetId: string
  title: string
  rowCount: number
  columnCount: number
  frozenRowCount: number
  frozenColCount: number
  hidden: boolean
  cells: Map<number, Map<number, Cell>>
  /** column index (0-based) → pixels */
  columnWidths: Map<number, number>
  /** styles in the order applied; later ones win per property */
  styles: { box: Box; style: Json }[]
  conditionFormats: Json[]
}

interface Box {
  r0: number
  c0: number
  r1: number
  c1: number
}

export interface FeishuSheetsServer {
  /** 'http://127.0.0.1:PORT': FEISHU_API_URL */
  url: string
  spreadsheetToken: string
  appId: string
  appSecret: string
  /** one tab's values, '' for empty, trimmed of trailing empty rows and columns; formulas as their '=…' text */
  values(tab: string): CellValue[][]
  /** as values(), with each number in a cell whose formatter is a date shown as that date, as a reader sees it */
  displayed(tab: string): CellValue[][]
  /** cells that hold a formula */
  formulas(tab: string): { a1: string; formula: string }[]
  tabs(): {
    sheetId: string
    title: string
    index: number
    frozenRowCount: number
    frozenColCount: number
    rowCount: number
    columnCount: number
  }[]
  /** column widths in pixels (100 where unset) and the condition formats of a tab */
  objects(tab: string): { columnWidths: number[]; conditionFormats: Json[] }
  /** the style of one cell ('B2'), merged from the styles applied over it */
  styleAt(tab: string, cell: string): Json
  requests: RecordedRequest[]
  /** tokens issued by the token endpoint */
  tokensIssued(): number
  /** every non-GET sheets request, successful or not */
  writeRequestCount(): number
  /** the next n requests (of `fault.kind` only, if given) answer with the fault and change nothing */
  failNext(n: number, fault: Fault): void
  /** the next n requests are carried out at once but answered only after delayMs */
  delayNext(n: number, delayMs: number): void
  /** at most `limit` sheets requests a second; over it, 429 with code 99991400 and x-ogw-ratelimit-reset; null turns it off */
  setRateLimit(limit: number | null): void
  /** every token issued so far stops working (99991663), as after a secret reset */
  revokeTokens(): void
  /** a person typing into row `row` (1-based) from column A; '=…' becomes a formula */
  editByHand(tab: string, row: number, values: (string | number)[]): void
  close(): Promise<void>
}

export interface FeishuSheetsServerOptions {
  spreadsheetToken?: string
  appId?: string
  appSecret?: string
  /** initial tabs (default ['Sheet1']) */
  tabs?: string[]
  /** seconds a tenant_access_token lives (Feishu: 7200) */
  tokenTtlS?: number
  now?: () => number
}

// Feishu's documented limits
const MAX_CELL_CHARS = 50_000
const MAX_ROWS_PER_WRITE = 5000
const MAX_COLUMNS_PER_WRITE = 100
const MAX_DIMENSION_STEP = 5000
const MAX_SHEETS = 300
const MAX_SHEET_CELLS = 5_000_000
const MAX_COLUMNS = 13_000
/** choice: Feishu names no byte limit for a body, only 90227 TooLargeRequest; 10 MB here */
const MAX_BODY_BYTES = 10 * 1024 * 1024
/** a new tab's grid, as Feishu's web client makes it */
const DEFAULT_ROWS = 200
const DEFAULT_COLUMNS = 20
const TOKEN_RENEW_S = 30 * 60
const DEFAULT_WIDTH = 100

const MESSAGES: Record<number, string> = {
  10003: 'invalid param',
  10014: 'app secret invalid',
  90201: 'WrongRequestJson',
  90202: 'validate RangeVal fail',
  90203: 'Fail',
  90204: 'WrongRequestBody',
  90210: 'ExistSheetTitle',
  90211: 'WrongSheetId',
  90212: 'WrongRowOrCol',
  90213: 'PermissionFail',
  90214: 'SpreadSheetNotFound',
  90215: 'SheetIdNotFound',
  90217: 'TooManyRequest',
  90219: 'CellExcess',
  90222: 'TooLargeCell',
  90226: 'ExcessLimit',
  90227: 'TooLargeRequest',
  99991400: 'request trigger frequency limit',
  99991661: 'Missing access token for authorization. Please make a request with token attached.',
  99991663: 'Invalid access token for authorization. Please make a request with token attached.',
  99991671: 'Invalid token: must start with t-/u-',
}

class FeishuError extends Error {
  constructor(
    readonly code: number,
    detail = '',
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${MESSAGES[code] ?? 'error'}${detail ? `: ${detail}` : ''}`)
  }
}

const fail = (code: number, detail = '') => new FeishuError(code, detail)

function columnIndex(letters: string): number {
  let n = 0
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64)
  return n - 1
}

function columnLetters(index: number): string {
  let s = ''
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s
  return s
}

const a1 = (r: number, c: number) => `${columnLetters(c)}${r + 1}`
const isFormula = (cell: Cell | undefined): cell is Formula => typeof cell === 'object' && cell !== null

/** `A1`, `A`, `1` → 0-based parts */
function cellPart(part: string): { c?: number; r?: number } | undefined {
  const m = /^([A-Z]{0,3})(\d*)$/.exec(part)
  if (!m || (m[1] === '' && m[2] === '')) return undefined
  return { ...(m[1] ? { c: columnIndex(m[1]) } : {}), ...(m[2] ? { r: Number(m[2]) - 1 } : {}) }
}

export async function startFeishuSheetsServer(options: FeishuSheetsServerOptions = {}): Promise<FeishuSheetsServer> {
  const now = options.now ?? Date.now
  const spreadsheetToken = options.spreadsheetToken ?? `shtcn${randomBytes(11).toString('hex')}`
  const appId = options.appId ?? `cli_${randomBytes(8).toString('hex')}`
  const appSecret = options.appSecret ?? randomBytes(16).toString('base64url')
  const tokenTtlS = options.tokenTtlS ?? 7200
  const requests: RecordedRequest[] = []
  const tokens = new Map<string, number>() // token → expires at (ms)
  let current: string | undefined
  let issued = 0
  const faults: { remaining: number; fault: Fault }[] = []
  const delays: { remaining: number; ms: number }[] = []
  const timers = new Set<{ done: () => void }>()
  let rateLimit: number | null = null
  let admitted: number[] = []
  let revision = 0

  const freshSheetId = (sheets: Sheet[]) => {
    for (;;) {
      const id = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6)
      if (!sheets.some((s) => s.sheetId === id)) return id
    }
  }
  const newSheet = (sheets: Sheet[], title: string): Sheet => ({
    sheetId: freshSheetId(sheets),
    title,
    rowCount: DEFAULT_ROWS,
    columnCount: DEFAULT_COLUMNS,
    frozenRowCount: 0,
    frozenColCount: 0,
    hidden: false,
    cells: new Map(),
    columnWidths: new Map(),
    styles: [],
    conditionFormats: [],
  })
  let sheets: Sheet[] = []
  for (const title of options.tabs ?? ['Sheet1']) sheets.push(newSheet(sheets, title))

  const cloneSheets = (from: Sheet[]): Sheet[] =>
    from.map((s) => ({
      ...s,
      cells: new Map([...s.cells].map(([r, row]) => [r, new Map(row)])),
      columnWidths: new Map(s.columnWidths),
      styles: [...s.styles],
      conditionFormats: [...s.conditionFormats],
    }))

  /** all or nothing, as one Feishu request */
  function transact<T>(change: (draft: Sheet[]) => T): T {
    const draft = cloneSheets(sheets)
    const result = change(draft)
    sheets = draft
    revision++
    return result
  }

  const byId = (list: Sheet[], sheetId: unknown) => {
    const sheet = list.find((s) => s.sheetId === sheetId)
    if (!sheet) throw fail(90215, String(sheetId))
    return sheet
  }

  /** `<sheetId>!A1:B2` and its shorter forms, as a 0-based box inside the tab's grid */
  function parseRange(list: Sheet[], text: unknown): { sheet: Sheet; box: Box } {
    if (typeof text !== 'string' || text === '') throw fail(90202, 'empty range')
    const [sheetId, ref, ...rest] = text.split('!')
    if (rest.length > 0 || !sheetId) throw fail(90202, text)
    const sheet = byId(list, sheetId)
    if (ref === undefined) return { sheet, box: { r0: 0, c0: 0, r1: sheet.rowCount - 1, c1: sheet.columnCount - 1 } }
    const [from, to = from] = ref.split(':')
    const start = cellPart(from ?? '')
    const end = cellPart(to ?? '')
    if (!start || !end) throw fail(90202, text)
    const box = {
      r0: start.r ?? 0,
      c0: start.c ?? 0,
      r1: end.r ?? (start.r !== undefined && to === from ? start.r : sheet.rowCount - 1),
      c1: end.c ?? (start.c !== undefined && to === from ? start.c : sheet.columnCount - 1),
    }
    if (box.r1 < box.r0 || box.c1 < box.c0) throw fail(90202, text)
    if (box.r1 >= sheet.rowCount || box.c1 >= sheet.columnCount)
      throw fail(90202, `${text} is outside the grid of ${sheet.rowCount}x${sheet.columnCount}`)
    return { sheet, box }
  }

  function setCell(sheet: Sheet, r: number, c: number, cell: Cell | undefined) {
    let row = sheet.cells.get(r)
    if (cell === undefined) {
      row?.delete(c)
      if (row?.size === 0) sheet.cells.delete(r)
      return
    }
    if (!row) {
      row = new Map()
      sheet.cells.set(r, row)
    }
    row.set(c, cell)
  }

  /** a value as Feishu's v2 write takes it */
  function parseValue(value: unknown): Cell | undefined {
    if (value === null || value === undefined || value === '') return undefined
    if (typeof value === 'boolean') throw fail(90204, 'boolean values are not supported')
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw fail(90204, 'not a finite number')
      return value
    }
    if (typeof value === 'string') {
      if (value.length > MAX_CELL_CHARS) throw fail(90222)
      // choice: Feishu documents strings as text and formulas as {type:'formula'}; it says nothing of
      // a leading '='. The server takes the worse reading, a formula, so unneutralised text shows.
      return value.startsWith('=') ? { formula: value } : value
    }
    if (Array.isArray(value))
      return parseValue(value.map((v) => (typeof v === 'object' && v ? String((v as Json).text ?? '') : String(v))).join(''))
    if (typeof value === 'object') {
      const v = value as Json
      if (v.type === 'formula' && typeof v.text === 'string') return { formula: v.text }
      if (typeof v.text === 'string') return parseValue(v.text === '' ? v.link : v.text)
    }
    throw fail(90204, `unsupported value ${JSON.stringify(value).slice(0, 40)}`)
  }

  function writeValues(list: Sheet[], valueRange: unknown): Json {
    const vr = (valueRange ?? {}) as Json
    const { sheet, box } = parseRange(list, vr.range)
    const values = vr.values
    if (!Array.isArray(values) || values.some((row) => !Array.isArray(row))) throw fail(90204, 'values must be rows of values')
    const rows = values as unknown[][]
    const width = Math.max(0, ...rows.map((r) => r.length))
    if (rows.length > box.r1 - box.r0 + 1 || width > box.c1 - box.c0 + 1)
      throw fail(90202, `${String(vr.range)} is smaller than the values`)
    rows.forEach((row, i) => {
      row.forEach((value, j) => {
        setCell(sheet, box.r0 + i, box.c0 + j, parseValue(value))
      })
    })
    return {
      spreadsheetToken,
      updatedRange: `${sheet.sheetId}!${a1(box.r0, box.c0)}:${a1(box.r0 + Math.max(rows.length, 1) - 1, box.c0 + Math.max(width, 1) - 1)}`,
      updatedRows: rows.length,
      updatedColumns: width,
      updatedCells: rows.reduce((n, r) => n + r.length, 0),
      revision: revision + 1,
    }
  }

  /** the documented per-write limit, over all the ranges of one request */
  function assertWriteSize(valueRanges: unknown[]) {
    let rows = 0
    for (const vr of valueRanges) {
      const values = (vr as Json)?.values
      if (!Array.isArray(values)) continue
      rows += values.length
      if (values.some((r) => Array.isArray(r) && r.length > MAX_COLUMNS_PER_WRITE))
        throw fail(90226, `more than ${MAX_COLUMNS_PER_WRITE} columns in one write`)
    }
    if (rows > MAX_ROWS_PER_WRITE) throw fail(90226, `more than ${MAX_ROWS_PER_WRITE} rows in one write`)
  }

  function readValues(list: Sheet[], rangeText: string, render: string): Json {
    const { sheet, box } = parseRange(list, rangeText)
    const values: (CellValue | null)[][] = []
    for (let r = box.r0; r <= box.r1; r++) {
      const row: (CellValue | null)[] = []
      for (let c = box.c0; c <= box.c1; c++) {
        const cell = sheet.cells.get(r)?.get(c)
        row.push(cell === undefined ? null : isFormula(cell) ? (render === 'Formula' ? cell.formula : 0) : cell)
      }
      values.push(row)
    }
    // choice: trailing empty rows are left off, as Feishu does for ranges past the data
    while (values.length > 1 && values.at(-1)?.every((v) => v === null)) values.pop()
    return { majorDimension: 'ROWS', range: rangeText, revision, values }
  }

  function sheetsBatchUpdate(draft: Sheet[], body: Json): Json {
    if (!Array.isArray(body.requests) || body.requests.length === 0) throw fail(90204, 'requests is empty')
    const replies = body.requests.map((item: unknown) => {
      const req = (item ?? {}) as Json
      if (req.addSheet) {
        const props = ((req.addSheet as Json).properties ?? {}) as Json
        const title = props.title
        if (typeof title !== 'string' || title.trim() === '') throw fail(90204, 'EmptySheetTitle')
        if (draft.some((s) => s.title === title)) throw fail(90210, title)
        if (draft.length >= MAX_SHEETS) throw fail(90226, `at most ${MAX_SHEETS} sheets`)
        const sheet = newSheet(draft, title)
        const index = typeof props.index === 'number' ? Math.max(0, Math.min(props.index, draft.length)) : draft.length
        draft.splice(index, 0, sheet)
        return { addSheet: { properties: { sheetId: sheet.sheetId, title, index } } }
      }
      if (req.updateSheet) {
        const props = ((req.updateSheet as Json).properties ?? {}) as Json
        const sheet = byId(draft, props.sheetId)
        if (typeof props.title === 'string') {
          if (draft.some((s) => s !== sheet && s.title === props.title)) throw fail(90210, props.title)
          sheet.title = props.title
        }
        for (const [key, limit] of [
          ['frozenRowCount', sheet.rowCount],
          ['frozenColCount', sheet.columnCount],
        ] as const) {
          const v = props[key]
          if (v === undefined) continue
          if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > limit) throw fail(90212, `${key} ${String(v)}`)
          sheet[key] = v
        }
        if (typeof props.hidden === 'boolean') sheet.hidden = props.hidden
        if (typeof props.index === 'number') {
          draft.splice(draft.indexOf(sheet), 1)
          draft.splice(Math.max(0, Math.min(props.index, draft.length)), 0, sheet)
        }
        return {
          updateSheet: {
            properties: {
              sheetId: sheet.sheetId,
              title: sheet.title,
              index: draft.indexOf(sheet),
              frozenRowCount: sheet.frozenRowCount,
              frozenColCount: sheet.frozenColCount,
            },
          },
        }
      }
      if (req.deleteSheet) {
        const sheet = byId(draft, (req.deleteSheet as Json).sheetId)
        if (draft.length === 1) throw fail(90204, 'the last sheet cannot be deleted')
        draft.splice(draft.indexOf(sheet), 1)
        return { deleteSheet: { result: true, sheetId: sheet.sheetId } }
      }
      throw fail(90204, `unknown request ${Object.keys(req).join(',')}`)
    })
    return { replies }
  }

  function dimension(body: Json): { sheet: Sheet; major: 'ROWS' | 'COLUMNS'; d: Json } {
    const d = (body.dimension ?? {}) as Json
    const major = d.majorDimension
    if (major !== 'ROWS' && major !== 'COLUMNS') throw fail(90204, 'majorDimension is ROWS or COLUMNS')
    return { sheet: byId(sheets, d.sheetId), major, d }
  }

  /** startIndex/endIndex of update and delete: 1-based, both included */
  function span(d: Json, size: number): { from: number; to: number } {
    const from = d.startIndex
    const to = d.endIndex
    if (typeof from !== 'number' || typeof to !== 'number' || from < 1 || to < from || to > size)
      throw fail(90212, `${String(from)}..${String(to)}`)
    if (to - from + 1 > MAX_DIMENSION_STEP) throw fail(90226, `at most ${MAX_DIMENSION_STEP} at a time`)
    return { from: from - 1, to: to - 1 }
  }

  function addDimension(draft: Sheet[], body: Json): Json {
    const { major, d } = dimension(body)
    const sheet = byId(draft, d.sheetId)
    const length = d.length
    if (typeof length !== 'number' || !Number.isInteger(length) || length < 1 || length > MAX_DIMENSION_STEP)
      throw fail(90212, `length ${String(length)}`)
    if (major === 'ROWS') sheet.rowCount += length
    else sheet.columnCount += length
    if (sheet.columnCount > MAX_COLUMNS || sheet.rowCount * sheet.columnCount > MAX_SHEET_CELLS) throw fail(90219)
    return { addCount: length, majorDimension: major }
  }

  function updateDimension(draft: Sheet[], body: Json): Json {
    const { major, d } = dimension(body)
    const sheet = byId(draft, d.sheetId)
    const { from, to } = span(d, major === 'ROWS' ? sheet.rowCount : sheet.columnCount)
    const props = (body.dimensionProperties ?? {}) as Json
    if (major === 'COLUMNS' && props.fixedSize !== undefined) {
      if (typeof props.fixedSize !== 'number' || props.fixedSize < 0) throw fail(90204, 'fixedSize')
      for (let c = from; c <= to; c++) sheet.columnWidths.set(c, props.fixedSize)
    }
    return {}
  }

  function deleteDimension(draft: Sheet[], body: Json): Json {
    const { major, d } = dimension(body)
    const sheet = byId(draft, d.sheetId)
    const { from, to } = span(d, major === 'ROWS' ? sheet.rowCount : sheet.columnCount)
    const by = to - from + 1
    const moved = new Map<number, Map<number, Cell>>()
    for (const [r, row] of sheet.cells) {
      if (major === 'ROWS') {
        if (r < from) moved.set(r, row)
        else if (r > to) moved.set(r - by, row)
      } else {
        const kept = new Map<number, Cell>()
        for (const [c, cell] of row)
          if (c < from) kept.set(c, cell)
          else if (c > to) kept.set(c - by, cell)
        if (kept.size > 0) moved.set(r, kept)
      }
    }
    sheet.cells = moved
    if (major === 'ROWS') sheet.rowCount -= by
    else sheet.columnCount -= by
    return { delCount: by, majorDimension: major }
  }

  function stylesBatchUpdate(draft: Sheet[], body: Json): Json {
    if (!Array.isArray(body.data) || body.data.length === 0) throw fail(90204, 'data is empty')
    const responses: Json[] = []
    for (const item of body.data as Json[]) {
      const style = item.style
      if (!Array.isArray(item.ranges) || typeof style !== 'object' || style === null) throw fail(90204, 'ranges and style')
      for (const rangeText of item.ranges) {
        const { sheet, box } = parseRange(draft, rangeText)
        if (box.r1 - box.r0 + 1 > MAX_ROWS_PER_WRITE || box.c1 - box.c0 + 1 > MAX_COLUMNS_PER_WRITE)
          throw fail(90226, `a style range is at most ${MAX_ROWS_PER_WRITE} rows and ${MAX_COLUMNS_PER_WRITE} columns`)
        sheet.styles.push({ box, style: structuredClone(style as Json) })
        responses.push({ spreadsheetToken, updatedRange: rangeText, updatedRows: box.r1 - box.r0 + 1, updatedColumns: box.c1 - box.c0 + 1 })
      }
    }
    return { responses, revision: revision + 1, spreadsheetToken }
  }

  function conditionFormatsCreate(draft: Sheet[], body: Json): Json {
    const list = body.sheet_condition_formats
    if (!Array.isArray(list) || list.length === 0 || list.length > 10) throw fail(90204, '1 to 10 condition formats a call')
    const responses = list.map((item: Json) => {
      const sheet = byId(draft, item.sheet_id)
      const format = (item.condition_format ?? {}) as Json
      if (!Array.isArray(format.ranges) || format.ranges.length === 0) throw fail(90204, 'ranges')
      for (const r of format.ranges) parseRange(draft, r)
      if (typeof format.rule_type !== 'string') throw fail(90204, 'rule_type')
      if (format.rule_type === 'containsText') {
        const attrs = format.attrs as Json[] | undefined
        const ok = ['containsText', 'notContains', 'is', 'beginsWith', 'endsWith']
        if (!Array.isArray(attrs) || attrs.some((a) => !ok.includes(String(a.operator)) || typeof a.text !== 'string'))
          throw fail(90204, 'attrs')
      }
      if (sheet.conditionFormats.length >= 20) throw fail(90226, 'at most 20 condition formats a sheet')
      const cf_id = randomBytes(7).toString('base64url').slice(0, 10)
      sheet.conditionFormats.push({ cf_id, ...structuredClone(format) })
      return { cf_id, res_code: 0, res_msg: 'success', sheet_id: sheet.sheetId }
    })
    return { responses }
  }

  function conditionFormatsDelete(draft: Sheet[], body: Json): Json {
    const ids = body.sheet_cf_ids
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 10) throw fail(90204, '1 to 10 ids a call')
    const responses = ids.map((item: Json) => {
      const sheet = byId(draft, item.sheet_id)
      const at = sheet.conditionFormats.findIndex((f) => f.cf_id === item.cf_id)
      if (at < 0) return { cf_id: item.cf_id, res_code: 555554047, res_msg: 'cfId not exist', sheet_id: sheet.sheetId }
      sheet.conditionFormats.splice(at, 1)
      return { cf_id: item.cf_id, res_code: 0, res_msg: 'success', sheet_id: sheet.sheetId }
    })
    return { responses }
  }

  function metainfo(): Json {
    return {
      spreadsheetToken,
      properties: { title: 'Sentinel test sheet', ownerUser: 0, sheetCount: sheets.length, revision },
      sheets: sheets.map((s, index) => ({
        sheetId: s.sheetId,
        title: s.title,
        index,
        rowCount: s.rowCount,
        columnCount: s.columnCount,
        frozenRowCount: s.frozenRowCount,
        frozenColCount: s.frozenColCount,
        merges: [],
      })),
    }
  }

  interface Route {
    kind: string
    token: string
    rest: string
  }
  const SHEETS = /^\/open-apis\/sheets\/v2\/spreadsheets\/([^/]+)\/(.+)$/

  function route(method: string, path: string): Route | undefined {
    const m = SHEETS.exec(path)
    if (!m) return undefined
    const [, token = '', rest = ''] = m
    const kinds: Record<string, string> = {
      'GET metainfo': 'metainfo',
      'POST sheets_batch_update': 'sheets_batch_update',
      'POST dimension_range': 'dimension_range.add',
      'PUT dimension_range': 'dimension_range.update',
      'DELETE dimension_range': 'dimension_range.delete',
      'PUT values': 'values.put',
      'POST values_batch_update': 'values_batch_update',
      'GET values_batch_get': 'values_batch_get',
      'POST values_append': 'values_append',
      'PUT styles_batch_update': 'styles_batch_update',
      'GET condition_formats': 'condition_formats.get',
      'POST condition_formats/batch_create': 'condition_formats.batch_create',
      'DELETE condition_formats/batch_delete': 'condition_formats.batch_delete',
    }
    const kind = kinds[`${method} ${rest}`] ?? (method === 'GET' && rest.startsWith('values/') ? 'values.get' : undefined)
    return kind ? { kind, token: decodeURIComponent(token), rest } : undefined
  }

  function dispatch(r: Route, query: URLSearchParams, body: Json): Json {
    switch (r.kind) {
      case 'metainfo':
        return metainfo()
      case 'sheets_batch_update':
        return transact((d) => sheetsBatchUpdate(d, body))
      case 'dimension_range.add':
        return transact((d) => addDimension(d, body))
      case 'dimension_range.update':
        return transact((d) => updateDimension(d, body))
      case 'dimension_range.delete':
        return transact((d) => deleteDimension(d, body))
      case 'values.put':
        assertWriteSize([body.valueRange])
        return transact((d) => writeValues(d, body.valueRange))
      case 'values_batch_update': {
        if (!Array.isArray(body.valueRanges) || body.valueRanges.length === 0) throw fail(90204, 'valueRanges is empty')
        const ranges = body.valueRanges
        assertWriteSize(ranges)
        return transact((d) => ({ responses: ranges.map((vr) => writeValues(d, vr)), revision: revision + 1, spreadsheetToken }))
      }
      case 'values_append': {
        // as Feishu: the rows go below the last row holding data in the range's columns
        const vr = (body.valueRange ?? {}) as Json
        assertWriteSize([vr])
        return transact((d) => {
          const { sheet, box } = parseRange(d, vr.range)
          let last = -1
          for (const [row, cells] of sheet.cells) for (const c of cells.keys()) if (c >= box.c0 && c <= box.c1) last = Math.max(last, row)
          const rows = Array.isArray(vr.values) ? vr.values.length : 0
          const start = Math.max(last + 1, box.r0)
          if (start + rows > sheet.rowCount) sheet.rowCount = start + rows
          const target = `${sheet.sheetId}!${a1(start, box.c0)}:${a1(start + Math.max(rows, 1) - 1, box.c1)}`
          return {
            spreadsheetToken,
            tableRange: target,
            revision: revision + 1,
            updates: writeValues(d, { range: target, values: vr.values }),
          }
        })
      }
      case 'values.get':
        return {
          revision,
          spreadsheetToken,
          valueRange: readValues(sheets, decodeURIComponent(r.rest.slice('values/'.length)), query.get('valueRenderOption') ?? ''),
        }
      case 'values_batch_get': {
        const ranges = (query.get('ranges') ?? '').split(',').filter((x) => x !== '')
        if (ranges.length === 0) throw fail(90229, 'ranges')
        const valueRanges = ranges.map((rg) => readValues(sheets, rg, query.get('valueRenderOption') ?? ''))
        return {
          revision,
          spreadsheetToken,
          totalCells: valueRanges.reduce((n, v) => n + (v.values as unknown[][]).flat().length, 0),
          valueRanges,
        }
      }
      case 'styles_batch_update':
        return transact((d) => stylesBatchUpdate(d, body))
      case 'condition_formats.get': {
        const ids = (query.get('sheet_ids') ?? '').split(',').filter((x) => x !== '')
        if (ids.length === 0) throw fail(90229, 'sheet_ids')
        return {
          sheet_condition_formats: ids.flatMap((id) =>
            byId(sheets, id).conditionFormats.map((f) => {
              const { cf_id, ...rest } = f
              return { sheet_id: id, condition_format: { cf_id, ...structuredClone(rest) } }
            }),
          ),
        }
      }
      case 'condition_formats.batch_create':
        return transact((d) => conditionFormatsCreate(d, body))
      case 'condition_formats.batch_delete':
        return transact((d) => conditionFormatsDelete(d, body))
      default:
        throw fail(90203, `unmodelled ${r.kind}`)
    }
  }

  async function readBody(req: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    for await (const chunk of req) {
      size += (chunk as Buffer).length
      if (size > MAX_BODY_BYTES) tooLarge = true
      else chunks.push(chunk as Buffer)
    }
    return { text: Buffer.concat(chunks).toString('utf8'), tooLarge }
  }

  function parseBody(text: string): Json {
    if (text.trim() === '') return {}
    try {
      const json = JSON.parse(text)
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not an object')
      return json as Json
    } catch {
      throw fail(90201)
    }
  }

  function issueToken(body: Json): Json {
    if (body.app_id !== appId) throw fail(10003, 'app_id')
    if (body.app_secret !== appSecret) throw fail(10014)
    const t = now()
    const left = current ? ((tokens.get(current) ?? 0) - t) / 1000 : 0
    if (!current || left < TOKEN_RENEW_S) {
      current = `t-${randomBytes(20).toString('hex')}`
      tokens.set(current, t + tokenTtlS * 1000)
      issued++
    }
    return { tenant_access_token: current, expire: Math.floor(((tokens.get(current) ?? t) - t) / 1000) }
  }

  function checkAuth(req: IncomingMessage): void {
    const header = req.headers.authorization
    if (!header) throw fail(99991661)
    const m = /^Bearer (.+)$/.exec(header)
    if (!m?.[1]) throw fail(99991661)
    if (!/^[tu]-/.test(m[1])) throw fail(99991671)
    const expires = tokens.get(m[1])
    if (expires === undefined || expires <= now()) throw fail(99991663)
  }

  function takeFault(kind: string): Fault | undefined {
    const entry = faults.find((f) => f.remaining > 0 && (f.fault.kind === undefined || f.fault.kind === kind))
    if (!entry) return undefined
    entry.remaining--
    return entry.fault
  }

  function faultError(fault: Fault): FeishuError {
    const limited = fault.resetS !== undefined || fault.status === 429
    const code = fault.code ?? (limited ? 99991400 : 90203)
    const status = fault.status ?? (limited ? 429 : 400)
    const headers: Record<string, string> = fault.resetS !== undefined ? { 'x-ogw-ratelimit-reset': String(fault.resetS) } : {}
    return new FeishuError(code, 'injected', status, headers)
  }

  function rateLimited(): FeishuError | undefined {
    if (rateLimit === null) return undefined
    const t = now()
    admitted = admitted.filter((at) => at > t - 1000)
    if (admitted.length >= rateLimit) {
      const resetS = Math.max(1, Math.ceil(((admitted[0] ?? t) + 1000 - t) / 1000))
      return new FeishuError(99991400, '', 429, { 'x-ogw-ratelimit-reset': String(resetS), 'x-ogw-ratelimit-limit': String(rateLimit) })
    }
    admitted.push(t)
    return undefined
  }

  async function answer(
    req: IncomingMessage,
    entry: RecordedRequest,
  ): Promise<{ status: number; body: Json; headers?: Record<string, string> }> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const { text, tooLarge } = await readBody(req)
    if (entry.method === 'POST' && url.pathname === '/open-apis/auth/v3/tenant_access_token/internal') {
      entry.kind = 'token'
      return { status: 200, body: { code: 0, msg: 'ok', ...issueToken(parseBody(text)) } }
    }
    const r = route(entry.method, url.pathname)
    if (!r) return { status: 404, body: { code: 404, msg: '404 page not found' } }
    entry.kind = r.kind
    checkAuth(req)
    const fault = takeFault(r.kind)
    if (fault) throw faultError(fault)
    const limited = rateLimited()
    if (limited) throw limited
    if (tooLarge) throw fail(90227)
    if (r.token !== spreadsheetToken) throw fail(90214)
    return { status: 200, body: { code: 0, msg: 'success', data: dispatch(r, url.searchParams, parseBody(text)) } }
  }

  function hold(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = { timer: setTimeout(() => done(), ms), done: () => done() }
      const done = () => {
        clearTimeout(handle.timer)
        timers.delete(handle)
        resolve()
      }
      timers.add(handle)
    })
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', kind: 'unknown', status: 0, code: -1, at: now() }
    requests.push(entry)
    let outcome: { status: number; body: Json; headers?: Record<string, string> }
    try {
      outcome = await answer(req, entry)
    } catch (e) {
      const error = e instanceof FeishuError ? e : new FeishuError(90203, `feishu-sheets-server bug: ${String(e)}`, 500)
      outcome = { status: error.status, body: { code: error.code, msg: error.message }, headers: error.headers }
    }
    entry.status = outcome.status
    entry.code = typeof outcome.body.code === 'number' ? outcome.body.code : -1
    const delay = delays.find((d) => d.remaining > 0)
    if (delay) {
      delay.remaining--
      await hold(delay.ms)
    }
    if (res.destroyed) return
    res.writeHead(outcome.status, { 'content-type': 'application/json; charset=utf-8', ...outcome.headers })
    res.end(JSON.stringify(outcome.body))
  }

  const server = createServer((req, res) => void handle(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  function sheetByTitle(tab: string): Sheet {
    const sheet = sheets.find((s) => s.title === tab)
    if (!sheet) throw new Error(`feishu-sheets-server: no tab named ${JSON.stringify(tab)}`)
    return sheet
  }

  const api: FeishuSheetsServer = {
    url: `http://127.0.0.1:${port}`,
    spreadsheetToken,
    appId,
    appSecret,
    requests,
    values(tab) {
      const sheet = sheetByTitle(tab)
      let maxRow = -1
      let maxCol = -1
      for (const [r, row] of sheet.cells)
        for (const c of row.keys()) {
          maxRow = Math.max(maxRow, r)
          maxCol = Math.max(maxCol, c)
        }
      return Array.from({ length: maxRow + 1 }, (_, r) =>
        Array.from({ length: maxCol + 1 }, (_, c) => {
          const cell = sheet.cells.get(r)?.get(c)
          return cell === undefined ? '' : isFormula(cell) ? cell.formula : cell
        }),
      )
    },
    displayed(tab) {
      return api.values(tab).map((row, r) =>
        row.map((cell, c) => {
          if (typeof cell !== 'number') return cell
          const formatter = api.styleAt(tab, a1(r, c)).formatter
          if (typeof formatter !== 'string' || !formatter.includes('yyyy')) return cell
          const text = new Date(Math.round((cell - 25_569) * 86_400) * 1000).toISOString().replace('T', ' ')
          return formatter.includes('HH') ? text.slice(0, 19) : text.slice(0, 10)
        }),
      )
    },
    formulas(tab) {
      const sheet = sheetByTitle(tab)
      const out: { a1: string; formula: string; r: number; c: number }[] = []
      for (const [r, row] of sheet.cells)
        for (const [c, cell] of row) if (isFormula(cell)) out.push({ a1: a1(r, c), formula: cell.formula, r, c })
      return out.sort((x, y) => x.r - y.r || x.c - y.c).map(({ a1: at, formula }) => ({ a1: at, formula }))
    },
    tabs() {
      return sheets.map((s, index) => ({
        sheetId: s.sheetId,
        title: s.title,
        index,
        frozenRowCount: s.frozenRowCount,
        frozenColCount: s.frozenColCount,
        rowCount: s.rowCount,
        columnCount: s.columnCount,
      }))
    },
    objects(tab) {
      const sheet = sheetByTitle(tab)
      return structuredClone({
        columnWidths: Array.from({ length: sheet.columnCount }, (_, c) => sheet.columnWidths.get(c) ?? DEFAULT_WIDTH),
        conditionFormats: sheet.conditionFormats,
      })
    },
    styleAt(tab, at) {
      const sheet = sheetByTitle(tab)
      const part = cellPart(at)
      if (part?.r === undefined || part.c === undefined) throw new Error(`feishu-sheets-server: not a cell: ${at}`)
      const { r, c } = part as { r: number; c: number }
      const style: Json = {}
      for (const { box, style: s } of sheet.styles)
        if (r >= box.r0 && r <= box.r1 && c >= box.c0 && c <= box.c1) Object.assign(style, structuredClone(s))
      return style
    },
    tokensIssued: () => issued,
    writeRequestCount: () => requests.filter((r) => r.method !== 'GET' && r.kind !== 'token').length,
    failNext(n, fault) {
      faults.push({ remaining: n, fault })
    },
    delayNext(n, delayMs) {
      delays.push({ remaining: n, ms: delayMs })
    },
    setRateLimit(limit) {
      rateLimit = limit
      admitted = []
    },
    revokeTokens() {
      tokens.clear()
      current = undefined
    },
    editByHand(tab, row, values) {
      if (!Number.isInteger(row) || row < 1) throw new Error('feishu-sheets-server: editByHand rows are 1-based')
      const id = sheetByTitle(tab).sheetId
      transact((d) => {
        const sheet = byId(d, id)
        sheet.rowCount = Math.max(sheet.rowCount, row)
        sheet.columnCount = Math.max(sheet.columnCount, values.length)
        values.forEach((v, c) => {
          setCell(sheet, row - 1, c, parseValue(v))
        })
      })
    },
    close() {
      for (const t of [...timers]) t.done()
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      })
    },
  }
  return api
}
