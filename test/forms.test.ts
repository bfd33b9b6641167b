import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fieldTypes } from '#commons/forms/field-types.ts'
import { createRegistry, defaultFormsDir, FormDefinitionError, loadForms } from '#commons/forms/registry.ts'
import { validateValues } from '#commons/forms/validation.ts'
import { formTabLayout } from '#commons/sheet/layout.ts'
import { newKey, submission } from './support/fixtures.ts'
import { dataRows, type Harness, startHarness } from './support/harness.ts'

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

  it('derive the sheet columns from field ids, not labels', async () => {
    const health = (await loadForms()).get('daily-health')
    if (!health) throw new Error('daily-health missing')
    const header = formTabLayout(health).header
    expect(header.slice(0, 6)).toEqual([
      '记录ID (recordId)',
      '日期 (date)',
      '单位 (unitName)',
      '单位ID (unitId)',
      '版本 (version)',
      '提交时间 (receivedAt)',
    ])
    expect(header).toContain('在册人数 (staffTotal)')
    expect(header).toHaveLength(6 + health.fields.length)
  })

  it('have one table entry per field type', () => {
    expect(Object.keys(fieldTypes).sort()).toEqual(['boolean', 'integer', 'itemList', 'linkList', 'phone', 'select', 'text', 'textarea'])
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

describe('adding a form', () => {
  let h: Harness
  let dir: string

  beforeAll(async () => {
    // A forms folder inside the repository (so `#commons/...` resolves): the shipped forms plus one new file.
    await mkdir(resolve('.tmp'), { recursive: true })
    dir = await mkdtemp(join(resolve('.tmp'), 'forms-'))
    await cp(defaultFormsDir, dir, { recursive: true })
    await writeFile(
      join(dir, 'visitor-check.ts'),
      `import { defineForm } from '#commons/forms/definition.ts'
export default defineForm({
  id: 'visitor-check',
  title: { zh: '来访人员登记', en: 'Visitor check' },
  workGroup: { zh: '系统人员防疫工作组', en: 'Staff group' },
  kind: 'on_demand',
  order: 50,
  tab: '来访登记',
  fields: [
    { id: 'visitorName', type: 'text', label: { zh: '来访人', en: 'Visitor' } },
    { id: 'temperatureOk', type: 'boolean', label: { zh: '体温正常', en: 'Temperature normal' } },
  ],
})
`,
    )
    h = await startHarness({ formsDir: dir })
  })
  afterAll(async () => {
    await h.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('takes one file: API, page, validation, storage and sheet tab follow', async () => {
    const token = await h.unit('gate', ['visitor-check'])
    const forms = (await (await h.app.request('/api/forms', { headers: { authorization: `Bearer ${token}` } })).json()) as { id: string }[]
    expect(forms.map((f) => f.id)).toEqual(['visitor-check'])
    expect(await (await h.app.request(`/u/${token}/forms/visitor-check`)).text()).toContain('来访人员登记')
    const bad = await h.app.request('/api/forms/visitor-check/submissions', submission(token, { visitorName: '' }))
    expect(bad.status).toBe(422)
    const ok = await h.app.request(
      '/api/forms/visitor-check/submissions',
      submission(token, { visitorName: '周杰', temperatureOk: true }, newKey()),
    )
    expect(ok.status).toBe(201)
    await h.mirror()
    expect(await dataRows(h.sink.path, '来访登记')).toEqual([
      [expect.stringMatching(/^visitor-check\.gate\./), '2026-11-28', '单位 gate', 'gate', 1, '2026-11-28 10:00:00', '周杰', '是'],
    ])
  })
})
