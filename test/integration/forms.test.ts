import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultFormsDir } from '#commons/forms/registry.ts'
import { newKey, submission } from '../../testkit/fixtures.ts'
import { dataRows, type Harness, startHarness } from '../../testkit/harness.ts'

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
      [expect.stringMatching(/^visitor-check\.gate\./), '2026-11-28', '单位 gate', 'gate', 1, '2026-11-28 10:00:00', 1, '周杰', '是'],
    ])
  })
})
