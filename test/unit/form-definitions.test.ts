import { describe, expect, it } from 'vitest'
import { fieldTypes } from '#commons/forms/field-types.ts'
import { createRegistry, FormDefinitionError, loadForms } from '#commons/forms/registry.ts'
import { validateValues } from '#commons/forms/validation.ts'
import { formTabLayout } from '#commons/sheet/layout.ts'

describe('the form definitions', () => {
  it('define the five forms of the work plan, with zh-CN and English labels on every field', async () => {
    const forms = await loadForms()
    expect(forms.all.map((f) => f.id)).toEqual(['emergency', 'info-release', 'daily-health', 'wildlife-daily', 'site-daily'])
    for (const form of forms.all) {
      for (const field of form.fields) {
        expect(field.label.zh, `${form.id}.${field.id}`).toMatch(/[\u4e00-\u9fff]/)
        expect(field.label.en, `${form.id}.${field.id}`).toMatch(/^[A-Z]/)
      }
    }
  })

  it('derive the sheet columns from field ids, not labels: the keys, with the labels alone in the header', async () => {
    const health = (await loadForms()).get('daily-health')
    if (!health) throw new Error('daily-health missing')
    const { header, keys } = formTabLayout(health)
    expect(keys.slice(0, 7)).toEqual(['recordId', 'date', 'unitName', 'unitId', 'version', 'receivedAt', 'formVersion'])
    expect(header.slice(0, 7)).toEqual(['记录ID', '日期', '单位', '单位ID', '版本', '提交时间', '表单版本'])
    expect(header[keys.indexOf('staffTotal')]).toBe('在册人数')
    expect(keys).toEqual([...keys.slice(0, 7), ...health.fields.map((f) => f.id)])
    expect(header).toHaveLength(keys.length)
  })

  it('have one table entry per field type', () => {
    expect(Object.keys(fieldTypes).sort()).toEqual([
      'boolean',
      'integer',
      'itemList',
      'linkList',
      'location',
      'phone',
      'photo',
      'select',
      'text',
      'textarea',
    ])
  })

  it('refuse a definition whose rule names an unknown field', () => {
    const bad = {
      id: 'broken',
      title: { zh: '坏', en: 'Broken' },
      workGroup: { zh: '组', en: 'Group' },
      kind: 'daily' as const,
      order: 1,
      tab: '坏',
      fields: [{ id: 'a', type: 'integer' as const, label: { zh: '甲', en: 'A' } }],
      rules: [{ kind: 'requiredWhen' as const, fields: ['b'], when: { isTrue: 'a' } }],
    }
    expect(() => createRegistry([bad])).toThrow(FormDefinitionError)
  })

  it('accept full-width digits typed on a Chinese keyboard only through the form parser, and reject fractions', async () => {
    const health = (await loadForms()).get('daily-health')
    if (!health) throw new Error('daily-health missing')
    const result = validateValues(health, { staffTotal: 1.5 }, 'en')
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.issues).toContainEqual({ path: 'staffTotal', message: 'Enter a whole number' })
    expect(fieldTypes.integer.fromForm(health.fields[0] as never, { staffTotal: ['４２'] })).toBe(42)
  })
})
