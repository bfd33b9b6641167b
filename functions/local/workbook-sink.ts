// The leaders' workbook on one machine: an .xlsx file with the same tabs and rows as the
// Google Sheet. Each batch is written to a temporary file and renamed over the old one, so a
// crash at any moment leaves the previous or the next workbook, never a broken one.
import { existsSync } from 'node:fs'
import { open, rename } from 'node:fs/promises'
import ExcelJS from 'exceljs'
import type { Logger } from '#commons/log.ts'
import type { SheetBatch, SheetSink } from '#commons/sheet/sink.ts'

export interface WorkbookSink extends SheetSink {
  readonly path: string
}

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

function worksheet(workbook: ExcelJS.Workbook, title: string, header: SheetBatch['tabs'][number]['header']): ExcelJS.Worksheet {
  const sheet = workbook.getWorksheet(title) ?? workbook.addWorksheet(title)
  // as on the Google Sheet: the header stays in view, also after someone unfroze it
  sheet.views = [{ state: 'frozen', ySplit: 1 }]
  const row = sheet.getRow(1)
  row.values = header
  row.font = { bold: true }
  return sheet
}

function applyBatch(workbook: ExcelJS.Workbook, batch: SheetBatch): void {
  const sheets = new Map(batch.tabs.map((tab) => [tab.title, worksheet(workbook, tab.title, tab.header)]))
  const sheetOf = (title: string) => sheets.get(title) ?? workbook.getWorksheet(title) ?? workbook.addWorksheet(title)
  for (const { tab, rows } of batch.replace ?? []) {
    const sheet = sheetOf(tab)
    if (sheet.rowCount > 1) sheet.spliceRows(2, sheet.rowCount - 1)
    rows.forEach((cells, i) => {
      sheet.getRow(i + 2).values = cells
    })
  }
  for (const write of batch.rows) {
    const row = sheetOf(write.tab).getRow(write.row)
    row.values = write.cells
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
