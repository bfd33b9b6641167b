// CSV export of one form's records for one date: the same cells as the sheet, so the same
// formula neutralisation (OWASP CSV injection; ASVS 5.0 1.2.10).
import type { FormDefinition } from '../forms/definition.ts'
import { photoLinks } from '../photos/photos.ts'
import { formTabLayout, recordRow } from '../sheet/layout.ts'
import { type Cell, neutralize } from '../sheet/sink.ts'
import type { RecordStore, UnitStore } from '../store.ts'

const csvField = (cell: Cell): string => {
  const text = String(cell)
  // ";" too: Excel in many locales splits on it.
  return /[",;\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

const csvLine = (cells: Cell[]) => cells.map(csvField).join(',')

/** UTF-8 CSV with a byte-order mark, so Excel opens the Chinese text correctly. */
export async function exportCsv(
  deps: { records: RecordStore; units: UnitStore; timeZone: string; publicUrl?: string },
  form: FormDefinition,
  date: string,
): Promise<string> {
  const [records, units] = await Promise.all([deps.records.currentOfDay(form.id, date), deps.units.list()])
  const names = new Map(units.map((u) => [u.id, u.name]))
  const rows = records
    .sort((a, b) => a.unitId.localeCompare(b.unitId) || a.recordId.localeCompare(b.recordId))
    .map((r) => recordRow(form, r, names.get(r.unitId) ?? r.unitId, deps.timeZone, deps.publicUrl ? photoLinks(deps.publicUrl) : undefined))
  // a file leaves the system: its header carries each column's key beside the label, and the
  // labels, which the office publishes from a workbook, are neutralised like any cell
  const layout = formTabLayout(form)
  const header = layout.header.map((label, i) => neutralize(`${label} (${layout.keys[i]})`))
  return `\uFEFF${[header, ...rows].map(csvLine).join('\r\n')}\r\n`
}
