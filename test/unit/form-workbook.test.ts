// Every shipped form survives the round trip through its workbook: written as an .xlsx file,
// read back, it is the same definition. Type-specific columns come from the field schema.
import { describe, expect, it } from 'vitest'
import { readFormWorkbook, writeFormWorkbook } from '#commons/adapters/form-workbook.ts'
import { checkDefinition, loadForms } from '#commons/forms/registry.ts'
import { definitionToTables, tablesToDefinition } from '#commons/forms/workbook.ts'

describe('a form as a workbook', async () => {
  const forms = (await loadForms()).all
  it.each(forms.map((f) => [f.id, f] as const))('%s comes back from its .xlsx file unchanged', async (_id, form) => {
    const tables = await readFormWorkbook(await writeFormWorkbook(definitionToTables(form)))
    const parsed = tablesToDefinition(tables)
    if ('issues' in parsed) throw new Error(JSON.stringify(parsed.issues))
    const checked = checkDefinition(parsed.input)
    if (!checked.ok) throw new Error(JSON.stringify(checked.issues))
    expect(checked.form).toEqual(form)
  })

  it('has the contract’s sheets and columns, and a column for each type-specific property', () => {
    const tables = definitionToTables(forms.find((f) => f.id === 'emergency')!)
    expect(tables.map((t) => t.name)).toEqual(['form', 'fields', 'options', 'rules', 'alerts', 'totals'])
    expect(tables[0]?.columns).toEqual(['key', 'value'])
    const keys = tables[0]?.rows.map((r) => r.cells.key)
    expect(keys).toEqual(expect.arrayContaining(['id', 'title_zh', 'title_en', 'kind', 'work_group_zh', 'work_group_en', 'tab']))
    expect(tables[1]?.columns).toEqual(expect.arrayContaining(['id', 'type', 'label_zh', 'label_en', 'required', 'min', 'max', 'retired']))
    // itemList's own properties, found in the schema's output rather than listed here
    expect(tables[1]?.columns).toEqual(expect.arrayContaining(['max_items', 'item_label_zh', 'quantity_label_en', 'max_length']))
  })

  it('names the cell of what it cannot read: a yes/no cell, an option of a missing field, an unknown key', () => {
    const tables = definitionToTables(forms.find((f) => f.id === 'emergency')!)
    const fields = tables[1]!
    fields.rows[0]!.cells.required = 'maybe'
    tables[2]!.rows[0]!.cells.field = 'kind'
    tables[0]!.rows.push({ row: 99, cells: { key: 'colour', value: 'red' } })
    const parsed = tablesToDefinition(tables)
    expect('issues' in parsed && parsed.issues).toEqual([
      {
        sheet: 'form',
        row: 99,
        column: 'key',
        message: expect.stringMatching(/^unknown key "colour"/),
        zh: expect.stringMatching(/^未知的 key/),
      },
      { sheet: 'fields', row: 2, column: 'required', message: 'write yes or no (got "maybe")', zh: '请填 yes 或 no（现为 "maybe"）' },
      { sheet: 'options', row: 2, column: 'field', message: 'no field "kind" on the fields sheet', zh: 'fields 表里没有字段 "kind"' },
    ])
  })
})
