// What the mirror asks of a sheet: tabs with header rows, and whole rows written at known row
// numbers. The local workbook and Google Sheets both implement it.
import type { Cell } from '../forms/field-types.ts'

export type { Cell }

export interface TabLayout {
  title: string
  header: Cell[]
}

/** A whole data row at a known 1-based row number (row 1 is the header). */
export interface RowWrite {
  tab: string
  row: number
  cells: Cell[]
}

/** Everything one mirror pass writes, applied as one batch. */
export interface SheetBatch {
  /** tabs that must exist with exactly this header */
  tabs: TabLayout[]
  rows: RowWrite[]
  /** tabs whose data rows are replaced whole (rebuilds, computed tabs): rows from row 2 on */
  replace?: { tab: string; rows: Cell[][] }[]
}

export interface SheetSink {
  apply(batch: SheetBatch): Promise<void>
}

/** OWASP CSV-injection advice: text a spreadsheet could read as a formula gets a leading '. */
export function neutralize(cell: Cell): Cell {
  return typeof cell === 'string' && /^[=+\-@\t\r\n]/.test(cell) ? `'${cell}` : cell
}

/** A tab computed whole from the database (overview, emergencies): refreshed by every sweep. */
export interface ComputedTab {
  layout: TabLayout
  rows(now: Date): Promise<Cell[][]>
}
