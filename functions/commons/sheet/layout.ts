// The sheet's columns and rows, derived from the form definitions. Field ids are the column
// keys; the labels only decorate the header.
import { localDateTime } from '../clock.ts'
import type { FormDefinition } from '../forms/definition.ts'
import { type CellLinks, specOf } from '../forms/field-types.ts'
import { columnOrder, type FormRegistry } from '../forms/registry.ts'
import type { RecordVersion } from '../model.ts'
import { type Cell, type ColumnKind, neutralize, type TabLayout } from './sink.ts'

/** Cells are cut to stay inside the Sheets limit of 50,000 characters, with a visible mark. */
export const MAX_CELL_CHARS = 50_000
const CUT_MARK = '…[已截断 truncated]'

const fixedColumns: { id: string; zh: string; kind?: ColumnKind }[] = [
  { id: 'recordId', zh: '记录ID' },
  { id: 'date', zh: '日期', kind: 'date' },
  { id: 'unitName', zh: '单位' },
  { id: 'unitId', zh: '单位ID' },
  { id: 'version', zh: '版本', kind: 'number' },
  { id: 'receivedAt', zh: '提交时间', kind: 'datetime' },
  { id: 'formVersion', zh: '表单版本', kind: 'number' },
]

/** The form's fields in their sheet columns' order: a publish never moves a column (forms/catalog.ts). */
function columnFields(form: FormDefinition) {
  const byId = new Map(form.fields.map((f) => [f.id, f]))
  return columnOrder(form).flatMap((id) => byId.get(id) ?? [])
}

export function formTabLayout(form: FormDefinition): TabLayout {
  const fields = columnFields(form)
  return {
    title: form.tab,
    header: [...fixedColumns.map((c) => c.zh), ...fields.map((f) => f.label.zh)],
    keys: [...fixedColumns.map((c) => c.id), ...fields.map((f) => f.id)],
    kinds: [...fixedColumns.map((c) => c.kind), ...fields.map((f): ColumnKind => (f.type === 'integer' ? 'number' : 'text'))],
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
export function recordRow(form: FormDefinition, record: RecordVersion, unitName: string, timeZone: string, links?: CellLinks): Cell[] {
  const fixed: Cell[] = [
    record.recordId,
    record.date,
    unitName,
    record.unitId,
    record.version,
    localDateTime(new Date(record.receivedAt), timeZone),
    record.formVersion ?? 1,
  ]
  const fields = columnFields(form).map((field) =>
    record.values[field.id] === undefined ? '' : specOf(field).cell(field, record.values[field.id], 'zh', links),
  )
  return [...fixed, ...fields].map(safeCell)
}
