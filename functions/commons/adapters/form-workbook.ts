// A form's workbook as an .xlsx file (exceljs): the sheets of forms/workbook.ts with a bold,
// frozen header row and fitted widths, and back to plain tables, every cell as text.
import ExcelJS from 'exceljs'
import type { Table, WorkbookFiles } from '../forms/workbook.ts'
import { textWidth } from '../sheet/sink.ts'

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EAED' } }

export async function writeFormWorkbook(tables: Table[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook()
  for (const t of tables) {
    const sheet = workbook.addWorksheet(t.name, {
      views: [{ state: 'frozen', ySplit: 1 }],
      // printed for a review meeting: across one page's width
      pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    })
    sheet.getRow(1).values = t.columns
    sheet.getRow(1).eachCell((cell) => {
      cell.font = { bold: true }
      cell.fill = HEADER_FILL
    })
    for (const { row, cells } of t.rows) sheet.getRow(row).values = t.columns.map((c) => cells[c] ?? '')
    t.columns.forEach((column, i) => {
      const widest = Math.max(textWidth(column), ...t.rows.map((r) => textWidth(r.cells[column] ?? '')))
      sheet.getColumn(i + 1).width = Math.min(60, Math.max(8, widest + 2))
      // ids, yes/no and numbers typed into a text column stay text: Excel would turn 1,2 into a number
      sheet.getColumn(i + 1).numFmt = '@'
    })
  }
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

/** A cell's value as the office typed it: numbers and booleans as text, rich text joined, formulas by their result. */
function text(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('')
    if ('text' in value) return String(value.text)
    if ('result' in value) return text(value.result as ExcelJS.CellValue)
    return ''
  }
  return String(value)
}

class UnreadableWorkbookError extends Error {
  override name = 'UnreadableWorkbookError'
}

export async function readFormWorkbook(data: ArrayBuffer | Uint8Array): Promise<Table[]> {
  const workbook = new ExcelJS.Workbook()
  try {
    await workbook.xlsx.load(data as ArrayBuffer)
  } catch {
    throw new UnreadableWorkbookError('not an .xlsx workbook (save it as Excel Workbook .xlsx)')
  }
  return workbook.worksheets.map((sheet) => {
    const columns = ((sheet.getRow(1).values as ExcelJS.CellValue[]) ?? []).slice(1).map((v) => text(v).trim())
    const rows: Table['rows'] = []
    sheet.eachRow((row, n) => {
      if (n === 1) return
      const cells: Record<string, string> = {}
      columns.forEach((column, i) => {
        if (column) cells[column] = text(row.getCell(i + 1).value)
      })
      rows.push({ row: n, cells })
    })
    return { name: sheet.name, columns, rows }
  })
}

/** The .xlsx files of forms/workbook.ts, for the web app and the CLI. */
export const formWorkbookFiles: WorkbookFiles = {
  read: readFormWorkbook,
  write: async (tables) => new Uint8Array(await writeFormWorkbook(tables)),
}
