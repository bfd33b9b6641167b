// What the mirror asks of a sheet: tabs with header rows, and whole rows written at known row
// numbers. The local workbook and Google Sheets both implement it.
import type { Cell } from '../forms/field-types.ts'

export type { Cell }

/** How a column's cells are shown: dates and times become real dates in the sheet. */
export type ColumnKind = 'text' | 'number' | 'date' | 'datetime'

/** Data cells of columns `from`..`to` (0-based, inclusive) that start with `startsWith` get this colour. */
export interface Highlight {
  from: number
  to: number
  startsWith: string
  tone: 'red' | 'amber' | 'green'
}

export interface TabLayout {
  title: string
  /** what leaders read: the labels alone */
  header: string[]
  /** each column's stable key (a field id), kept where leaders do not see it */
  keys: string[]
  /** per column; text where absent */
  kinds?: (ColumnKind | undefined)[]
  highlights?: Highlight[]
  /** native charts over the tab's data rows (Google only): column 0 is the domain, `series` the columns drawn */
  charts?: ChartLayout[]
}

export interface ChartLayout {
  /** unique on the tab: a chart is found again by its title and updated in place */
  title: string
  type: 'LINE' | 'COLUMN'
  series: number[]
}

/** A whole data row at a known 1-based row number (row 1 is the header). */
export interface RowWrite {
  tab: string
  row: number
  cells: Cell[]
}

/** Everything one mirror pass writes, applied as one batch. */
export interface SheetBatch {
  /** tabs that must exist with exactly this header, in the order leaders see them */
  tabs: TabLayout[]
  rows: RowWrite[]
  /** tabs whose data rows are replaced whole (rebuilds, computed tabs): rows from row 2 on */
  replace?: { tab: string; rows: Cell[][] }[]
  /** write the formatting again even where it looks current (a rebuild repairs hand edits) */
  relayout?: boolean
}

/** the rows a batch writes to one tab: what a layout fits its widths to */
export const rowsOf = (batch: SheetBatch, tab: string): Cell[][] => [
  ...(batch.replace ?? []).filter((r) => r.tab === tab).flatMap((r) => r.rows),
  ...batch.rows.filter((w) => w.tab === tab).map((w) => w.cells),
]

/** rows and columns each tab must have for this batch */
export function gridNeeds(batch: SheetBatch): Map<string, { rows: number; columns: number }> {
  const need = new Map<string, { rows: number; columns: number }>()
  const grow = (tab: string, rows: number, columns: number) => {
    const n = need.get(tab) ?? { rows: 1, columns: 1 }
    need.set(tab, { rows: Math.max(n.rows, rows), columns: Math.max(n.columns, columns) })
  }
  for (const t of batch.tabs) grow(t.title, 2, t.header.length)
  for (const r of batch.replace ?? []) grow(r.tab, r.rows.length + 1, Math.max(0, ...r.rows.map((x) => x.length)))
  for (const w of batch.rows) grow(w.tab, w.row, w.cells.length)
  return need
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

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/

/**
 * A spreadsheet's date serial (days since 1899-12-30) of a local `YYYY-MM-DD[ HH:MM[:SS]]`: the
 * wall time as written, so the sheet shows the organisation's time whatever its own zone.
 */
export function dateSerial(text: string): number | undefined {
  const m = LOCAL_TIME.exec(text)
  if (!m) return undefined
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  return ms / 86_400_000 + 25_569
}

/** The cell as the sheet stores it: a date column's text becomes a date serial; anything else stays. */
export function typedCell(cell: Cell, kind: ColumnKind | undefined): Cell {
  if ((kind === 'date' || kind === 'datetime') && typeof cell === 'string') return dateSerial(cell) ?? cell
  return cell
}

/** Display width of a text in narrow characters: CJK and full-width characters count double. */
export function textWidth(text: string): number {
  let width = 0
  for (const ch of text) width += (ch.codePointAt(0) ?? 0) >= 0x2e80 ? 2 : 1
  return width
}

const DATE_WIDTH: Partial<Record<ColumnKind, number>> = { date: 10, datetime: 19 }

/** Column widths in narrow characters fitted to the header and these rows, within 6–48. */
export function fittedWidths(layout: TabLayout, rows: Cell[][]): number[] {
  const widths = layout.header.map((label, i) => Math.max(textWidth(label), DATE_WIDTH[layout.kinds?.[i] ?? 'text'] ?? 0))
  for (const row of rows) {
    row.forEach((cell, i) => {
      const kind = layout.kinds?.[i]
      const w = kind === 'date' || kind === 'datetime' ? (DATE_WIDTH[kind] ?? 0) : textWidth(String(cell))
      widths[i] = Math.max(widths[i] ?? 0, w)
    })
  }
  return widths.map((w) => Math.min(48, Math.max(6, w + 2)))
}

/** The colours of the highlights, as RGB 0–255: light fills leaders know from traffic lights. */
export const TONES: Record<Highlight['tone'], { fill: [number, number, number]; text: [number, number, number] }> = {
  red: { fill: [248, 215, 218], text: [156, 0, 6] },
  amber: { fill: [255, 235, 156], text: [156, 87, 0] },
  green: { fill: [198, 239, 206], text: [0, 97, 0] },
}
