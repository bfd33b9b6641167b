// A form definition as a workbook the office edits in Excel or WPS (the layout is a public
// contract: README "Forms as spreadsheets"), and back. Sheets are plain tables here; reading and
// writing the .xlsx file is adapters/form-workbook.ts. Field columns are generic over the field
// schema: any property of a field type is a column named in snake_case (`max_items`), a label
// property two (`item_label_zh`, `item_label_en`), so a new field type needs no change here.
import type { Condition, FormDefinition } from './definition.ts'
import type { DefinitionIssue } from './registry.ts'

/** One sheet: its header row's names, and each later row's cells by column name (row numbers as Excel shows them). */
export interface Table {
  name: string
  columns: string[]
  rows: { row: number; cells: Record<string, string> }[]
}

/**
 * Reading and writing the .xlsx file (adapters/form-workbook.ts). Passed in where it is wanted:
 * its library is large, so on AWS only the workbook function carries it, not the API's.
 */
export interface WorkbookFiles {
  read(data: Uint8Array): Promise<Table[]>
  write(tables: Table[]): Promise<Uint8Array<ArrayBuffer>>
}

/** Where in the workbook something is wrong. */
export interface WorkbookIssue {
  sheet: string
  row?: number
  column?: string
  message: string
  /** the message in Chinese, for the office's pages */
  zh?: string
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
const camel = (s: string) => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())
const list = (s: string | undefined) =>
  (s ?? '')
    .split(/[,，、\s]+/)
    .map((x) => x.trim())
    .filter(Boolean)
const yesNo = (v: boolean | undefined) => (v ? 'yes' : 'no')
const YES = new Set(['yes', 'y', 'true', '1', '是'])
const NO = new Set(['no', 'n', 'false', '0', '否'])

const FORM_KEYS = [
  'id',
  'version',
  'title_zh',
  'title_en',
  'description_zh',
  'description_en',
  'work_group_zh',
  'work_group_en',
  'kind',
  'order',
  'tab',
  'unit_types',
  'record_key_fields',
  'emergency_request',
  'approval_title_field',
  'approval_channel_field',
  'approval_requester_name_field',
  'approval_requester_phone_field',
]
/** The fields sheet's columns every workbook has (DESIGN §4b), then the type-specific ones found. */
const FIELD_BASE = ['id', 'type', 'label_zh', 'label_en', 'hint_zh', 'hint_en', 'required', 'retired', 'min', 'max']
const CONDITION = ['when_any_positive', 'when_true', 'when_field', 'when_value']
const OPTION_COLUMNS = ['field', 'value', 'label_zh', 'label_en', 'retired']
const RULE_COLUMNS = ['kind', 'fields', 'max', ...CONDITION]
const ALERT_COLUMNS = ['category', 'severity', ...CONDITION, 'category_field', 'severity_field']
const TOTAL_COLUMNS = ['id', 'label_zh', 'label_en', 'sum', ...CONDITION]
/** Properties the base columns or the options sheet carry. */
const FIELD_HANDLED = new Set(['id', 'type', 'label', 'hint', 'required', 'retired', 'options'])
const RULE_KINDS: Record<string, 'requiredWhen' | 'sumAtMost'> = { required_when: 'requiredWhen', sum_at_most: 'sumAtMost' }

const isLabel = (v: unknown): v is { zh: string; en: string } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && 'zh' in v && 'en' in v

function conditionCells(c: Condition | undefined): Record<string, string> {
  if (!c) return {}
  if ('anyPositive' in c) return { when_any_positive: c.anyPositive.join(',') }
  if ('isTrue' in c) return { when_true: c.isTrue }
  return { when_field: c.equals.field, when_value: c.equals.value }
}

const table = (name: string, columns: string[], rows: Record<string, string>[]): Table => ({
  name,
  columns,
  rows: rows.map((cells, i) => ({ row: i + 2, cells })),
})

/** The definition as the workbook's sheets: form, fields, options, rules, alerts, totals. */
export function definitionToTables(form: FormDefinition): Table[] {
  const formRows: Record<string, string | undefined> = {
    id: form.id,
    version: String(form.version),
    title_zh: form.title.zh,
    title_en: form.title.en,
    description_zh: form.description?.zh,
    description_en: form.description?.en,
    work_group_zh: form.workGroup.zh,
    work_group_en: form.workGroup.en,
    kind: form.kind,
    order: String(form.order),
    tab: form.tab,
    unit_types: form.unitTypes?.join(','),
    record_key_fields: form.recordKeyFields.join(','),
    emergency_request: yesNo(form.emergencyRequest),
    approval_title_field: form.approval?.titleField,
    approval_channel_field: form.approval?.channelField,
    approval_requester_name_field: form.approval?.requesterNameField,
    approval_requester_phone_field: form.approval?.requesterPhoneField,
  }
  const extra: string[] = []
  const fieldRows = form.fields.map((field) => {
    const cells: Record<string, string> = {
      id: field.id,
      type: field.type,
      label_zh: field.label.zh,
      label_en: field.label.en,
      hint_zh: field.hint?.zh ?? '',
      hint_en: field.hint?.en ?? '',
      required: yesNo(field.required),
      retired: yesNo(field.retired),
    }
    for (const [key, value] of Object.entries(field)) {
      if (FIELD_HANDLED.has(key) || value === undefined) continue
      const named = isLabel(value)
        ? [
            [`${snake(key)}_zh`, value.zh],
            [`${snake(key)}_en`, value.en],
          ]
        : [[snake(key), typeof value === 'boolean' ? yesNo(value) : String(value)]]
      for (const [column, text] of named as [string, string][]) {
        cells[column] = text
        if (!FIELD_BASE.includes(column) && !extra.includes(column)) extra.push(column)
      }
    }
    return cells
  })
  const options = form.fields.flatMap((field) =>
    field.type === 'select'
      ? field.options.map((o) => ({
          field: field.id,
          value: o.value,
          label_zh: o.label.zh,
          label_en: o.label.en,
          retired: yesNo(o.retired),
        }))
      : [],
  )
  const rules = form.rules.map((rule) => ({
    kind: snake(rule.kind),
    fields: rule.fields.join(','),
    ...(rule.kind === 'sumAtMost' ? { max: rule.max } : conditionCells(rule.when)),
  }))
  const alerts = form.alerts.map(
    (alert): Record<string, string> =>
      'categoryField' in alert
        ? { category_field: alert.categoryField, severity_field: alert.severityField }
        : { category: alert.category, severity: alert.severity, ...conditionCells(alert.when) },
  )
  const totals = form.totals.map((total) => ({
    id: total.id,
    label_zh: total.label.zh,
    label_en: total.label.en,
    ...('sum' in total ? { sum: total.sum.join(',') } : conditionCells(total.countWhere)),
  }))
  return [
    table(
      'form',
      ['key', 'value'],
      FORM_KEYS.map((key) => ({ key, value: formRows[key] ?? '' })),
    ),
    table('fields', [...FIELD_BASE, ...extra], fieldRows),
    table('options', OPTION_COLUMNS, options),
    table('rules', RULE_COLUMNS, rules),
    table('alerts', ALERT_COLUMNS, alerts),
    table('totals', TOTAL_COLUMNS, totals),
  ]
}

/** Where each part of the definition came from, to name the cell of a definition issue. */
interface Origin {
  sheet: string
  row: number
}

export interface ParsedWorkbook {
  input: Record<string, unknown>
  /** the workbook cell of an issue the definition checks found */
  locate(issue: DefinitionIssue): WorkbookIssue
}

/** The column of a path below a sheet row: `['label','zh']` → `label_zh`, `['when','anyPositive',0]` → `when_any_positive`. */
function columnOf(rest: (string | number)[]): string | undefined {
  const names = rest.filter((s): s is string => typeof s === 'string')
  if (names.length === 0) return undefined
  if (names[0] === 'when' || names[0] === 'countWhere') {
    if (names[1] === 'anyPositive') return 'when_any_positive'
    if (names[1] === 'isTrue') return 'when_true'
    return names[2] === 'value' ? 'when_value' : 'when_field'
  }
  if (names[0] === 'sum') return 'sum'
  return names.map(snake).join('_')
}

/** The workbook's sheets as a definition input (the definition checks come after), or what stops reading it. */
export function tablesToDefinition(tables: Table[]): ParsedWorkbook | { issues: WorkbookIssue[] } {
  const issues: WorkbookIssue[] = []
  const sheet = (name: string) => tables.find((t) => t.name.trim().toLowerCase() === name)
  const formSheet = sheet('form')
  const fieldSheet = sheet('fields')
  if (!formSheet) issues.push({ sheet: 'form', message: 'the workbook has no sheet "form"', zh: '表格里没有 "form" 工作表' })
  if (!fieldSheet) issues.push({ sheet: 'fields', message: 'the workbook has no sheet "fields"', zh: '表格里没有 "fields" 工作表' })
  if (!formSheet || !fieldSheet) return { issues }
  for (const [t, needed] of [
    [formSheet, ['key', 'value']],
    [fieldSheet, ['id', 'type', 'label_zh', 'label_en']],
  ] as const) {
    for (const column of needed)
      if (!t.columns.includes(column))
        issues.push({ sheet: t.name, row: 1, column, message: `the header row has no column "${column}"`, zh: `标题行缺少 "${column}" 列` })
  }
  if (issues.length > 0) return { issues }

  const flag = (sheetName: string, row: number, column: string, value: string | undefined): boolean | undefined => {
    const v = (value ?? '').trim().toLowerCase()
    if (v === '') return undefined
    if (YES.has(v)) return true
    if (NO.has(v)) return false
    issues.push({ sheet: sheetName, row, column, message: `write yes or no (got "${value}")`, zh: `请填 yes 或 no（现为 "${value}"）` })
    return undefined
  }
  const label = (cells: Record<string, string>, prefix: string) => {
    const zh = cells[`${prefix}_zh`]?.trim() ?? ''
    const en = cells[`${prefix}_en`]?.trim() ?? ''
    return zh === '' && en === '' ? undefined : { zh, en }
  }

  // the form sheet: key/value rows
  const keyRows = new Map<string, number>()
  const kv: Record<string, string> = {}
  for (const { row, cells } of formSheet.rows) {
    const key = cells.key?.trim()
    if (!key) continue
    if (!FORM_KEYS.includes(key)) {
      issues.push({
        sheet: formSheet.name,
        row,
        column: 'key',
        message: `unknown key "${key}": one of ${FORM_KEYS.join(', ')}`,
        zh: `未知的 key "${key}"，可用：${FORM_KEYS.join(', ')}`,
      })
      continue
    }
    keyRows.set(key, row)
    kv[key] = cells.value?.trim() ?? ''
  }
  const order = kv.order ? Number(kv.order) : 100
  if (kv.order && !Number.isInteger(order))
    issues.push({
      sheet: formSheet.name,
      row: keyRows.get('order'),
      column: 'value',
      message: 'order is a whole number',
      zh: 'order 须为整数',
    })
  const input: Record<string, unknown> = {
    id: kv.id ?? '',
    title: { zh: kv.title_zh ?? '', en: kv.title_en ?? '' },
    workGroup: { zh: kv.work_group_zh ?? '', en: kv.work_group_en ?? '' },
    kind: kv.kind ?? '',
    order,
    tab: kv.tab ?? '',
    recordKeyFields: list(kv.record_key_fields),
  }
  if (kv.unit_types) input.unitTypes = list(kv.unit_types)
  const description = label(kv, 'description')
  if (description) input.description = description
  const emergencyRequest = flag(formSheet.name, keyRows.get('emergency_request') ?? 0, 'value', kv.emergency_request)
  if (emergencyRequest !== undefined) input.emergencyRequest = emergencyRequest
  if (kv.approval_title_field || kv.approval_channel_field || kv.approval_requester_name_field) {
    input.approval = {
      titleField: kv.approval_title_field ?? '',
      channelField: kv.approval_channel_field ?? '',
      requesterNameField: kv.approval_requester_name_field ?? '',
      ...(kv.approval_requester_phone_field ? { requesterPhoneField: kv.approval_requester_phone_field } : {}),
    }
  }

  // the fields sheet: one row per field; columns beyond the base ones are the type's properties
  const fieldOrigins: Origin[] = []
  const optionOrigins = new Map<string, Origin[]>()
  const fields: Record<string, unknown>[] = []
  for (const { row, cells } of fieldSheet.rows) {
    if (Object.values(cells).every((v) => v.trim() === '')) continue
    const field: Record<string, unknown> = {
      id: cells.id?.trim() ?? '',
      type: cells.type?.trim() ?? '',
      label: { zh: cells.label_zh?.trim() ?? '', en: cells.label_en?.trim() ?? '' },
    }
    const hint = label(cells, 'hint')
    if (hint) field.hint = hint
    for (const key of ['required', 'retired']) {
      const v = flag(fieldSheet.name, row, key, cells[key])
      if (v !== undefined) field[key] = v
    }
    for (const column of fieldSheet.columns) {
      const text = cells[column]?.trim() ?? ''
      if (text === '' || FIELD_BASE.slice(0, 8).includes(column)) continue
      const pair = /^(.+)_(zh|en)$/.exec(column)
      if (pair?.[1] && pair[2]) {
        const key = camel(pair[1])
        field[key] = { ...(field[key] as object | undefined), [pair[2]]: text }
      } else if (/^-?\d+(\.\d+)?$/.test(text)) field[camel(column)] = Number(text)
      else if (YES.has(text.toLowerCase()) || NO.has(text.toLowerCase())) field[camel(column)] = YES.has(text.toLowerCase())
      else field[camel(column)] = text
    }
    fields.push(field)
    fieldOrigins.push({ sheet: fieldSheet.name, row })
  }
  input.fields = fields

  const options = sheet('options')
  for (const { row, cells } of options?.rows ?? []) {
    const fieldId = cells.field?.trim() ?? ''
    if (Object.values(cells).every((v) => v.trim() === '')) continue
    const field = fields.find((f) => f.id === fieldId)
    if (field?.type !== 'select') {
      issues.push({
        sheet: options?.name ?? 'options',
        row,
        column: 'field',
        message: field
          ? `"${fieldId}" is a ${String(field.type)} field: only select fields have options`
          : `no field "${fieldId}" on the fields sheet`,
        zh: field ? `"${fieldId}" 是 ${String(field.type)} 字段：只有 select 字段有选项` : `fields 表里没有字段 "${fieldId}"`,
      })
      continue
    }
    const retired = flag(options?.name ?? 'options', row, 'retired', cells.retired)
    field.options = [
      ...((field.options as unknown[] | undefined) ?? []),
      {
        value: cells.value?.trim() ?? '',
        label: { zh: cells.label_zh?.trim() ?? '', en: cells.label_en?.trim() ?? '' },
        ...(retired ? { retired } : {}),
      },
    ]
    optionOrigins.set(fieldId, [...(optionOrigins.get(fieldId) ?? []), { sheet: options?.name ?? 'options', row }])
  }

  const condition = (cells: Record<string, string>): Condition | undefined => {
    if (cells.when_any_positive?.trim()) return { anyPositive: list(cells.when_any_positive) }
    if (cells.when_true?.trim()) return { isTrue: cells.when_true.trim() }
    if (cells.when_field?.trim()) return { equals: { field: cells.when_field.trim(), value: cells.when_value?.trim() ?? '' } }
    return undefined
  }
  const rowsOf = (name: string) => {
    const t = sheet(name)
    return (t?.rows ?? [])
      .filter(({ cells }) => Object.values(cells).some((v) => v.trim() !== ''))
      .map((r) => ({ ...r, sheet: t?.name ?? name }))
  }
  const rules = rowsOf('rules')
  input.rules = rules.map(({ row, sheet: name, cells }) => {
    const kind = RULE_KINDS[cells.kind?.trim() ?? '']
    if (!kind)
      issues.push({
        sheet: name,
        row,
        column: 'kind',
        message: `the kind is required_when or sum_at_most (got "${cells.kind ?? ''}")`,
        zh: `kind 须为 required_when 或 sum_at_most（现为 "${cells.kind ?? ''}"）`,
      })
    return kind === 'sumAtMost'
      ? { kind, fields: list(cells.fields), max: cells.max?.trim() ?? '' }
      : { kind: kind ?? cells.kind, fields: list(cells.fields), when: condition(cells) }
  })
  const alerts = rowsOf('alerts')
  input.alerts = alerts.map(({ cells }) =>
    cells.category_field?.trim()
      ? { categoryField: cells.category_field.trim(), severityField: cells.severity_field?.trim() ?? '' }
      : { category: cells.category?.trim() ?? '', severity: cells.severity?.trim() ?? '', when: condition(cells) },
  )
  const totals = rowsOf('totals')
  input.totals = totals.map(({ cells }) => {
    const c = condition(cells)
    return {
      id: cells.id?.trim() ?? '',
      label: { zh: cells.label_zh?.trim() ?? '', en: cells.label_en?.trim() ?? '' },
      ...(c && !cells.sum?.trim() ? { countWhere: c } : { sum: list(cells.sum) }),
    }
  })
  if (issues.length > 0) return { issues }

  const rowSheets: Record<string, { sheet: string; row: number }[]> = {
    rules: rules.map((r) => ({ sheet: r.sheet, row: r.row })),
    alerts: alerts.map((r) => ({ sheet: r.sheet, row: r.row })),
    totals: totals.map((r) => ({ sheet: r.sheet, row: r.row })),
  }
  const [formName, fieldName] = [formSheet.name, fieldSheet.name]
  return {
    input,
    locate({ path, message, zh }) {
      const where = at(path, message)
      return zh ? { ...where, zh: at(path, zh).message } : where
    },
  }

  function at(path: DefinitionIssue['path'], message: string): WorkbookIssue {
    const [head, index, ...rest] = path
    if (head === 'fields' && typeof index === 'number') {
      const field = fieldOrigins[index]
      const [sub, optionIndex, ...optionRest] = rest
      if (sub === 'options') {
        const origin = typeof optionIndex === 'number' ? optionOrigins.get(String(fields[index]?.id))?.[optionIndex] : undefined
        return origin
          ? { ...origin, column: columnOf(optionRest) ?? 'value', message }
          : { sheet: options?.name ?? 'options', column: 'field', message }
      }
      return { sheet: fieldName, ...(field ? { row: field.row } : {}), column: columnOf(rest) ?? 'id', message }
    }
    if (head === 'fields' || head === 'sheetColumns') return { sheet: fieldName, message }
    const rowed = typeof head === 'string' ? rowSheets[head] : undefined
    if (rowed) {
      const origin = typeof index === 'number' ? rowed[index] : undefined
      return origin ? { ...origin, column: columnOf(rest) ?? 'kind', message } : { sheet: head as string, message }
    }
    if (head === undefined) return { sheet: formName, message }
    const key = columnOf(path) ?? ''
    const row = keyRows.get(key)
    return {
      sheet: formName,
      ...(row ? { row } : {}),
      column: row ? 'value' : 'key',
      message: row ? message : `${key}: ${message}`,
    }
  }
}

/** An issue as one line: `sheet "fields", row 5, column "label_zh": must not be empty`. */
export function describeIssue(issue: WorkbookIssue, lang: 'zh' | 'en' = 'en'): string {
  const message = lang === 'zh' && issue.zh ? issue.zh : issue.message
  const parts =
    lang === 'zh'
      ? [`工作表 "${issue.sheet}"`, issue.row ? `第 ${issue.row} 行` : '', issue.column ? `"${issue.column}" 列` : '']
      : [`sheet "${issue.sheet}"`, issue.row ? `row ${issue.row}` : '', issue.column ? `column "${issue.column}"` : '']
  return `${parts.filter(Boolean).join(lang === 'zh' ? ' ' : ', ')}${lang === 'zh' ? '：' : ': '}${message}`
}
