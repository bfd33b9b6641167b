/**
 * A Google Sheets API v4 test server on plain node:http.
 *
 * The real `@googleapis/sheets` client talks to it through `rootUrl`. It keeps one spreadsheet
 * in memory and answers the endpoints that Sentinel Forms uses, with Google's request and
 * response shapes, Google's error JSON, and the limits Google enforces. Tests can also inject
 * faults (status codes, slow replies), turn on a per-minute write quota, and edit cells "by hand".
 *
 * Modelled from the Sheets v4 reference and the client's source (URL shapes). Where Google's
 * exact behaviour is undocumented the choice is noted next to the code.
 */

import { randomBytes, randomInt } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

type CellValue = string | number | boolean

interface RecordedRequest {
  method: string
  path: string
  kind: string
  /** 0 while the request is still being answered */
  status: number
  at: number
}

interface Fault {
  status: number
  retryAfterS?: number
  /** only requests of this kind (e.g. 'values.batchUpdate') take the fault */
  kind?: string
}

export interface SheetsServer {
  /** 'http://127.0.0.1:PORT/' — pass as googleapis rootUrl */
  url: string
  spreadsheetId: string
  /** requests must carry 'Authorization: Bearer <token>' */
  token: string
  /** one tab's grid as plain values, '' for empty, trimmed of trailing empty rows/columns; formulas show as their '=…' text */
  values(tab: string): CellValue[][]
  /** as values(), with each number in a cell formatted DATE or DATE_TIME shown as that date (yyyy-mm-dd[ hh:mm:ss]), as a reader sees it */
  displayed(tab: string): CellValue[][]
  /** the cells of a tab that hold a formula (USER_ENTERED '=…'), as opposed to text that merely starts with '=' */
  formulas(tab: string): { a1: string; formula: string }[]
  tabs(): { sheetId: number; title: string; frozenRowCount: number; frozenColumnCount: number; rowCount: number; columnCount: number }[]
  /** what a tab carries besides its values: column widths in pixels (100 where unset), conditional formats, protected ranges, charts, and the developer metadata on it or its rows and columns */
  objects(tab: string): {
    columnWidths: number[]
    conditionalFormats: Json[]
    protectedRanges: Json[]
    charts: Json[]
    developerMetadata: Json[]
  }
  /** the userEnteredFormat of one cell ('B2'), as the repeatCell requests covering it left it */
  formatAt(tab: string, cell: string): Json
  /** every request received, in arrival order */
  requests: RecordedRequest[]
  /** requests that count against the write quota (every non-GET), successful or not */
  writeRequestCount(): number
  /** the next n requests (of `fault.kind` only, if given) answer with fault.status and change nothing */
  failNext(n: number, fault: Fault): void
  /** the next n requests are carried out at once but answered only after delayMs (a slow reply, not a slow write) */
  delayNext(n: number, delayMs: number): void
  /** after `limit` admitted writes inside a rolling 60 s window, answer 429 RESOURCE_EXHAUSTED; null turns it off */
  setWriteQuota(limit: number | null): void
  /** a person typing into row `row` (1-based) from column A: parsed as USER_ENTERED, grid grows as needed */
  editByHand(tab: string, row: number, values: (string | number)[]): void
  close(): Promise<void>
}

export interface SheetsServerOptions {
  spreadsheetId?: string
  token?: string
  /** initial tabs; the first gets sheetId 0 as in a new Google spreadsheet (default ['Sheet1']) */
  tabs?: string[]
  /** clock for the quota window and request timestamps (lets a test move time forward) */
  now?: () => number
}

// ---------------------------------------------------------------------------------------------
// Limits and defaults Google applies
// ---------------------------------------------------------------------------------------------

const MAX_CELL_CHARS = 50_000
const MAX_BOOK_CELLS = 10_000_000
const MAX_BODY_BYTES = 10 * 1024 * 1024 // Google: "Request payload size exceeds the limit: 10485760 bytes."
const DEFAULT_ROWS = 1000
const DEFAULT_COLUMNS = 26
const QUOTA_WINDOW_MS = 60_000

// Every request type in the v4 `Request` union: a name outside it is a JSON error at Google,
// a name inside it that we do not model gets a distinct message so a test fails loudly.
const REAL_REQUEST_KINDS = new Set(
  (
    'addBanding addChart addConditionalFormatRule addDataSource addDimensionGroup addFilterView addNamedRange ' +
    'addProtectedRange addSheet addSlicer addTable appendCells appendDimension autoFill autoResizeDimensions ' +
    'cancelDataSourceRefresh clearBasicFilter copyPaste createDeveloperMetadata cutPaste deleteBanding ' +
    'deleteConditionalFormatRule deleteDataSource deleteDeveloperMetadata deleteDimension deleteDimensionGroup ' +
    'deleteDuplicates deleteEmbeddedObject deleteFilterView deleteNamedRange deleteProtectedRange deleteRange ' +
    'deleteSheet deleteTable duplicateFilterView duplicateSheet findReplace insertDimension insertRange mergeCells ' +
    'moveDimension pasteData randomizeRange refreshDataSource repeatCell setBasicFilter setDataValidation sortRange ' +
    'textToColumns trimWhitespace unmergeCells updateBanding updateBorders updateCells updateChartSpec ' +
    'updateConditionalFormatRule updateDataSource updateDeveloperMetadata updateDimensionGroup ' +
    'updateDimensionProperties updateEmbeddedObjectBorder updateEmbeddedObjectPosition updateFilterView ' +
    'updateNamedRange updateProtectedRange updateSheetProperties updateSlicerSpec updateSpreadsheetProperties updateTable'
  ).split(' '),
)

// ---------------------------------------------------------------------------------------------
// Errors in Google's shape: { error: { code, message, status } }
// ---------------------------------------------------------------------------------------------

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
}

const DEFAULT_MESSAGES: Record<number, string> = {
  429:
    "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' " +
    "of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'.",
  500: 'Internal error encountered.',
  503: 'The service is currently unavailable.',
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly extra: { details?: unknown[]; headers?: Record<string, string> } = {},
  ) {
    super(message)
  }

  body(): unknown {
    const status = STATUS_NAMES[this.code] ?? 'UNKNOWN'
    const details = this.extra.details ? { details: this.extra.details } : {}
    return { error: { code: this.code, message: this.message, status, ...details } }
  }
}

const invalid = (message: string) => new ApiError(400, message)

function errorInfo(reason: string, metadata: Record<string, string> = {}) {
  return {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason,
    domain: 'googleapis.com',
    metadata: { service: 'sheets.googleapis.com', ...metadata },
  }
}

function quotaError(retryAfterS?: number): ApiError {
  const headers: Record<string, string> = retryAfterS === undefined ? {} : { 'retry-after': String(retryAfterS) }
  const details = [
    errorInfo('RATE_LIMIT_EXCEEDED', {
      quota_metric: 'sheets.googleapis.com/write_requests',
      quota_limit: 'WriteRequestsPerMinutePerUser',
    }),
  ]
  return new ApiError(429, DEFAULT_MESSAGES[429]!, { details, headers })
}

// ---------------------------------------------------------------------------------------------
// The spreadsheet model
// ---------------------------------------------------------------------------------------------

interface Formula {
  formula: string
}
type Cell = CellValue | Formula

interface Sheet {
  sheetId: number
  title: string
  rowCount: number
  columnCount: number
  frozenRowCount: number
  frozenColumnCount: number
  hidden: boolean
  /** row → column → cell, 0-based; a missing entry is an empty cell (grids are mostly empty) */
  cells: Map<number, Map<number, Cell>>
  /** column → pixelSize set by updateDimensionProperties (Google's default is 100) */
  columnWidths: Map<number, number>
  /** repeatCell formats in the order applied; a cell's format is the overlay of those covering it */
  formats: { box: Box; fields: string[]; format: Json }[]
  /** ConditionalFormatRule resources, in priority order */
  conditionalFormats: Json[]
  /** ProtectedRange resources, each with its protectedRangeId */
  protectedRanges: Json[]
  /** EmbeddedChart resources anchored on this sheet */
  charts: Json[]
}

/** sheets in tab order: a sheet's index is its position */
interface Book {
  title: string
  sheets: Sheet[]
  /** DeveloperMetadata resources of every location (spreadsheet, sheet, row, column) */
  developerMetadata: Json[]
}

/** an inclusive 0-based rectangle */
interface Box {
  r0: number
  c0: number
  r1: number
  c1: number
}

const isFormula = (cell: Cell | undefined): cell is Formula => typeof cell === 'object' && cell !== null

function newSheet(sheetId: number, title: string, rowCount = DEFAULT_ROWS, columnCount = DEFAULT_COLUMNS): Sheet {
  return {
    sheetId,
    title,
    rowCount,
    columnCount,
    frozenRowCount: 0,
    frozenColumnCount: 0,
    hidden: false,
    cells: new Map(),
    columnWidths: new Map(),
    formats: [],
    conditionalFormats: [],
    protectedRanges: [],
    charts: [],
  }
}

function cloneBook(book: Book): Book {
  const sheets = book.sheets.map((s) => ({
    ...s,
    cells: new Map([...s.cells].map(([r, row]) => [r, new Map(row)] as const)),
    columnWidths: new Map(s.columnWidths),
    formats: structuredClone(s.formats),
    conditionalFormats: structuredClone(s.conditionalFormats),
    protectedRanges: structuredClone(s.protectedRanges),
    charts: structuredClone(s.charts),
  }))
  return { title: book.title, sheets, developerMetadata: structuredClone(book.developerMetadata) }
}

/** sheet titles are unique without regard to case at Google, and ranges find them the same way */
function findSheet(book: Book, title: string): Sheet | undefined {
  return book.sheets.find((s) => s.title === title) ?? book.sheets.find((s) => s.title.toLowerCase() === title.toLowerCase())
}

function findSheetById(book: Book, sheetId: number, where: string): Sheet {
  const sheet = book.sheets.find((s) => s.sheetId === sheetId)
  if (!sheet) throw invalid(`Invalid ${where}: No grid with id: ${sheetId}`)
  return sheet
}

function getCell(sheet: Sheet, r: number, c: number): Cell | undefined {
  return sheet.cells.get(r)?.get(c)
}

/** '' and undefined both leave the cell empty, as at Google */
function setCell(sheet: Sheet, r: number, c: number, cell: Cell | undefined): void {
  let row = sheet.cells.get(r)
  if (cell === undefined || cell === '') {
    row?.delete(c)
    if (row && row.size === 0) sheet.cells.delete(r)
    return
  }
  if (!row) {
    row = new Map()
    sheet.cells.set(r, row)
  }
  row.set(c, cell)
}

/** the last used row and column (-1 when the sheet is empty) */
function usedExtent(sheet: Sheet): { maxRow: number; maxCol: number } {
  let maxRow = -1
  let maxCol = -1
  for (const [r, row] of sheet.cells) {
    maxRow = Math.max(maxRow, r)
    for (const c of row.keys()) maxCol = Math.max(maxCol, c)
  }
  return { maxRow, maxCol }
}

function assertCellLimit(book: Book): void {
  const total = book.sheets.reduce((n, s) => n + s.rowCount * s.columnCount, 0)
  if (total > MAX_BOOK_CELLS) {
    throw invalid(`This action would increase the number of cells in the workbook above the limit of ${MAX_BOOK_CELLS} cells.`)
  }
}

/** values writes past the grid add rows/columns, as Google does */
function growGrid(book: Book, sheet: Sheet, rows: number, columns: number): void {
  sheet.rowCount = Math.max(sheet.rowCount, rows)
  sheet.columnCount = Math.max(sheet.columnCount, columns)
  assertCellLimit(book)
}

/** move every row at or below `from` by `by` (negative deletes must clear the gap first) */
function shiftRows(sheet: Sheet, from: number, by: number): void {
  const next = new Map<number, Map<number, Cell>>()
  for (const [r, row] of sheet.cells) next.set(r >= from ? r + by : r, row)
  sheet.cells = next
}

function shiftColumns(sheet: Sheet, from: number, by: number): void {
  for (const [r, row] of sheet.cells) {
    const next = new Map<number, Cell>()
    for (const [c, cell] of row) next.set(c >= from ? c + by : c, cell)
    sheet.cells.set(r, next)
  }
}

function clearBox(sheet: Sheet, box: Box): void {
  for (const [r, row] of [...sheet.cells]) {
    if (r < box.r0 || r > box.r1) continue
    for (const c of [...row.keys()]) if (c >= box.c0 && c <= box.c1) setCell(sheet, r, c, undefined)
  }
}

// ---------------------------------------------------------------------------------------------
// A1 notation
// ---------------------------------------------------------------------------------------------

function columnIndex(letters: string): number {
  let n = 0
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64)
  return n - 1
}

function columnLetters(index: number): string {
  let s = ''
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s
  return s
}

const a1 = (r: number, c: number) => `${columnLetters(c)}${r + 1}`

/** Google quotes a title in the ranges it returns unless it is a plain identifier that cannot be read as a cell */
function quoteTitle(title: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(title) && !/^[A-Za-z]{1,3}\d+$/.test(title) && !/^R\d*C\d*$/i.test(title)
  return plain ? title : `'${title.replace(/'/g, "''")}'`
}

function formatRange(sheet: Sheet, box: Box): string {
  const start = a1(box.r0, box.c0)
  const end = a1(box.r1, box.c1)
  return `${quoteTitle(sheet.title)}!${start === end ? start : `${start}:${end}`}`
}

/** a parsed range; r1/c1 undefined means open-ended (A:C, 1:5, A5:C, a bare tab name) */
interface Ref {
  sheet: Sheet
  r0: number
  c0: number
  r1: number | undefined
  c1: number | undefined
  /** a single cell: for writes only an anchor, the data may extend from it */
  single: boolean
  /** the cell part as the caller wrote it, for error messages */
  text: string
}

/** "'It''s'!A1" → title + ref; "Tab!A1" → title + ref; "A1" or "Tab" → ref only (caller decides) */
function splitRange(input: string): { title: string | undefined; ref: string | undefined } | undefined {
  if (input.startsWith("'")) {
    let title = ''
    let i = 1
    for (;;) {
      if (i >= input.length) return undefined
      if (input[i] === "'") {
        if (input[i + 1] !== "'") break
        i++
      }
      title += input[i]
      i++
    }
    const rest = input.slice(i + 1)
    if (rest === '') return { title, ref: undefined }
    return rest.startsWith('!') ? { title, ref: rest.slice(1) } : undefined
  }
  const bang = input.lastIndexOf('!')
  if (bang >= 0) return { title: input.slice(0, bang), ref: input.slice(bang + 1) }
  return { title: undefined, ref: input }
}

function parseCellPart(part: string): { col?: number; row?: number } | undefined {
  const m = /^([A-Za-z]{0,3})([1-9]\d*)?$/.exec(part)
  if (!m || (!m[1] && !m[2])) return undefined
  return { col: m[1] ? columnIndex(m[1]) : undefined, row: m[2] ? Number(m[2]) - 1 : undefined }
}

function parseCells(ref: string): Omit<Ref, 'sheet' | 'text'> | undefined {
  const parts = ref.split(':')
  if (parts.length === 1) {
    const p = parseCellPart(parts[0]!)
    if (p?.col === undefined || p.row === undefined) return undefined
    return { r0: p.row, c0: p.col, r1: p.row, c1: p.col, single: true }
  }
  if (parts.length !== 2) return undefined
  const a = parseCellPart(parts[0]!)
  const b = parseCellPart(parts[1]!)
  if (!a || !b) return undefined
  // a missing start means the first row/column; a missing end means "to the edge of the grid"
  let r0 = a.row ?? 0
  let c0 = a.col ?? 0
  let r1 = b.row
  let c1 = b.col
  if (r1 !== undefined && r1 < r0) [r0, r1] = [r1, r0]
  if (c1 !== undefined && c1 < c0) [c0, c1] = [c1, c0]
  return { r0, c0, r1, c1, single: false }
}

function wholeSheet(sheet: Sheet): Ref {
  return { sheet, r0: 0, c0: 0, r1: undefined, c1: undefined, single: false, text: '' }
}

function resolveRange(book: Book, input: string): Ref {
  const fail = () => invalid(`Unable to parse range: ${input}`)
  const split = splitRange(input)
  if (!split) throw fail()
  if (split.title === undefined) {
    // no '!': a tab name wins; otherwise cells on the first visible tab
    const named = findSheet(book, split.ref ?? '')
    if (named) return wholeSheet(named)
    const cells = parseCells(split.ref ?? '')
    const first = book.sheets.find((s) => !s.hidden) ?? book.sheets[0]
    if (!cells || !first) throw fail()
    return { sheet: first, ...cells, text: split.ref ?? '' }
  }
  const sheet = findSheet(book, split.title)
  if (!sheet) throw fail()
  if (split.ref === undefined) return wholeSheet(sheet)
  const cells = parseCells(split.ref)
  if (!cells) throw fail()
  return { sheet, ...cells, text: split.ref }
}

/** every coordinate written in the range must lie inside the grid (reads and writes alike) */
function assertInGrid(ref: Ref): void {
  const { sheet } = ref
  const rowsOk = ref.r0 < sheet.rowCount && (ref.r1 === undefined || ref.r1 < sheet.rowCount)
  const colsOk = ref.c0 < sheet.columnCount && (ref.c1 === undefined || ref.c1 < sheet.columnCount)
  if (!rowsOk || !colsOk) {
    throw invalid(
      `Range (${quoteTitle(sheet.title)}!${ref.text}) exceeds grid limits. ` +
        `Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`,
    )
  }
}

/** open ends stop at the grid's edge */
function clip(ref: Ref): Box {
  const { sheet } = ref
  return {
    r0: ref.r0,
    c0: ref.c0,
    r1: Math.min(ref.r1 ?? sheet.rowCount - 1, sheet.rowCount - 1),
    c1: Math.min(ref.c1 ?? sheet.columnCount - 1, sheet.columnCount - 1),
  }
}

// ---------------------------------------------------------------------------------------------
// Cell input (RAW / USER_ENTERED) and output (FORMATTED_VALUE / UNFORMATTED_VALUE / FORMULA)
// ---------------------------------------------------------------------------------------------

type InputOption = 'RAW' | 'USER_ENTERED'
type RenderOption = 'FORMATTED_VALUE' | 'UNFORMATTED_VALUE' | 'FORMULA'
type Major = 'ROWS' | 'COLUMNS'

/** null in a values array means "leave this cell alone" (documented for ValueRange.values) */
const SKIP = Symbol('skip')

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const GROUPED_NUMBER = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/
const PERCENT = /^[+-]?(\d+\.?\d*|\.\d+)%$/

function assertCellLength(text: string): void {
  if (text.length > MAX_CELL_CHARS) {
    throw invalid(`Your input contains more than the maximum of ${MAX_CELL_CHARS} characters in a single cell.`)
  }
}

/** what a person typing `text` into a cell would get (the subset of parsing that matters here) */
function parseTyped(text: string): Cell | undefined {
  if (text === '') return undefined
  if (text.startsWith("'")) return text.slice(1) // a leading apostrophe forces text and is not stored
  if (text.startsWith('=') && text.length > 1) return { formula: text }
  if (NUMBER.test(text)) return Number(text)
  if (GROUPED_NUMBER.test(text)) return Number(text.replace(/,/g, ''))
  if (PERCENT.test(text)) return Number(text.slice(0, -1)) / 100
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true'
  return text
}

function parseInput(value: unknown, option: InputOption, where: string): Cell | undefined | typeof SKIP {
  if (value === null || value === undefined) return SKIP
  if (typeof value === 'number' || typeof value === 'boolean') return value
  if (typeof value !== 'string') throw invalid(`Invalid ${where}: ${JSON.stringify(value)}`)
  assertCellLength(value)
  return option === 'RAW' ? value : parseTyped(value)
}

function formatNumber(n: number): string {
  return String(Number(n.toPrecision(15)))
    .replace('e+', 'E+')
    .replace('e-', 'E-')
}

/** formulas are not evaluated, except HYPERLINK which shows its label */
function evaluate(formula: string): CellValue {
  const link = /^=HYPERLINK\(\s*"((?:[^"]|"")*)"\s*(?:[,;]\s*"((?:[^"]|"")*)"\s*)?\)$/i.exec(formula)
  if (link) return (link[2] ?? link[1] ?? '').replace(/""/g, '"')
  return formula
}

function render(cell: Cell | undefined, option: RenderOption): CellValue {
  if (cell === undefined) return ''
  if (isFormula(cell)) return option === 'FORMULA' ? cell.formula : render(evaluate(cell.formula), option)
  if (option !== 'FORMATTED_VALUE') return cell
  if (typeof cell === 'number') return formatNumber(cell)
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE'
  return cell
}

/** Google omits trailing empty cells in each line and trailing empty lines */
function trimTrailing<T>(line: T[], isEmpty: (v: T) => boolean): T[] {
  let end = line.length
  while (end > 0 && isEmpty(line[end - 1]!)) end--
  return line.slice(0, end)
}

function readBox(sheet: Sheet, box: Box, major: Major, option: RenderOption): CellValue[][] {
  // only the used part of the grid can hold anything
  const used = usedExtent(sheet)
  const last = { r1: Math.min(box.r1, used.maxRow), c1: Math.min(box.c1, used.maxCol) }
  const lines: CellValue[][] = []
  const [outer0, outer1, inner0, inner1] = major === 'ROWS' ? [box.r0, last.r1, box.c0, last.c1] : [box.c0, last.c1, box.r0, last.r1]
  for (let i = outer0; i <= outer1; i++) {
    const line: CellValue[] = []
    for (let j = inner0; j <= inner1; j++) {
      line.push(render(major === 'ROWS' ? getCell(sheet, i, j) : getCell(sheet, j, i), option))
    }
    lines.push(trimTrailing(line, (v) => v === ''))
  }
  return trimTrailing(lines, (l) => l.length === 0)
}

// ---------------------------------------------------------------------------------------------
// Writing values
// ---------------------------------------------------------------------------------------------

interface WriteStats {
  updatedRange: string
  updatedRows?: number
  updatedColumns?: number
  updatedCells?: number
}

/** the input as rows of raw values, whatever its majorDimension */
function rowMajor(values: unknown, major: Major): unknown[][] {
  if (values === undefined || values === null) return []
  if (!Array.isArray(values)) throw invalid(`Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue)`)
  const lines = values.map((line, i) => {
    if (line === null) return []
    if (!Array.isArray(line)) throw invalid(`Invalid value at 'data.values[${i}]' (type.googleapis.com/google.protobuf.ListValue)`)
    return line as unknown[]
  })
  if (major === 'ROWS') return lines
  const height = Math.max(0, ...lines.map((l) => l.length))
  return Array.from({ length: height }, (_, r) => lines.map((l) => l[r]))
}

/** write a block with its top-left at (r0, c0), growing the grid as needed */
function writeAt(book: Book, sheet: Sheet, r0: number, c0: number, rows: unknown[][], option: InputOption): WriteStats {
  const height = rows.length
  const width = Math.max(0, ...rows.map((r) => r.length))
  if (height === 0 || width === 0) return { updatedRange: formatRange(sheet, { r0, c0, r1: r0, c1: c0 }) }
  // parse everything first so a bad cell rejects the whole write
  const parsed = rows.map((row, i) => row.map((v, j) => parseInput(v, option, `values[${i}][${j}]`)))
  growGrid(book, sheet, r0 + height, c0 + width)
  const touchedRows = new Set<number>()
  const touchedCols = new Set<number>()
  let cells = 0
  parsed.forEach((row, i) => {
    row.forEach((cell, j) => {
      if (cell === SKIP) return
      setCell(sheet, r0 + i, c0 + j, cell)
      touchedRows.add(i)
      touchedCols.add(j)
      cells++
    })
  })
  return {
    updatedRange: formatRange(sheet, { r0, c0, r1: r0 + height - 1, c1: c0 + width - 1 }),
    updatedRows: touchedRows.size,
    updatedColumns: touchedCols.size,
    updatedCells: cells,
  }
}

/** a bounded multi-cell range is a hard limit for the data; a single cell or open end is not */
function assertFits(ref: Ref, rows: unknown[][]): void {
  if (ref.single) return
  const height = rows.length
  const width = Math.max(0, ...rows.map((r) => r.length))
  const label = `${quoteTitle(ref.sheet.title)}!${ref.text || formatRange(ref.sheet, clip(ref)).split('!')[1]}`
  if (ref.r1 !== undefined && ref.r0 + height - 1 > ref.r1) {
    throw invalid(`Requested writing within range [${label}], but tried writing to row [${ref.r1 + 2}]`)
  }
  if (ref.c1 !== undefined && ref.c0 + width - 1 > ref.c1) {
    throw invalid(`Requested writing within range [${label}], but tried writing to column [${columnLetters(ref.c1 + 1)}]`)
  }
}

function writeRange(book: Book, range: string, body: Record<string, unknown>, option: InputOption): WriteStats & { sheetId: number } {
  const ref = resolveRange(book, range)
  assertInGrid(ref)
  const rows = rowMajor(body.values, parseMajor(body.majorDimension))
  assertFits(ref, rows)
  return { ...writeAt(book, ref.sheet, ref.r0, ref.c0, rows, option), sheetId: ref.sheet.sheetId }
}

/** the first non-empty cell inside the box, scanning row by row */
function firstUsedCell(sheet: Sheet, box: Box): { r: number; c: number } | undefined {
  const rows = [...sheet.cells.keys()].filter((r) => r >= box.r0 && r <= box.r1).sort((a, b) => a - b)
  for (const r of rows) {
    const cols = [...sheet.cells.get(r)!.keys()].filter((c) => c >= box.c0 && c <= box.c1)
    if (cols.length) return { r, c: Math.min(...cols) }
  }
  return undefined
}

function anyUsed(sheet: Sheet, r0: number, r1: number, c0: number, c1: number): boolean {
  for (let r = Math.max(0, r0); r <= r1; r++) {
    const row = sheet.cells.get(r)
    if (row) for (const c of row.keys()) if (c >= c0 && c <= c1) return true
  }
  return false
}

/**
 * values.append's "table": the block of touching non-empty cells (diagonals count, like a
 * spreadsheet's "current region") around the first non-empty cell in the range. The range only
 * locates the table, which may run past it; a fully empty row ends it. New rows go right below,
 * from the table's first column.
 */
function findTable(sheet: Sheet, box: Box): Box | undefined {
  const seed = firstUsedCell(sheet, box)
  if (!seed) return undefined
  const t: Box = { r0: seed.r, c0: seed.c, r1: seed.r, c1: seed.c }
  for (let grown = true; grown; ) {
    grown = false
    for (; anyUsed(sheet, t.r1 + 1, t.r1 + 1, t.c0 - 1, t.c1 + 1); grown = true) t.r1++
    for (; t.r0 > 0 && anyUsed(sheet, t.r0 - 1, t.r0 - 1, t.c0 - 1, t.c1 + 1); grown = true) t.r0--
    if (anyUsed(sheet, t.r0 - 1, t.r1 + 1, t.c1 + 1, t.c1 + 1)) {
      t.c1++
      grown = true
    }
    if (t.c0 > 0 && anyUsed(sheet, t.r0 - 1, t.r1 + 1, t.c0 - 1, t.c0 - 1)) {
      t.c0--
      grown = true
    }
  }
  return t
}

// ---------------------------------------------------------------------------------------------
// Request parameter helpers
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>

function asObject(value: unknown, where: string): Json {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`Invalid JSON payload received. Expected an object at '${where}'.`)
  return value as Json
}

function enumValue<T extends string>(value: unknown, allowed: readonly T[], fallback: T, name: string): T {
  if (value === undefined || value === null || value === '') return fallback
  if (allowed.includes(value as T)) return value as T
  throw invalid(`Invalid value at '${name}' (${JSON.stringify(value)})`)
}

const parseMajor = (v: unknown) => enumValue<Major>(v, ['ROWS', 'COLUMNS'], 'ROWS', 'major_dimension')
const parseRender = (v: unknown) =>
  enumValue<RenderOption>(v, ['FORMATTED_VALUE', 'UNFORMATTED_VALUE', 'FORMULA'], 'FORMATTED_VALUE', 'value_render_option')

function parseInputOption(value: unknown): InputOption {
  if (value === 'RAW' || value === 'USER_ENTERED') return value
  if (value === undefined || value === null || value === '') throw invalid('Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED')
  throw invalid(`Invalid value at 'value_input_option' (${JSON.stringify(value)})`)
}

function intValue(value: unknown, fallback: number | undefined, where: string): number {
  if (value === undefined || value === null) {
    if (fallback === undefined) throw invalid(`Invalid ${where}: missing value`)
    return fallback
  }
  const n = typeof value === 'string' ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw invalid(`Invalid ${where}: ${JSON.stringify(value)}`)
  return n
}

// ---------------------------------------------------------------------------------------------
// spreadsheets.get / spreadsheets.batchUpdate
// ---------------------------------------------------------------------------------------------

/** proto3 JSON: zero-valued frozen counts and false flags are omitted, sheetId and index are not */
function sheetProperties(sheet: Sheet, index: number): Json {
  const grid: Json = { rowCount: sheet.rowCount, columnCount: sheet.columnCount }
  if (sheet.frozenRowCount) grid.frozenRowCount = sheet.frozenRowCount
  if (sheet.frozenColumnCount) grid.frozenColumnCount = sheet.frozenColumnCount
  return {
    sheetId: sheet.sheetId,
    title: sheet.title,
    index,
    sheetType: 'GRID',
    gridProperties: grid,
    ...(sheet.hidden ? { hidden: true } : {}),
  }
}

/** a Sheet resource as spreadsheets.get gives it without grid data: empty lists are omitted, as in proto3 JSON */
function sheetResource(book: Book, sheet: Sheet, index: number): Json {
  const sheetMetadata = book.developerMetadata.filter((m) => (m.location as Json).sheetId === sheet.sheetId)
  const lists: [string, Json[]][] = [
    ['conditionalFormats', sheet.conditionalFormats],
    ['protectedRanges', sheet.protectedRanges],
    ['charts', sheet.charts],
    ['developerMetadata', sheetMetadata],
  ]
  return { properties: sheetProperties(sheet, index), ...Object.fromEntries(lists.filter(([, list]) => list.length > 0)) }
}

function spreadsheetResource(book: Book, spreadsheetId: string): Json {
  const own = book.developerMetadata.filter((m) => (m.location as Json).spreadsheet === true)
  return {
    spreadsheetId,
    properties: { title: book.title, locale: 'en_US', autoRecalc: 'ON_CHANGE', timeZone: 'Etc/GMT' },
    sheets: book.sheets.map((s, i) => sheetResource(book, s, i)),
    ...(own.length > 0 ? { developerMetadata: own } : {}),
    spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${spreadsheetId}/edit`,
  }
}

function assertTitleFree(book: Book, title: string, where: string, self?: Sheet): void {
  if (title.trim() === '') throw invalid(`Invalid ${where}: Sheet name cannot be empty.`)
  const other = book.sheets.find((s) => s !== self && s.title.toLowerCase() === title.toLowerCase())
  if (other) throw invalid(`Invalid ${where}: A sheet with the name "${title}" already exists. Please enter another name.`)
}

function assertFrozenFits(sheet: Sheet, where: string): void {
  if (sheet.frozenRowCount >= sheet.rowCount) throw invalid(`Invalid ${where}: You can't freeze all visible rows on the sheet.`)
  if (sheet.frozenColumnCount >= sheet.columnCount) throw invalid(`Invalid ${where}: You can't freeze all visible columns on the sheet.`)
}

/** Google picks random positive int32 ids for new sheets */
function freshSheetId(book: Book): number {
  for (;;) {
    const id = randomInt(1, 2 ** 31 - 1)
    if (!book.sheets.some((s) => s.sheetId === id)) return id
  }
}

function nextDefaultTitle(book: Book): string {
  for (let n = book.sheets.length + 1; ; n++) if (!findSheet(book, `Sheet${n}`)) return `Sheet${n}`
}

type SubHandler = (book: Book, req: Json, where: string) => Json

function addSheet(book: Book, req: Json, where: string): Json {
  const props = asObject(req.properties, `${where}.properties`)
  const grid = asObject(props.gridProperties, `${where}.properties.gridProperties`)
  const title = props.title === undefined ? nextDefaultTitle(book) : String(props.title)
  assertTitleFree(book, title, where)
  let sheetId: number
  if (props.sheetId === undefined) sheetId = freshSheetId(book)
  else {
    sheetId = intValue(props.sheetId, undefined, `${where}.properties.sheetId`)
    if (book.sheets.some((s) => s.sheetId === sheetId)) throw invalid(`Invalid ${where}: Sheet with id ${sheetId} already exists.`)
  }
  const sheet = newSheet(
    sheetId,
    title,
    intValue(grid.rowCount, DEFAULT_ROWS, `${where}.properties.gridProperties.rowCount`),
    intValue(grid.columnCount, DEFAULT_COLUMNS, `${where}.properties.gridProperties.columnCount`),
  )
  sheet.frozenRowCount = intValue(grid.frozenRowCount, 0, `${where}.properties.gridProperties.frozenRowCount`)
  sheet.frozenColumnCount = intValue(grid.frozenColumnCount, 0, `${where}.properties.gridProperties.frozenColumnCount`)
  sheet.hidden = props.hidden === true
  assertFrozenFits(sheet, where)
  const index = Math.min(intValue(props.index, book.sheets.length, `${where}.properties.index`), book.sheets.length)
  book.sheets.splice(index, 0, sheet)
  assertCellLimit(book)
  return { addSheet: { properties: sheetProperties(sheet, index) } }
}

function deleteSheet(book: Book, req: Json, where: string): Json {
  const sheet = findSheetById(book, intValue(req.sheetId, 0, `${where}.sheetId`), where)
  if (book.sheets.length === 1) throw invalid(`Invalid ${where}: You can't remove all the sheets in a document.`)
  book.sheets.splice(book.sheets.indexOf(sheet), 1)
  // what was anchored on the sheet goes with it
  book.developerMetadata = book.developerMetadata.filter((m) => metadataSheetId(m) !== sheet.sheetId)
  return {}
}

// SheetProperties fields we keep; other real fields (tabColor, rightToLeft…) are accepted and ignored
const SHEET_FIELDS = new Set([
  'sheetId',
  'title',
  'index',
  'sheetType',
  'hidden',
  'tabColor',
  'tabColorStyle',
  'rightToLeft',
  'dataSourceSheetProperties',
])
const GRID_FIELDS = new Set([
  'rowCount',
  'columnCount',
  'frozenRowCount',
  'frozenColumnCount',
  'hideGridlines',
  'rowGroupControlAfter',
  'columnGroupControlAfter',
])

/** expand a field mask ('title,gridProperties.frozenRowCount', 'gridProperties', '*') to leaf paths */
function maskPaths(fields: unknown, where: string): string[] {
  if (typeof fields !== 'string' || fields.trim() === '')
    throw invalid(`Invalid ${where}: At least one field must be specified in 'fields'.`)
  const paths: string[] = []
  for (const raw of fields.split(',')) {
    const path = raw.trim().replace(/\//g, '.')
    if (path === '*') paths.push(...[...SHEET_FIELDS].filter((f) => f !== 'sheetId'), ...[...GRID_FIELDS].map((f) => `gridProperties.${f}`))
    else if (path === 'gridProperties') paths.push(...[...GRID_FIELDS].map((f) => `gridProperties.${f}`))
    else if (SHEET_FIELDS.has(path) || (path.startsWith('gridProperties.') && GRID_FIELDS.has(path.slice(15)))) paths.push(path)
    else throw invalid(`Invalid ${where}: Invalid field mask path: "${path}"`)
  }
  return paths
}

function updateSheetProperties(book: Book, req: Json, where: string): Json {
  const props = asObject(req.properties, `${where}.properties`)
  const grid = asObject(props.gridProperties, `${where}.properties.gridProperties`)
  // an omitted sheetId is 0 in proto3, i.e. the first sheet of a new spreadsheet
  const sheet = findSheetById(book, intValue(props.sheetId, 0, `${where}.properties.sheetId`), where)
  for (const path of maskPaths(req.fields, where)) {
    if (path === 'title') {
      const title = String(props.title ?? '')
      assertTitleFree(book, title, where, sheet)
      sheet.title = title
    } else if (path === 'hidden') sheet.hidden = props.hidden === true
    else if (path === 'index') {
      const index = Math.min(intValue(props.index, 0, `${where}.properties.index`), book.sheets.length - 1)
      book.sheets.splice(book.sheets.indexOf(sheet), 1)
      book.sheets.splice(index, 0, sheet)
    } else if (path === 'gridProperties.rowCount') sheet.rowCount = intValue(grid.rowCount, 0, `${where}.rowCount`)
    else if (path === 'gridProperties.columnCount') sheet.columnCount = intValue(grid.columnCount, 0, `${where}.columnCount`)
    else if (path === 'gridProperties.frozenRowCount') sheet.frozenRowCount = intValue(grid.frozenRowCount, 0, `${where}.frozenRowCount`)
    else if (path === 'gridProperties.frozenColumnCount')
      sheet.frozenColumnCount = intValue(grid.frozenColumnCount, 0, `${where}.frozenColumnCount`)
  }
  if (sheet.rowCount < 1 || sheet.columnCount < 1) throw invalid(`Invalid ${where}: rowCount and columnCount must be positive.`)
  // shrinking the grid drops what falls outside it
  clearBox(sheet, { r0: sheet.rowCount, c0: 0, r1: Infinity, c1: Infinity })
  clearBox(sheet, { r0: 0, c0: sheet.columnCount, r1: Infinity, c1: Infinity })
  assertFrozenFits(sheet, where)
  assertCellLimit(book)
  return {}
}

function appendDimension(book: Book, req: Json, where: string): Json {
  const sheet = findSheetById(book, intValue(req.sheetId, 0, `${where}.sheetId`), where)
  const length = intValue(req.length, undefined, `${where}.length`)
  if (length < 1) throw invalid(`Invalid ${where}: length must be at least 1.`)
  const dimension = enumValue(req.dimension, ['ROWS', 'COLUMNS'] as const, 'ROWS', `${where}.dimension`)
  if (dimension === 'ROWS') sheet.rowCount += length
  else sheet.columnCount += length
  assertCellLimit(book)
  return {}
}

function dimensionRange(book: Book, req: Json, where: string) {
  const range = asObject(req.range, `${where}.range`)
  const sheet = findSheetById(book, intValue(range.sheetId, 0, `${where}.range.sheetId`), where)
  const dimension = enumValue(range.dimension, ['ROWS', 'COLUMNS'] as const, 'ROWS', `${where}.range.dimension`)
  const start = intValue(range.startIndex, 0, `${where}.range.startIndex`)
  const end = intValue(range.endIndex, undefined, `${where}.range.endIndex`)
  if (end <= start) throw invalid(`Invalid ${where}: endIndex must be greater than startIndex.`)
  return { sheet, dimension, start, end }
}

function insertDimension(book: Book, req: Json, where: string): Json {
  const { sheet, dimension, start, end } = dimensionRange(book, req, where)
  const size = dimension === 'ROWS' ? sheet.rowCount : sheet.columnCount
  if (start > size) throw invalid(`Invalid ${where}: startIndex is beyond the end of the grid.`)
  if (dimension === 'ROWS') {
    shiftRows(sheet, start, end - start)
    sheet.rowCount += end - start
  } else {
    shiftColumns(sheet, start, end - start)
    sheet.columnCount += end - start
  }
  assertCellLimit(book)
  return {}
}

function deleteDimension(book: Book, req: Json, where: string): Json {
  const { sheet, dimension, start, end } = dimensionRange(book, req, where)
  const size = dimension === 'ROWS' ? sheet.rowCount : sheet.columnCount
  const stop = Math.min(end, size)
  if (start === 0 && stop >= size)
    throw invalid(`Invalid ${where}: You can't delete all the ${dimension === 'ROWS' ? 'rows' : 'columns'} on the sheet.`)
  if (dimension === 'ROWS') {
    clearBox(sheet, { r0: start, c0: 0, r1: stop - 1, c1: Infinity })
    shiftRows(sheet, stop, start - stop)
    sheet.rowCount -= stop - start
  } else {
    clearBox(sheet, { r0: 0, c0: start, r1: Infinity, c1: stop - 1 })
    shiftColumns(sheet, stop, start - stop)
    sheet.columnCount -= stop - start
  }
  return {}
}

// ---------------------------------------------------------------------------------------------
// Formatting, protection, developer metadata and charts: stored as the API keeps them, checked
// as far as a caller of ours can get them wrong
// ---------------------------------------------------------------------------------------------

/** a GridRange (end indexes exclusive, absent = unbounded) on its sheet, as an inclusive box; it must lie inside the grid */
function gridRange(book: Book, value: unknown, where: string): { sheet: Sheet; box: Box } {
  const range = asObject(value, where)
  const sheet = findSheetById(book, intValue(range.sheetId, 0, `${where}.sheetId`), where)
  const bound = (start: string, end: string, size: number) => {
    const from = intValue(range[start], 0, `${where}.${start}`)
    const to = range[end] === undefined ? size : intValue(range[end], undefined, `${where}.${end}`)
    if (from < 0 || to > size || to <= from)
      throw invalid(`Invalid ${where}: Range ${start}=${from}, ${end}=${to} is outside the grid (${size}).`)
    return [from, to - 1] as const
  }
  const [r0, r1] = bound('startRowIndex', 'endRowIndex', sheet.rowCount)
  const [c0, c1] = bound('startColumnIndex', 'endColumnIndex', sheet.columnCount)
  return { sheet, box: { r0, c0, r1, c1 } }
}

/** 'userEnteredFormat(textFormat,backgroundColor),note' → ['userEnteredFormat.textFormat', 'userEnteredFormat.backgroundColor', 'note'] */
function fieldPaths(fields: unknown, where: string): string[] {
  if (typeof fields !== 'string' || fields.trim() === '')
    throw invalid(`Invalid ${where}: At least one field must be specified in 'fields'.`)
  const paths: string[] = []
  for (const part of fields.match(/[^,(]+\([^)]*\)|[^,]+/g) ?? []) {
    const group = /^([^(]+)\(([^)]*)\)$/.exec(part.trim())
    if (group) for (const inner of group[2]!.split(',')) paths.push(`${group[1]!.trim()}.${inner.trim()}`)
    else paths.push(part.trim())
  }
  return paths
}

const pathValue = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, key) => (typeof v === 'object' && v !== null ? (v as Json)[key] : undefined), value)

function repeatCell(book: Book, req: Json, where: string): Json {
  const { sheet, box } = gridRange(book, req.range, `${where}.range`)
  const cell = asObject(req.cell, `${where}.cell`)
  const fields = fieldPaths(req.fields, where)
  for (const path of fields)
    if (!/^(userEnteredFormat|note|dataValidation|userEnteredValue|textFormatRuns|hyperlink)(\.|$)/.test(path))
      throw invalid(`Invalid ${where}: Invalid field mask path: "${path}"`)
  const type = pathValue(cell, 'userEnteredFormat.numberFormat.type')
  const types = ['TEXT', 'NUMBER', 'PERCENT', 'CURRENCY', 'DATE', 'TIME', 'DATE_TIME', 'SCIENTIFIC']
  if (type !== undefined && !types.includes(String(type)))
    throw invalid(`Invalid value at '${where}.cell.user_entered_format.number_format.type': "${String(type)}"`)
  sheet.formats.push({ box, fields, format: structuredClone(cell) })
  return {}
}

function updateDimensionProperties(book: Book, req: Json, where: string): Json {
  const { sheet, dimension, start, end } = dimensionRange(book, req, where)
  const properties = asObject(req.properties, `${where}.properties`)
  const fields = fieldPaths(req.fields, where)
  for (const path of fields)
    if (!['pixelSize', 'hiddenByUser', 'developerMetadata'].includes(path))
      throw invalid(`Invalid ${where}: Invalid field mask path: "${path}"`)
  const size = dimension === 'ROWS' ? sheet.rowCount : sheet.columnCount
  if (end > size) throw invalid(`Invalid ${where}: Range endIndex ${end} is beyond the grid (${size}).`)
  // row heights are accepted and not modelled: nothing here reads them
  if (dimension === 'COLUMNS' && fields.includes('pixelSize')) {
    const pixels = intValue(properties.pixelSize, 0, `${where}.properties.pixelSize`)
    if (pixels < 0) throw invalid(`Invalid ${where}: pixelSize must be non-negative.`)
    for (let c = start; c < end; c++) sheet.columnWidths.set(c, pixels)
  }
  return {}
}

const CONDITION_VALUES: Record<string, number> = {
  TEXT_STARTS_WITH: 1,
  TEXT_ENDS_WITH: 1,
  TEXT_CONTAINS: 1,
  TEXT_NOT_CONTAINS: 1,
  TEXT_EQ: 1,
  NUMBER_GREATER: 1,
  NUMBER_LESS: 1,
  NUMBER_EQ: 1,
  CUSTOM_FORMULA: 1,
  BLANK: 0,
  NOT_BLANK: 0,
}

function conditionalRule(book: Book, value: unknown, where: string): { sheet: Sheet; rule: Json } {
  const rule = asObject(value, where)
  if (!Array.isArray(rule.ranges) || rule.ranges.length === 0) throw invalid(`Invalid ${where}: A conditional format rule needs ranges.`)
  const sheets = rule.ranges.map((r, i) => gridRange(book, r, `${where}.ranges[${i}]`).sheet)
  if (sheets.some((s) => s !== sheets[0])) throw invalid(`Invalid ${where}: All ranges must be on the same sheet.`)
  if ((rule.booleanRule === undefined) === (rule.gradientRule === undefined))
    throw invalid(`Invalid ${where}: Exactly one of booleanRule or gradientRule must be set.`)
  if (rule.booleanRule !== undefined) {
    const condition = asObject(asObject(rule.booleanRule, `${where}.booleanRule`).condition, `${where}.booleanRule.condition`)
    const expected = CONDITION_VALUES[String(condition.type)]
    if (expected === undefined)
      throw invalid(`Invalid ${where}: sheets-server (test double) does not model condition ${String(condition.type)}.`)
    const values = Array.isArray(condition.values) ? condition.values : []
    if (values.length !== expected) throw invalid(`Invalid ${where}: ${String(condition.type)} takes ${expected} value(s).`)
  }
  return { sheet: sheets[0]!, rule: structuredClone(rule) }
}

function addConditionalFormatRule(book: Book, req: Json, where: string): Json {
  const { sheet, rule } = conditionalRule(book, req.rule, `${where}.rule`)
  const index = intValue(req.index, 0, `${where}.index`)
  if (index < 0 || index > sheet.conditionalFormats.length) throw invalid(`Invalid ${where}: index ${index} is out of range.`)
  sheet.conditionalFormats.splice(index, 0, rule)
  return {}
}

function deleteConditionalFormatRule(book: Book, req: Json, where: string): Json {
  const sheet = findSheetById(book, intValue(req.sheetId, 0, `${where}.sheetId`), where)
  const index = intValue(req.index, 0, `${where}.index`)
  const [rule] = index >= 0 ? sheet.conditionalFormats.splice(index, 1) : []
  if (!rule) throw invalid(`Invalid ${where}: No conditional format on sheet ${sheet.sheetId} at index ${index}.`)
  return { deleteConditionalFormatRule: { rule } }
}

/** Google picks random positive int32 ids for protected ranges, metadata and charts too */
function freshObjectId(book: Book): number {
  const taken = new Set([
    ...book.developerMetadata.map((m) => m.metadataId),
    ...book.sheets.flatMap((s) => [...s.protectedRanges.map((p) => p.protectedRangeId), ...s.charts.map((c) => c.chartId)]),
  ])
  for (;;) {
    const id = randomInt(1, 2 ** 31 - 1)
    if (!taken.has(id)) return id
  }
}

function addProtectedRange(book: Book, req: Json, where: string): Json {
  const range = asObject(req.protectedRange, `${where}.protectedRange`)
  const { sheet } = gridRange(book, range.range, `${where}.protectedRange.range`)
  if (range.warningOnly === true && range.editors !== undefined)
    throw invalid(`Invalid ${where}: editors cannot be set on a warning-only protected range.`)
  const protectedRange = { ...structuredClone(range), protectedRangeId: freshObjectId(book) }
  sheet.protectedRanges.push(protectedRange)
  return { addProtectedRange: { protectedRange } }
}

function deleteProtectedRange(book: Book, req: Json, where: string): Json {
  const id = intValue(req.protectedRangeId, undefined, `${where}.protectedRangeId`)
  const sheet = book.sheets.find((s) => s.protectedRanges.some((p) => p.protectedRangeId === id))
  if (!sheet) throw invalid(`Invalid ${where}: No protected range with id: ${id}`)
  sheet.protectedRanges = sheet.protectedRanges.filter((p) => p.protectedRangeId !== id)
  return {}
}

/** the sheet a metadata entry sits on (undefined: the spreadsheet) */
const metadataSheetId = (m: Json): number | undefined => {
  const location = m.location as Json
  return (location.sheetId as number | undefined) ?? ((location.dimensionRange as Json | undefined)?.sheetId as number | undefined)
}

function metadataLocation(book: Book, value: unknown, where: string): Json {
  const location = asObject(value, where)
  if (location.spreadsheet === true) return { locationType: 'SPREADSHEET', spreadsheet: true }
  if (location.sheetId !== undefined) {
    const sheet = findSheetById(book, intValue(location.sheetId, 0, `${where}.sheetId`), where)
    return { locationType: 'SHEET', sheetId: sheet.sheetId }
  }
  if (location.dimensionRange !== undefined) {
    const { sheet, dimension, start, end } = dimensionRange(book, { range: location.dimensionRange }, where)
    return {
      locationType: dimension === 'ROWS' ? 'ROW' : 'COLUMN',
      dimensionRange: { sheetId: sheet.sheetId, dimension, startIndex: start, endIndex: end },
    }
  }
  throw invalid(`Invalid ${where}: A location must be set.`)
}

function createDeveloperMetadata(book: Book, req: Json, where: string): Json {
  const given = asObject(req.developerMetadata, `${where}.developerMetadata`)
  if (typeof given.metadataKey !== 'string' || given.metadataKey === '') throw invalid(`Invalid ${where}: metadataKey is required.`)
  const visibility = enumValue(given.visibility, ['DOCUMENT', 'PROJECT'] as const, 'DOCUMENT', `${where}.visibility`)
  if (given.visibility === undefined) throw invalid(`Invalid ${where}: visibility is required.`)
  const metadataId = given.metadataId === undefined ? freshObjectId(book) : intValue(given.metadataId, undefined, `${where}.metadataId`)
  if (book.developerMetadata.some((m) => m.metadataId === metadataId)) throw invalid(`Invalid ${where}: metadataId ${metadataId} is taken.`)
  const developerMetadata: Json = {
    metadataId,
    metadataKey: given.metadataKey,
    ...(given.metadataValue === undefined ? {} : { metadataValue: String(given.metadataValue) }),
    location: metadataLocation(book, given.location, `${where}.developerMetadata.location`),
    visibility,
  }
  book.developerMetadata.push(developerMetadata)
  return { createDeveloperMetadata: { developerMetadata } }
}

/** DeveloperMetadataLookup: every field given must match; a location matches itself or (the default) what intersects it */
function lookupMatches(book: Book, lookup: Json, where: string): (m: Json) => boolean {
  const location = lookup.metadataLocation === undefined ? undefined : metadataLocation(book, lookup.metadataLocation, where)
  const exact = lookup.locationMatchingStrategy === 'EXACT_LOCATION'
  return (m) => {
    if (lookup.metadataId !== undefined && m.metadataId !== lookup.metadataId) return false
    if (lookup.metadataKey !== undefined && m.metadataKey !== lookup.metadataKey) return false
    if (lookup.metadataValue !== undefined && m.metadataValue !== lookup.metadataValue) return false
    if (lookup.visibility !== undefined && m.visibility !== lookup.visibility) return false
    const at = m.location as Json
    if (lookup.locationType !== undefined && at.locationType !== lookup.locationType) return false
    if (!location) return true
    if (exact) return JSON.stringify(at) === JSON.stringify(location)
    if (location.locationType === 'SPREADSHEET') return true
    const sheetId = (location.sheetId ?? (location.dimensionRange as Json).sheetId) as number
    if (metadataSheetId(m) !== sheetId) return false
    if (location.locationType === 'SHEET' || at.locationType === 'SHEET') return true
    const a = at.dimensionRange as Json
    const b = location.dimensionRange as Json
    // a row and a column always cross; two of a kind cross when they overlap
    return (
      a.dimension !== b.dimension ||
      ((a.startIndex as number) < (b.endIndex as number) && (b.startIndex as number) < (a.endIndex as number))
    )
  }
}

function deleteDeveloperMetadata(book: Book, req: Json, where: string): Json {
  const filter = asObject(req.dataFilter, `${where}.dataFilter`)
  if (filter.developerMetadataLookup === undefined)
    throw invalid(`Invalid ${where}: sheets-server (test double) models only developerMetadataLookup filters.`)
  const matches = lookupMatches(book, asObject(filter.developerMetadataLookup, `${where}.dataFilter.developerMetadataLookup`), where)
  const deleted = book.developerMetadata.filter(matches)
  book.developerMetadata = book.developerMetadata.filter((m) => !matches(m))
  return { deleteDeveloperMetadata: { deletedDeveloperMetadata: deleted } }
}

/** a chart's spec: every source range must exist (Google refuses a chart over a missing sheet) */
function checkChartSpec(book: Book, value: unknown, where: string): Json {
  const spec = asObject(value, where)
  const basic = spec.basicChart === undefined ? undefined : asObject(spec.basicChart, `${where}.basicChart`)
  if (!basic) throw invalid(`Invalid ${where}: sheets-server (test double) models basicChart specs only.`)
  const sources = [...(Array.isArray(basic.domains) ? basic.domains : []), ...(Array.isArray(basic.series) ? basic.series : [])].flatMap(
    (d) => {
      const data = (asObject(d, where).domain ?? asObject(d, where).series) as Json | undefined
      const ranges = (data?.sourceRange as Json | undefined)?.sources
      return Array.isArray(ranges) ? ranges : []
    },
  )
  if (sources.length === 0) throw invalid(`Invalid ${where}: A chart needs at least one source range.`)
  for (const [i, r] of sources.entries()) gridRange(book, r, `${where}.sources[${i}]`)
  return structuredClone(spec)
}

function chartById(book: Book, id: number, where: string): { sheet: Sheet; chart: Json } {
  for (const sheet of book.sheets) {
    const chart = sheet.charts.find((c) => c.chartId === id)
    if (chart) return { sheet, chart }
  }
  throw invalid(`Invalid ${where}: No chart with id: ${id}`)
}

function addChart(book: Book, req: Json, where: string): Json {
  const chart = asObject(req.chart, `${where}.chart`)
  const spec = checkChartSpec(book, chart.spec, `${where}.chart.spec`)
  const position = asObject(chart.position, `${where}.chart.position`)
  const anchor = asObject(asObject(position.overlayPosition, `${where}.chart.position.overlayPosition`).anchorCell, `${where}.anchorCell`)
  const sheet = findSheetById(book, intValue(anchor.sheetId, 0, `${where}.anchorCell.sheetId`), where)
  const chartId = chart.chartId === undefined ? freshObjectId(book) : intValue(chart.chartId, undefined, `${where}.chart.chartId`)
  if (book.sheets.some((s) => s.charts.some((c) => c.chartId === chartId)))
    throw invalid(`Invalid ${where}: An object with id ${chartId} already exists.`)
  const embedded = { chartId, spec, position: structuredClone(position) }
  sheet.charts.push(embedded)
  return { addChart: { chart: embedded } }
}

function updateChartSpec(book: Book, req: Json, where: string): Json {
  const { chart } = chartById(book, intValue(req.chartId, undefined, `${where}.chartId`), where)
  chart.spec = checkChartSpec(book, req.spec, `${where}.spec`)
  return {}
}

function deleteEmbeddedObject(book: Book, req: Json, where: string): Json {
  const { sheet } = chartById(book, intValue(req.objectId, undefined, `${where}.objectId`), where)
  sheet.charts = sheet.charts.filter((c) => c.chartId !== req.objectId)
  return {}
}

const SUB_HANDLERS: Record<string, SubHandler> = {
  addSheet,
  deleteSheet,
  updateSheetProperties,
  appendDimension,
  insertDimension,
  deleteDimension,
  repeatCell,
  updateDimensionProperties,
  addConditionalFormatRule,
  deleteConditionalFormatRule,
  addProtectedRange,
  deleteProtectedRange,
  createDeveloperMetadata,
  deleteDeveloperMetadata,
  addChart,
  updateChartSpec,
  deleteEmbeddedObject,
}

/** the one request type set in requests[i]; JSON-level problems are reported before anything runs */
function requestKind(request: unknown, i: number): string {
  const req = asObject(request, `requests[${i}]`)
  const keys = Object.keys(req)
  const unknown = keys.find((k) => !REAL_REQUEST_KINDS.has(k))
  if (unknown) throw invalid(`Invalid JSON payload received. Unknown name "${unknown}" at 'requests[${i}]': Cannot find field.`)
  if (keys.length === 0) throw invalid(`Invalid requests[${i}]: No request set.`)
  if (keys.length > 1) throw invalid(`Invalid JSON payload received. Oneof field 'kind' is already set. Cannot set '${keys[1]}'`)
  const kind = keys[0]!
  if (!SUB_HANDLERS[kind]) throw invalid(`Invalid requests[${i}].${kind}: sheets-server (test double) does not implement ${kind}.`)
  return kind
}

function batchUpdate(book: Book, body: Json, spreadsheetId: string): Json {
  const requests = body.requests
  if (!Array.isArray(requests) || requests.length === 0) throw invalid('Must specify at least one request.')
  const kinds = requests.map(requestKind)
  // applied in order to a draft: any failure discards the draft, so all or none take effect
  const replies = requests.map((request, i) => {
    const kind = kinds[i]!
    const req = asObject((request as Json)[kind], `requests[${i}].${kind}`)
    return SUB_HANDLERS[kind]!(book, req, `requests[${i}].${kind}`)
  })
  return { spreadsheetId, replies }
}

// ---------------------------------------------------------------------------------------------
// spreadsheets.values.*
// ---------------------------------------------------------------------------------------------

function valueRange(book: Book, range: string, query: URLSearchParams): Json {
  const ref = resolveRange(book, range)
  assertInGrid(ref)
  const box = clip(ref)
  const major = parseMajor(query.get('majorDimension'))
  const values = readBox(ref.sheet, box, major, parseRender(query.get('valueRenderOption')))
  return { range: formatRange(ref.sheet, box), majorDimension: major, ...(values.length ? { values } : {}) }
}

function updatedData(book: Book, stats: WriteStats, query: URLSearchParams, renderParam: string): Json {
  if (query.get('includeValuesInResponse') !== 'true') return {}
  const q = new URLSearchParams({ valueRenderOption: query.get(renderParam) ?? '' })
  return { updatedData: valueRange(book, stats.updatedRange, q) }
}

function valuesUpdate(book: Book, range: string, query: URLSearchParams, body: Json, spreadsheetId: string): Json {
  const option = parseInputOption(query.get('valueInputOption'))
  if (typeof body.range === 'string') {
    const a = resolveRange(book, body.range)
    const b = resolveRange(book, range)
    if (a.sheet !== b.sheet || a.r0 !== b.r0 || a.c0 !== b.c0 || a.r1 !== b.r1 || a.c1 !== b.c1) {
      throw invalid(`Requested range [${range}] does not match the range in the request body [${body.range}]`)
    }
  }
  const { sheetId: _, ...stats } = writeRange(book, range, body, option)
  return { spreadsheetId, ...stats, ...updatedData(book, stats, query, 'responseValueRenderOption') }
}

function valuesBatchUpdate(book: Book, body: Json, spreadsheetId: string): Json {
  const option = parseInputOption(body.valueInputOption)
  const data = Array.isArray(body.data) ? body.data : []
  const results = data.map((entry, i) => {
    const vr = asObject(entry, `data[${i}]`)
    if (typeof vr.range !== 'string') throw invalid(`Invalid data[${i}]: Missing range.`)
    return writeRange(book, vr.range, vr, option)
  })
  if (results.length === 0) return { spreadsheetId }
  const sum = (key: 'updatedRows' | 'updatedColumns' | 'updatedCells') => results.reduce((n, r) => n + (r[key] ?? 0), 0)
  const includeValues = new URLSearchParams({
    includeValuesInResponse: String(body.includeValuesInResponse === true),
    responseValueRenderOption: String(body.responseValueRenderOption ?? ''),
  })
  return {
    spreadsheetId,
    totalUpdatedRows: sum('updatedRows'),
    totalUpdatedColumns: sum('updatedColumns'),
    totalUpdatedCells: sum('updatedCells'),
    totalUpdatedSheets: new Set(results.map((r) => r.sheetId)).size,
    responses: results.map(({ sheetId: _, ...stats }) => ({
      spreadsheetId,
      ...stats,
      ...updatedData(book, stats, includeValues, 'responseValueRenderOption'),
    })),
  }
}

function valuesAppend(book: Book, range: string, query: URLSearchParams, body: Json, spreadsheetId: string): Json {
  const option = parseInputOption(query.get('valueInputOption'))
  const insert = enumValue(query.get('insertDataOption'), ['OVERWRITE', 'INSERT_ROWS'] as const, 'OVERWRITE', 'insert_data_option')
  const ref = resolveRange(book, range)
  assertInGrid(ref)
  const rows = rowMajor(body.values, parseMajor(body.majorDimension))
  const table = findTable(ref.sheet, clip(ref))
  const at = table ? { r: table.r1 + 1, c: table.c0 } : { r: ref.r0, c: ref.c0 }
  if (insert === 'INSERT_ROWS' && rows.length > 0) {
    shiftRows(ref.sheet, at.r, rows.length)
    ref.sheet.rowCount += rows.length
    assertCellLimit(book)
  }
  const stats = writeAt(book, ref.sheet, at.r, at.c, rows, option)
  return {
    spreadsheetId,
    ...(table ? { tableRange: formatRange(ref.sheet, table) } : {}),
    updates: { spreadsheetId, ...stats, ...updatedData(book, stats, query, 'responseValueRenderOption') },
  }
}

function clearRange(book: Book, range: string): string {
  const ref = resolveRange(book, range)
  assertInGrid(ref)
  const box = clip(ref)
  clearBox(ref.sheet, box)
  return formatRange(ref.sheet, box)
}

// ---------------------------------------------------------------------------------------------
// Routing: paths exactly as googleapis builds them (the range is one percent-encoded segment)
// ---------------------------------------------------------------------------------------------

interface Route {
  kind: string
  spreadsheetId: string
  range?: string
}

function route(method: string, pathname: string): Route | undefined {
  const m = /^\/v4\/spreadsheets\/([^/:]+)(.*)$/.exec(pathname)
  if (!m) return undefined
  const spreadsheetId = decodeURIComponent(m[1]!)
  const rest = m[2]!
  const fixed: Record<string, [string, string]> = {
    '': ['GET', 'spreadsheets.get'],
    ':batchUpdate': ['POST', 'spreadsheets.batchUpdate'],
    '/values:batchGet': ['GET', 'values.batchGet'],
    '/values:batchUpdate': ['POST', 'values.batchUpdate'],
    '/values:batchClear': ['POST', 'values.batchClear'],
  }
  const hit = fixed[rest]
  if (hit) return hit[0] === method ? { kind: hit[1], spreadsheetId } : undefined
  const v = /^\/values\/([^/]+?)(:append|:clear)?$/.exec(rest)
  if (!v) return undefined
  let range: string
  try {
    range = decodeURIComponent(v[1]!)
  } catch {
    return undefined
  }
  const verb = v[2]
  if (verb === ':append' && method === 'POST') return { kind: 'values.append', spreadsheetId, range }
  if (verb === ':clear' && method === 'POST') return { kind: 'values.clear', spreadsheetId, range }
  if (!verb && method === 'GET') return { kind: 'values.get', spreadsheetId, range }
  if (!verb && method === 'PUT') return { kind: 'values.update', spreadsheetId, range }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

interface Outcome {
  status: number
  body: unknown
  headers?: Record<string, string>
}

const fromError = (e: ApiError): Outcome => ({ status: e.code, body: e.body(), headers: e.extra.headers })

function readBody(req: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = []
    let size = 0
    // read to the end even when too large, so the client sees our answer rather than a reset
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) chunks = []
      else chunks.push(chunk)
    })
    req.on('end', () =>
      resolve({ text: size > MAX_BODY_BYTES ? '' : Buffer.concat(chunks).toString('utf8'), tooLarge: size > MAX_BODY_BYTES }),
    )
    req.on('error', reject)
  })
}

function parseJson(text: string): Json {
  if (text.trim() === '') return {}
  try {
    return asObject(JSON.parse(text), '')
  } catch (e) {
    if (e instanceof ApiError) throw e
    throw invalid('Invalid JSON payload received. Unexpected token.')
  }
}

const AUTH_HELP =
  'Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'

function checkAuth(req: IncomingMessage, query: URLSearchParams, token: string): ApiError | undefined {
  const header = req.headers.authorization
  const given = header?.startsWith('Bearer ') ? header.slice(7) : (query.get('access_token') ?? undefined)
  if (given === token) return undefined
  const headers = { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' }
  if (given === undefined && header === undefined) {
    return new ApiError(401, `Request is missing required authentication credential. ${AUTH_HELP}`, {
      headers,
      details: [errorInfo('CREDENTIALS_MISSING')],
    })
  }
  return new ApiError(401, `Request had invalid authentication credentials. ${AUTH_HELP}`, {
    headers,
    details: [errorInfo('ACCESS_TOKEN_TYPE_UNSUPPORTED')],
  })
}

export async function startSheetsServer(options: SheetsServerOptions = {}): Promise<SheetsServer> {
  const spreadsheetId = options.spreadsheetId ?? randomBytes(33).toString('base64url')
  const token = options.token ?? `ya29.test-${randomBytes(16).toString('hex')}`
  const now = options.now ?? Date.now
  const titles = options.tabs ?? ['Sheet1']
  let book: Book = {
    title: 'Sentinel Forms (test)',
    sheets: titles.map((t, i) => newSheet(i === 0 ? 0 : 1000 + i, t)),
    developerMetadata: [],
  }

  const requests: RecordedRequest[] = []
  const faults: { remaining: number; fault: Fault }[] = []
  const delays: { remaining: number; ms: number }[] = []
  const timers = new Set<{ timer: NodeJS.Timeout; done: () => void }>()
  let writeQuota: number | null = null
  let admittedWrites: number[] = []

  /** run a mutation on a copy and keep it only if it succeeds: Google's all-or-none */
  function transact<T>(fn: (draft: Book) => T): T {
    const draft = cloneBook(book)
    const result = fn(draft)
    book = draft
    return result
  }

  function takeFault(kind: string): Fault | undefined {
    const entry = faults.find((f) => f.remaining > 0 && (f.fault.kind === undefined || f.fault.kind === kind))
    if (!entry) return undefined
    entry.remaining--
    return entry.fault
  }

  function takeDelay(): number {
    const entry = delays.find((d) => d.remaining > 0)
    if (!entry) return 0
    entry.remaining--
    return entry.ms
  }

  /** the per-minute write quota: only admitted writes fill the window */
  function quotaExceeded(): boolean {
    if (writeQuota === null) return false
    const t = now()
    admittedWrites = admittedWrites.filter((at) => at > t - QUOTA_WINDOW_MS)
    if (admittedWrites.length >= writeQuota) return true
    admittedWrites.push(t)
    return false
  }

  function faultOutcome(fault: Fault): Outcome {
    if (fault.status === 429) return fromError(quotaError(fault.retryAfterS))
    const headers = fault.retryAfterS === undefined ? undefined : { 'retry-after': String(fault.retryAfterS) }
    const message = DEFAULT_MESSAGES[fault.status] ?? `Injected failure (HTTP ${fault.status}).`
    return fromError(new ApiError(fault.status, message, { headers }))
  }

  function dispatch(r: Route, query: URLSearchParams, body: Json): Json {
    const id = spreadsheetId
    switch (r.kind) {
      case 'spreadsheets.get':
        return spreadsheetResource(book, id)
      case 'spreadsheets.batchUpdate':
        return transact((d) => batchUpdate(d, body, id))
      case 'values.get':
        return valueRange(book, r.range!, query)
      case 'values.batchGet': {
        const ranges = query.getAll('ranges')
        return ranges.length ? { spreadsheetId: id, valueRanges: ranges.map((rg) => valueRange(book, rg, query)) } : { spreadsheetId: id }
      }
      case 'values.update':
        return transact((d) => valuesUpdate(d, r.range!, query, body, id))
      case 'values.batchUpdate':
        return transact((d) => valuesBatchUpdate(d, body, id))
      case 'values.append':
        return transact((d) => valuesAppend(d, r.range!, query, body, id))
      case 'values.clear':
        return transact((d) => ({ spreadsheetId: id, clearedRange: clearRange(d, r.range!) }))
      case 'values.batchClear': {
        const ranges = Array.isArray(body.ranges) ? body.ranges.map(String) : []
        return transact((d) => ({ spreadsheetId: id, clearedRanges: ranges.map((rg) => clearRange(d, rg)) }))
      }
      default:
        throw new ApiError(404, 'Requested entity was not found.')
    }
  }

  async function answer(req: IncomingMessage, entry: RecordedRequest): Promise<Outcome> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const r = route(entry.method, url.pathname)
    if (r) entry.kind = r.kind
    const { text, tooLarge } = await readBody(req)
    if (!r) return fromError(new ApiError(404, 'Requested entity was not found.'))
    const authError = checkAuth(req, url.searchParams, token)
    if (authError) return fromError(authError)
    // Google answers an oversized payload with 400 INVALID_ARGUMENT (not 413)
    if (tooLarge) return fromError(invalid(`Request payload size exceeds the limit: ${MAX_BODY_BYTES} bytes.`))
    const fault = takeFault(r.kind)
    if (fault) return faultOutcome(fault)
    if (entry.method !== 'GET' && quotaExceeded()) return fromError(quotaError())
    if (r.spreadsheetId !== spreadsheetId) return fromError(new ApiError(404, 'Requested entity was not found.'))
    return { status: 200, body: dispatch(r, url.searchParams, parseJson(text)) }
  }

  function send(res: ServerResponse, outcome: Outcome): void {
    if (res.destroyed) return
    res.writeHead(outcome.status, { 'content-type': 'application/json; charset=UTF-8', ...outcome.headers })
    res.end(JSON.stringify(outcome.body))
  }

  /** a slow reply: the request has already taken effect */
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
    const entry: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', kind: 'unknown', status: 0, at: now() }
    requests.push(entry)
    let outcome: Outcome
    try {
      outcome = await answer(req, entry)
    } catch (e) {
      outcome = e instanceof ApiError ? fromError(e) : fromError(new ApiError(500, `sheets-server bug: ${String(e)}`))
    }
    entry.status = outcome.status
    const delay = takeDelay()
    if (delay > 0) await hold(delay)
    send(res, outcome)
  }

  const server = createServer((req, res) => void handle(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  function sheetByTitle(tab: string): Sheet {
    const sheet = book.sheets.find((s) => s.title === tab)
    if (!sheet) throw new Error(`sheets-server: no tab named ${JSON.stringify(tab)}`)
    return sheet
  }

  const api: SheetsServer = {
    url: `http://127.0.0.1:${port}/`,
    spreadsheetId,
    token,
    requests,
    values(tab) {
      const sheet = sheetByTitle(tab)
      const { maxRow, maxCol } = usedExtent(sheet)
      return Array.from({ length: maxRow + 1 }, (_, r) =>
        Array.from({ length: maxCol + 1 }, (_, c) => {
          const cell = getCell(sheet, r, c)
          return cell === undefined ? '' : isFormula(cell) ? cell.formula : cell
        }),
      )
    },
    displayed(tab) {
      const shown = (serial: number, type: unknown) => {
        const text = new Date(Math.round((serial - 25_569) * 86_400) * 1000).toISOString().replace('T', ' ')
        return type === 'DATE' ? text.slice(0, 10) : text.slice(0, 19)
      }
      return api.values(tab).map((row, r) =>
        row.map((cell, c) => {
          if (typeof cell !== 'number') return cell
          const type = (api.formatAt(tab, a1(r, c)).numberFormat as Json | undefined)?.type
          return type === 'DATE' || type === 'DATE_TIME' ? shown(cell, type) : cell
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
      return book.sheets.map((s) => ({
        sheetId: s.sheetId,
        title: s.title,
        frozenRowCount: s.frozenRowCount,
        frozenColumnCount: s.frozenColumnCount,
        rowCount: s.rowCount,
        columnCount: s.columnCount,
      }))
    },
    objects(tab) {
      const sheet = sheetByTitle(tab)
      return structuredClone({
        columnWidths: Array.from({ length: sheet.columnCount }, (_, c) => sheet.columnWidths.get(c) ?? 100),
        conditionalFormats: sheet.conditionalFormats,
        protectedRanges: sheet.protectedRanges,
        charts: sheet.charts,
        developerMetadata: book.developerMetadata.filter((m) => metadataSheetId(m) === sheet.sheetId),
      })
    },
    formatAt(tab, at) {
      const sheet = sheetByTitle(tab)
      const ref = parseCells(at)
      if (ref?.r0 === undefined || ref.c0 === undefined) throw new Error(`sheets-server: not a cell: ${at}`)
      const { r0: r, c0: c } = ref
      const format: Json = {}
      for (const applied of sheet.formats) {
        const { box } = applied
        if (r < box.r0 || r > box.r1 || c < box.c0 || c > box.c1) continue
        for (const path of applied.fields.filter((p) => p.startsWith('userEnteredFormat.'))) {
          const keys = path.split('.').slice(1)
          let target = format
          for (const key of keys.slice(0, -1)) {
            target[key] ??= {}
            target = target[key] as Json
          }
          const value = pathValue(applied.format, path)
          if (value === undefined) delete target[keys.at(-1)!]
          else target[keys.at(-1)!] = structuredClone(value)
        }
      }
      return format
    },
    writeRequestCount() {
      return requests.filter((r) => r.method !== 'GET').length
    },
    failNext(n, fault) {
      faults.push({ remaining: n, fault })
    },
    delayNext(n, delayMs) {
      delays.push({ remaining: n, ms: delayMs })
    },
    setWriteQuota(limit) {
      writeQuota = limit
      admittedWrites = []
    },
    editByHand(tab, row, values) {
      if (!Number.isInteger(row) || row < 1) throw new Error('sheets-server: editByHand rows are 1-based')
      const sheet = sheetByTitle(tab)
      for (const v of values) if (typeof v === 'string') assertCellLength(v)
      transact((d) => {
        const s = d.sheets.find((x) => x.sheetId === sheet.sheetId)!
        growGrid(d, s, row, values.length)
        values.forEach((v, c) => {
          setCell(s, row - 1, c, typeof v === 'string' ? parseTyped(v) : v)
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
