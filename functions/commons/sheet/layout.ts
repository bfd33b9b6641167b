// The sheet's columns and rows, derived from the form definitions. Field ids are the column
// keys; the labels only decorate the header.
import { localDateTime } from '../clock.ts'
import type { FormDefinition } from '../forms/definition.ts'
import { specOf } from '../forms/field-types.ts'
import type { FormRegistry } from '../forms/registry.ts'
import type { RecordVersion } from '../model.ts'
import { type Cell, neutralize, type TabLayout } from './sink.ts'

/** Cells are cut to stay inside the Sheets limit of 50,000 characters, with a visible mark. */
export const MAX_CELL_CHARS = 50_000
const CUT_MARK = '…[已截断 truncated]'

const fixedColumns = [
  { id: 'recordId', zh: '记录ID' },
  { id: 'date', zh: '日期' },
  { id: 'unitName', zh: '单位' },
  { id: 'unitId', zh: '单位ID' },
  { id: 'version', zh: '版本' },
  { id: 'receivedAt', zh: '提交时间' },
] as const

export function formTabLayout(form: FormDefinition): TabLayout {
  return {
    title: form.tab,
    header: [...fixedColumns.map((c) => `${c.zh} (${c.id})`), ...form.fields.map((f) => `${f.label.zh} (${f.id})`)],
  }
}

export const allFormTabs = (forms: FormRegistry): TabLayout[] => forms.all.map(formTabLayout)

function fitCell(cell: Cell): Cell {
  if (typeof cell !== 'string' || cell.length <= MAX_CELL_CHARS) return cell
  return cell.slice(0, MAX_CELL_CHARS - CUT_MARK.length) + CUT_MARK
}

/** Safe for any spreadsheet: no formulas, within the cell limit. */
export const safeCell = (cell: Cell): Cell => fitCell(neutralize(cell))

/** One record's row on its form's tab. */
export function recordRow(form: FormDefinition, record: RecordVersion, unitName: string, timeZone: string): Cell[] {
  const fixed: Cell[] = [
    record.recordId,
    record.date,
    unitName,
    record.unitId,
    record.version,
    localDateTime(new Date(record.receivedAt), timeZone),
  ]
  const fields = form.fields.map((field) =>
    record.values[field.id] === undefined ? '' : specOf(field).cell(field, record.values[field.id], 'zh'),
  )
  return [...fixed, ...fields].map(safeCell)
}
