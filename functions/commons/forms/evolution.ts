// Safe evolution of a published form: field ids are the sheet's column keys and the stored
// values' keys, so a new version may add, relabel, reorder and retire, never remove or retype.
import type { FormDefinition } from './definition.ts'
import { columnOrder, type DefinitionIssue } from './registry.ts'

/** What a new version of `previous` may not do, each issue where the office can fix it. */
export function evolutionIssues(previous: FormDefinition, next: FormDefinition): DefinitionIssue[] {
  const issues: DefinitionIssue[] = []
  const nextIndex = new Map(next.fields.map((f, i) => [f.id, i]))
  for (const old of previous.fields) {
    const i = nextIndex.get(old.id)
    const field = i === undefined ? undefined : next.fields[i]
    if (i === undefined || !field) {
      issues.push({
        path: ['fields'],
        message: `field "${old.id}" was removed: keep its row and mark it retired (its column and data stay)`,
        zh: `字段 "${old.id}" 被删除了：请保留这一行，把 retired 设为 yes（列和数据都保留）`,
      })
      continue
    }
    if (field.type !== old.type) {
      issues.push({
        path: ['fields', i, 'type'],
        message: `field "${old.id}" was ${old.type}: a field keeps its type; add a field with a new id instead`,
        zh: `字段 "${old.id}" 原为 ${old.type}：字段类型不能改，请用新的 id 新增一个字段`,
      })
      continue
    }
    if (old.type === 'select' && field.type === 'select') {
      const values = new Set(field.options.map((o) => o.value))
      for (const option of old.options) {
        if (!values.has(option.value))
          issues.push({
            path: ['fields', i, 'options'],
            message: `option "${option.value}" of field "${old.id}" was removed: records may hold it; mark it retired instead`,
            zh: `字段 "${old.id}" 的选项 "${option.value}" 被删除了：已有记录可能用到它，请把它的 retired 设为 yes`,
          })
      }
    }
  }
  if (next.kind !== previous.kind)
    issues.push({
      path: ['kind'],
      message: `the kind stays ${previous.kind}: it decides the records' ids; publish a new form instead`,
      zh: `kind 须保持 ${previous.kind}：它决定记录的编号；需要时请发布一个新表单`,
    })
  if (next.tab !== previous.tab)
    issues.push({
      path: ['tab'],
      message: `the tab stays "${previous.tab}": the sheet's rows are kept under it`,
      zh: `tab 须保持 "${previous.tab}"：汇总表的行都在这个标签下`,
    })
  if (next.recordKeyFields.join() !== previous.recordKeyFields.join())
    issues.push({
      path: ['recordKeyFields'],
      message: "the record key fields stay as they are: they decide the records' ids",
      zh: 'record_key_fields 不能改：它们决定记录的编号',
    })
  return issues
}

/** The sheet columns of a new version: the previous version's, then the new fields in page order. */
export function nextSheetColumns(previous: FormDefinition, next: FormDefinition): string[] {
  const kept = columnOrder(previous)
  const known = new Set(kept)
  return [...kept, ...next.fields.map((f) => f.id).filter((id) => !known.has(id))]
}
