// The leaders' workbook on one machine: an .xlsx file with the same tabs and rows as the
// Google Sheet, formatted to be read: labels alone in the header (the column keys on a hidden
// tab), widths fitted to the content, header row and first column frozen, dates as dates,
// statuses coloured by conditional formats (so a hand edit keeps its colour). Each batch is
// written to a temporary file and renamed over the old one, so a crash at any moment leaves
// the previous or the next workbook, never a broken one.
import { existsSync } from 'node:fs'
import { open, rename } from 'node:fs/promises'
import ExcelJS from 'exceljs'
import type { Logger } from '#commons/log.ts'
import {
  type Cell,
  type ColumnKind,
  fittedWidths,
  type SheetBatch,
  type SheetSink,
  type TabLayout,
  TONES,
  typedCell,
} from '#commons/sheet/sink.ts'

export interface WorkbookSink extends SheetSink {
  readonly path: string
}

/** the hidden tab that keeps each tab's column keys: one row per tab, its title then the keys */
export const KEYS_TAB = '_keys'

const NUMBER_FORMAT: Partial<Record<ColumnKind, string>> = { date: 'yyyy-mm-dd', datetime: 'yyyy-mm-dd hh:mm:ss' }
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EAED' } }
const argb = ([r, g, b]: [number, number, number]) => `FF${[r, g, b].map((n) => n.toString(16).padStart(2, '0')).join('')}`.toUpperCase()

async function load(path: string, log: Logger): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook()
  if (!existsSync(path)) return workbook
  try {
    await workbook.xlsx.readFile(path)
    return workbook
  } catch (error) {
    // Unreadable (edited elsewhere and broken): start afresh; `sheet rebuild` refills it.
    log.warn('workbook unreadable, starting a new one', { path, error })
    return new ExcelJS.Workbook()
  }
}

function columnLetters(column: number): string {
  let s = ''
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s
  return s
}

/** The tab with its header, frozen panes and colour rules; rewritten on every batch, so hand changes to them go. */
function worksheet(workbook: ExcelJS.Workbook, layout: TabLayout): ExcelJS.Worksheet {
  const sheet = workbook.getWorksheet(layout.title) ?? workbook.addWorksheet(layout.title)
  // as on the Google Sheet: the header and the first column stay in view, also after someone unfroze them
  sheet.views = [{ state: 'frozen', xSplit: 1, ySplit: 1 }]
  // printed for the daily meeting: across one page's width, the header on every page
  sheet.pageSetup = { ...sheet.pageSetup, paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 }
  sheet.pageSetup.printTitlesRow = '1:1'
  const row = sheet.getRow(1)
  row.values = layout.header
  row.eachCell((cell) => {
    cell.font = { bold: true }
    cell.fill = HEADER_FILL
    cell.alignment = { vertical: 'middle' }
  })
  sheet.removeConditionalFormatting(undefined)
  for (const [i, h] of (layout.highlights ?? []).entries()) {
    const first = `${columnLetters(h.from + 1)}2`
    const tone = TONES[h.tone]
    sheet.addConditionalFormatting({
      ref: `${first}:${columnLetters(h.to + 1)}1048576`,
      rules: [
        {
          type: 'expression',
          priority: i + 1,
          formulae: [`LEFT(${first},${h.startsWith.length})="${h.startsWith}"`],
          style: {
            fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: argb(tone.fill) } },
            font: { color: { argb: argb(tone.text) } },
          },
        },
      ],
    })
  }
  return sheet
}

/** Tabs in the batch's order, before any other; the keys tab last and hidden. */
function arrange(workbook: ExcelJS.Workbook, layouts: TabLayout[]): void {
  const keys = workbook.getWorksheet(KEYS_TAB) ?? workbook.addWorksheet(KEYS_TAB)
  keys.state = 'veryHidden'
  if (keys.rowCount > 0) keys.spliceRows(1, keys.rowCount)
  layouts.forEach((layout, i) => {
    keys.getRow(i + 1).values = [layout.title, ...layout.keys]
  })
  const position = new Map(layouts.map((l, i) => [l.title, i]))
  const others = workbook.worksheets.filter((s) => !position.has(s.name) && s !== keys)
  // exceljs orders tabs by this field, which its types leave out
  for (const sheet of workbook.worksheets as (ExcelJS.Worksheet & { orderNo: number })[]) {
    sheet.orderNo = position.get(sheet.name) ?? (sheet === keys ? 1e6 : layouts.length + others.indexOf(sheet))
  }
}

/** Writes one row's cells, dates as dates, and widens the columns that need it. */
function writeRow(sheet: ExcelJS.Worksheet, layout: TabLayout | undefined, rowNumber: number, cells: Cell[]): void {
  const row = sheet.getRow(rowNumber)
  row.values = cells.map((cell, i) => typedCell(cell, layout?.kinds?.[i]))
  for (const [i, kind] of (layout?.kinds ?? []).entries()) {
    const format = kind && NUMBER_FORMAT[kind]
    if (format && typeof row.getCell(i + 1).value === 'number') row.getCell(i + 1).numFmt = format
  }
}

function widen(sheet: ExcelJS.Worksheet, widths: number[], fresh: boolean): void {
  widths.forEach((width, i) => {
    const column = sheet.getColumn(i + 1)
    column.width = fresh ? width : Math.max(column.width ?? 0, width)
  })
}

function applyBatch(workbook: ExcelJS.Workbook, batch: SheetBatch): void {
  const layouts = new Map(batch.tabs.map((tab) => [tab.title, tab]))
  const sheets = new Map(batch.tabs.map((tab) => [tab.title, worksheet(workbook, tab)]))
  arrange(workbook, batch.tabs)
  const sheetOf = (title: string) => sheets.get(title) ?? workbook.getWorksheet(title) ?? workbook.addWorksheet(title)
  const noLayout: TabLayout = { title: '', header: [], keys: [] }
  for (const { tab, rows } of batch.replace ?? []) {
    const sheet = sheetOf(tab)
    if (sheet.rowCount > 1) sheet.spliceRows(2, sheet.rowCount - 1)
    for (const [i, cells] of rows.entries()) writeRow(sheet, layouts.get(tab), i + 2, cells)
    widen(sheet, fittedWidths(layouts.get(tab) ?? noLayout, rows), true)
  }
  for (const write of batch.rows) {
    const sheet = sheetOf(write.tab)
    writeRow(sheet, layouts.get(write.tab), write.row, write.cells)
    widen(sheet, fittedWidths(layouts.get(write.tab) ?? noLayout, [write.cells]), false)
  }
  // a tab not written yet still gets columns its header fits in
  for (const [title, sheet] of sheets) {
    if (sheet.rowCount <= 1) widen(sheet, fittedWidths(layouts.get(title) ?? noLayout, []), false)
  }
}

async function writeAtomically(workbook: ExcelJS.Workbook, path: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`
  await workbook.xlsx.writeFile(temp)
  const handle = await open(temp, 'r')
  await handle.sync()
  await handle.close()
  await rename(temp, path)
}

export async function createWorkbookSink(path: string, log: Logger): Promise<WorkbookSink> {
  const workbook = await load(path, log)
  let queue: Promise<void> = Promise.resolve()
  return {
    path,
    apply(batch) {
      // One writer at a time: batches are applied in order.
      const run = queue.then(async () => {
        applyBatch(workbook, batch)
        await writeAtomically(workbook, path)
      })
      queue = run.catch(() => undefined)
      return run
    },
  }
}
