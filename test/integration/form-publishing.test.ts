// The office changes and adds forms without code: a workbook exported, edited in a real .xlsx
// file and published; the page, GET /api/forms, validation and the sheet follow; a new form is
// first-class; retiring and relabelling keep every row and column; bad workbooks change nothing.
import ExcelJS from 'exceljs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readFormWorkbook, writeFormWorkbook } from '#commons/adapters/form-workbook.ts'
import { createFormCatalog } from '#commons/forms/catalog.ts'
import { FormDefinition } from '#commons/forms/definition.ts'
import { loadFormInputs } from '#commons/forms/registry.ts'
import { definitionToTables, describeIssue, type Table, tablesToDefinition } from '#commons/forms/workbook.ts'
import { silentLogger } from '#commons/log.ts'
import { overviewTab } from '#commons/sheet/overview.ts'
import { addUnit, retireUnit } from '#commons/units/roster.ts'
import { healthReport, newKey, submission } from '../../testkit/fixtures.ts'
import { ADMIN_TOKEN, dataRows, type Harness, readWorkbook, startHarness, TIME_ZONE } from '../../testkit/harness.ts'

const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }
const HEALTH_TAB = '人员健康日报'

/** The form's workbook as the office gets it from `form export`: an .xlsx file's bytes. */
async function exported(h: Harness, id: string): Promise<ExcelJS.Workbook> {
  const form = FormDefinition.parse(await (await h.app.request(`/api/admin/forms/${id}`, { headers: admin })).json())
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load((await writeFormWorkbook(definitionToTables(form))) as unknown as ArrayBuffer)
  return workbook
}

/** The row of a field on the fields sheet, and the column of a header. */
function fieldRow(workbook: ExcelJS.Workbook, fieldId: string): ExcelJS.Row {
  const sheet = workbook.getWorksheet('fields')
  let found: ExcelJS.Row | undefined
  sheet?.eachRow((row) => {
    if (row.getCell(1).value === fieldId) found = row
  })
  if (!found) throw new Error(`no row for ${fieldId}`)
  return found
}
function column(sheet: ExcelJS.Worksheet | undefined, name: string): number {
  const header = ((sheet?.getRow(1).values ?? []) as unknown[]).slice(1)
  const i = header.indexOf(name)
  if (i === -1) throw new Error(`no column ${name}`)
  return i + 1
}

/** Publishes a workbook as `form publish` does: read the file, then POST the definition. */
async function publish(h: Harness, workbook: ExcelJS.Workbook, by = '刘洋') {
  const tables = await readFormWorkbook((await workbook.xlsx.writeBuffer()) as ArrayBuffer)
  const parsed = tablesToDefinition(tables)
  if ('issues' in parsed) return { status: 0, issues: parsed.issues.map((i) => describeIssue(i)) }
  const response = await h.app.request(`/api/admin/forms?by=${encodeURIComponent(by)}`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify(parsed.input),
  })
  const body = (await response.json()) as { id?: string; version?: number; issues?: { path: string; message: string }[] }
  const issues = (body.issues ?? []).map((i) =>
    describeIssue(parsed.locate({ path: i.path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s)), message: i.message })),
  )
  return { status: response.status, body, issues }
}

const formsOf = async (h: Harness, token: string) =>
  (await (await h.app.request('/api/forms', { headers: { authorization: `Bearer ${token}` } })).json()) as {
    id: string
    version: number
    fields: { id: string; label: { zh: string }; max?: number }[]
  }[]

/** The `form` sheet of a new form for 重大活动善后工作组 (README's worked example), with `extra` keys. */
const aftermathFormSheet = (extra: Record<string, string>): Table => ({
  name: 'form',
  columns: ['key', 'value'],
  rows: Object.entries({
    id: 'event-aftermath',
    title_zh: '重大活动善后日报',
    title_en: 'Cancelled events aftermath daily',
    work_group_zh: '重大活动善后工作组',
    work_group_en: 'Major events aftermath group',
    kind: 'daily',
    tab: '活动善后',
    ...extra,
  }).map(([key, value], i) => ({ row: i + 2, cells: { key, value } })),
})

describe('publishing forms from a workbook', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    await h.close()
  })

  it('export → edit cells → publish: the page, GET /api/forms, validation and the sheet follow; the rows before stay as they were', async () => {
    const before = await h.unit('before', ['daily-health'])
    const after = await h.unit('after', ['daily-health'])
    expect((await h.app.request('/api/forms/daily-health/submissions', submission(before, healthReport()))).status).toBe(201)
    await h.mirror()
    const [headerBefore] = (await readWorkbook(h.sink.path)).get(HEALTH_TAB) ?? []
    const [rowBefore] = await dataRows(h.sink.path, HEALTH_TAB)

    const workbook = await exported(h, 'daily-health')
    const fields = workbook.getWorksheet('fields')
    fieldRow(workbook, 'remote').getCell(column(fields, 'label_zh')).value = '远程办公人数'
    fieldRow(workbook, 'staffTotal').getCell(column(fields, 'max')).value = 500
    // a new count, typed in the first empty row
    const added = fields!.getRow(fields!.rowCount + 1)
    added.getCell(column(fields, 'id')).value = 'vaccinated'
    added.getCell(column(fields, 'type')).value = 'integer'
    added.getCell(column(fields, 'label_zh')).value = '已接种人数'
    added.getCell(column(fields, 'label_en')).value = 'Vaccinated'
    added.getCell(column(fields, 'required')).value = 'yes'
    const published = await publish(h, workbook)
    expect(published.issues).toEqual([])
    expect(published.body).toEqual({ id: 'daily-health', version: 2 })

    // GET /api/forms
    const [health] = await formsOf(h, after)
    expect(health?.version).toBe(2)
    expect(health?.fields.find((f) => f.id === 'remote')?.label.zh).toBe('远程办公人数')
    expect(health?.fields.find((f) => f.id === 'staffTotal')?.max).toBe(500)
    expect(health?.fields.at(-1)?.id).toBe('vaccinated')
    // the page
    const page = await (await h.app.request(`/u/${after}/forms/daily-health`)).text()
    expect(page).toContain('远程办公人数')
    expect(page).toContain('已接种人数')
    expect(page).toContain('name="_formVersion" value="2"')
    // validation
    const refused = await h.app.request('/api/forms/daily-health/submissions', submission(after, healthReport({ staffTotal: 600 })))
    expect(refused.status).toBe(422)
    const issues = ((await refused.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)
    expect(issues).toEqual(expect.arrayContaining(['staffTotal', 'vaccinated']))
    const stored = await h.app.request('/api/forms/daily-health/submissions', submission(after, healthReport({ vaccinated: 30 })))
    expect(stored.status).toBe(201)
    expect(((await stored.json()) as { formVersion: number }).formVersion).toBe(2)

    // the sheet: the relabelled column where it was, the new one at the end, the earlier row untouched
    await h.mirror()
    const tab = (await readWorkbook(h.sink.path)).get(HEALTH_TAB) ?? []
    const header = tab[0] ?? []
    expect(header.slice(0, -1)).toEqual((headerBefore ?? []).map((label) => (label === '居家办公人数' ? '远程办公人数' : label)))
    expect(header.at(-1)).toBe('已接种人数')
    const rows = await dataRows(h.sink.path, HEALTH_TAB)
    expect(rows[0]).toEqual(rowBefore)
    expect(rows[0]?.[header.indexOf('表单版本')]).toBe(1)
    expect(rows[1]?.[header.indexOf('表单版本')]).toBe(2)
    expect(rows[1]?.[header.indexOf('已接种人数')]).toBe(30)
  })

  it('publishes a new form for 重大活动善后工作组: assigned to a unit, submitted, in its own tab, with a deadline, an alert and a total', async () => {
    const tables: Table[] = [
      aftermathFormSheet({ order: '40' }),
      {
        name: 'fields',
        columns: ['id', 'type', 'label_zh', 'label_en', 'required', 'min', 'max', 'max_length', 'retired'],
        rows: (
          [
            {
              id: 'eventsCancelled',
              type: 'integer',
              label_zh: '已取消活动数',
              label_en: 'Events cancelled',
              required: 'yes',
              max: '1000',
            },
            { id: 'refundsPending', type: 'integer', label_zh: '待退费人数', label_en: 'Refunds pending', required: 'yes' },
            { id: 'complaints', type: 'integer', label_zh: '投诉数', label_en: 'Complaints', required: 'yes' },
            { id: 'notes', type: 'textarea', label_zh: '情况说明', label_en: 'Notes', required: 'no', max_length: '500' },
          ] as Record<string, string>[]
        ).map((cells, i) => ({ row: i + 2, cells })),
      },
      {
        name: 'rules',
        columns: ['kind', 'fields', 'max', 'when_any_positive'],
        rows: [{ row: 2, cells: { kind: 'required_when', fields: 'notes', when_any_positive: 'complaints' } }],
      },
      {
        name: 'alerts',
        columns: ['category', 'severity', 'when_any_positive'],
        rows: [{ row: 2, cells: { category: 'public_opinion', severity: 'urgent', when_any_positive: 'complaints' } }],
      },
      {
        name: 'totals',
        columns: ['id', 'label_zh', 'label_en', 'sum'],
        rows: [{ row: 2, cells: { id: 'refundsPending', label_zh: '待退费', label_en: 'Refunds pending', sum: 'refundsPending' } }],
      },
    ]
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load((await writeFormWorkbook(tables)) as unknown as ArrayBuffer)
    const published = await publish(h, workbook, '王主任')
    expect(published.issues).toEqual([])
    expect(published.body).toEqual({ id: 'event-aftermath', version: 1 })

    const list = (await (await h.app.request('/api/admin/forms', { headers: admin })).json()) as { id: string; version: number }[]
    expect(list).toContainEqual(expect.objectContaining({ id: 'event-aftermath', version: 1 }))

    const token = await h.unit('events', ['daily-health'])
    const assigned = await h.app.request('/api/admin/units/events', {
      method: 'PATCH',
      headers: admin,
      body: JSON.stringify({ forms: ['daily-health', 'event-aftermath'] }),
    })
    expect(assigned.status).toBe(200)
    const deadline = await h.app.request('/api/admin/forms/event-aftermath/deadline', {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ time: '17:00' }),
    })
    expect(await deadline.json()).toEqual({ formId: 'event-aftermath', deadline: '17:00' })
    const status = (await (await h.app.request('/api/status?date=2026-11-28', { headers: admin })).json()) as {
      forms: { formId: string; deadline: string; units: { unitId: string; status: string }[] }[]
    }
    expect(status.forms.find((f) => f.formId === 'event-aftermath')).toEqual({
      formId: 'event-aftermath',
      deadline: '17:00',
      units: [expect.objectContaining({ unitId: 'events', status: 'missing' })],
    })
    expect((await formsOf(h, token)).map((f) => f.id)).toContain('event-aftermath')
    expect(await (await h.app.request(`/u/${token}`)).text()).toContain('重大活动善后日报')

    const missingNotes = await h.app.request(
      '/api/forms/event-aftermath/submissions',
      submission(token, { eventsCancelled: 3, refundsPending: 120, complaints: 2 }),
    )
    expect(missingNotes.status).toBe(422)
    const ok = await h.app.request(
      '/api/forms/event-aftermath/submissions',
      submission(token, { eventsCancelled: 3, refundsPending: 120, complaints: 2, notes: '两场演出取消，观众要求退票' }),
    )
    expect(ok.status).toBe(201)
    const receipt = (await ok.json()) as { id: string; formVersion: number }
    expect(receipt.formVersion).toBe(1)
    const [record] = await h.stores.records.versions(receipt.id)
    expect(record?.alert).toEqual({ category: 'public_opinion', severity: 'urgent' })

    await h.mirror()
    const tab = (await readWorkbook(h.sink.path)).get('活动善后') ?? []
    expect(tab[0]?.slice(7)).toEqual(['已取消活动数', '待退费人数', '投诉数', '情况说明'])
    expect(tab[1]?.slice(3, 10)).toEqual(['events', 1, expect.any(String), 1, 3, 120, 2])
    const overview = await overviewTab({ ...h.stores, forms: h.forms, timeZone: TIME_ZONE }).rows(h.clock.now())
    expect(JSON.stringify(overview)).toContain('待退费')
    expect(JSON.stringify(overview)).toContain('120')
  })

  it('gives a new form to the active units of the types its workbook names (unit_types), and to units of those types added later', async () => {
    const add = (id: string, type: 'section' | 'park') => addUnit(h.stores.units, h.forms, h.clock, { id, name: `单位 ${id}`, type })
    await add('works', 'section')
    await add('north-park', 'park')
    await add('old-section', 'section')
    await retireUnit(h.stores.units, h.clock, 'old-section')
    const tables: Table[] = [
      aftermathFormSheet({ unit_types: 'section, office' }),
      {
        name: 'fields',
        columns: ['id', 'type', 'label_zh', 'label_en', 'required'],
        rows: [
          {
            row: 2,
            cells: { id: 'eventsCancelled', type: 'integer', label_zh: '已取消活动数', label_en: 'Events cancelled', required: 'yes' },
          },
        ],
      },
    ]
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load((await writeFormWorkbook(tables)) as unknown as ArrayBuffer)
    expect((await publish(h, workbook)).body).toEqual({ id: 'event-aftermath', version: 1 })

    const formsOfUnit = async (id: string) => (await h.stores.units.get(id))?.forms ?? []
    expect(await formsOfUnit('works')).toEqual(['daily-health', 'emergency', 'info-release', 'event-aftermath'])
    expect(await formsOfUnit('north-park')).not.toContain('event-aftermath')
    expect(await formsOfUnit('old-section')).not.toContain('event-aftermath')
    const later = await add('new-section', 'section')
    expect(later.unit.forms).toEqual(['daily-health', 'event-aftermath', 'emergency', 'info-release'])
    // the types round-trip through the workbook, and a type that is not one is refused where it was typed
    const exported = tablesToDefinition(definitionToTables(h.forms.get('event-aftermath') as FormDefinition))
    expect('input' in exported && exported.input.unitTypes).toEqual(['section', 'office'])
    const formSheet = workbook.getWorksheet('form')
    formSheet?.eachRow((row) => {
      if (row.getCell(1).value === 'unit_types') row.getCell(2).value = 'hospital'
    })
    formSheet?.eachRow((row) => {
      if (row.getCell(1).value === 'id') row.getCell(2).value = 'another-form'
    })
    const refused = await publish(h, workbook)
    expect(refused.issues).toEqual([expect.stringMatching(/^sheet "form", row \d+, column "value": /)])
  })

  it('keeps a formula-looking label as text in the CSV export', async () => {
    const workbook = await exported(h, 'daily-health')
    fieldRow(workbook, 'remote').getCell(column(workbook.getWorksheet('fields'), 'label_zh')).value =
      '=HYPERLINK("http://evil.example","远程")'
    expect((await publish(h, workbook)).issues).toEqual([])

    const csv = await (await h.app.request('/api/admin/export?form=daily-health&date=2026-11-28', { headers: admin })).text()
    const header = csv.split('\r\n')[0] ?? ''
    expect(header).toContain(`"'=HYPERLINK(""http://evil.example"",""远程"") (remote)"`)
    expect(header).not.toMatch(/(^|,)"?=/)
  })

  it('retire and relabel keep every row and column in place; the retired field leaves the page and the API', async () => {
    const token = await h.unit('office', ['daily-health'])
    expect((await h.app.request('/api/forms/daily-health/submissions', submission(token, healthReport()))).status).toBe(201)
    await h.mirror()
    const before = (await readWorkbook(h.sink.path)).get(HEALTH_TAB) ?? []

    const workbook = await exported(h, 'daily-health')
    const fields = workbook.getWorksheet('fields')
    fieldRow(workbook, 'publicAreaDisinfected').getCell(column(fields, 'retired')).value = 'yes'
    fieldRow(workbook, 'reporterName').getCell(column(fields, 'label_zh')).value = '填报人姓名'
    // the office moves a row up: the page order changes, the sheet's columns do not
    const sheetRows = fields?.getRows(2, fields.rowCount - 1) ?? []
    const phone = sheetRows.at(-1)?.values
    const first = sheetRows[0]?.values
    if (phone && first) {
      sheetRows[0]!.values = phone
      sheetRows.at(-1)!.values = first
    }
    expect((await publish(h, workbook)).body).toEqual({ id: 'daily-health', version: 2 })

    const [health] = await formsOf(h, token)
    expect(health?.fields.map((f) => f.id)).not.toContain('publicAreaDisinfected')
    expect(health?.fields[0]?.id).toBe('reporterPhone')
    expect(await (await h.app.request(`/u/${token}/forms/daily-health`)).text()).not.toContain('公共区域已消毒')
    const withRetired = await h.app.request(
      '/api/forms/daily-health/submissions',
      submission(token, healthReport({ publicAreaDisinfected: true })),
    )
    expect(withRetired.status).toBe(422)
    const { publicAreaDisinfected: _gone, ...rest } = healthReport()
    h.clock.advance(60_000)
    expect((await h.app.request('/api/forms/daily-health/submissions', submission(token, { ...rest, notes: '更正' }))).status).toBe(201)
    await h.mirror()
    const after = (await readWorkbook(h.sink.path)).get(HEALTH_TAB) ?? []
    expect(after[0]).toEqual(before[0]?.map((label) => (label === '填报人' ? '填报人姓名' : label)))
    // the record's newest version is in its row; the retired column stays, empty for it
    const disinfected = (before[0] ?? []).indexOf('公共区域已消毒')
    expect(after[1]?.[disinfected]).toBeFalsy()
    expect(before[1]?.[disinfected]).toBe('是')
    expect(after[1]?.[(before[0] ?? []).indexOf('情况说明')]).toBe('更正')
    expect(after[1]?.[(before[0] ?? []).indexOf('联系电话')]).toBe('13800138000')
  })

  it('refuses a bad workbook naming the sheet, row and column, and changes nothing', async () => {
    const token = await h.unit('office', ['daily-health'])
    const formsBefore = await formsOf(h, token)
    const workbook = await exported(h, 'daily-health')
    const fields = workbook.getWorksheet('fields')
    fieldRow(workbook, 'onDuty').getCell(column(fields, 'type')).value = 'number' // unknown type (row 3)
    fieldRow(workbook, 'remote').getCell(column(fields, 'id')).value = 'staffTotal' // duplicate id (row 4)
    fieldRow(workbook, 'confirmed').getCell(column(fields, 'label_en')).value = '' // missing label (row 9)
    const rules = workbook.getWorksheet('rules')
    rules!.getRow(3).getCell(column(rules, 'max')).value = 'staffCount' // a rule naming a missing field
    const refused = await publish(h, workbook)
    expect(refused.status).toBe(422)
    expect(refused.issues).toEqual([
      'sheet "fields", row 3, column "type": must be one of integer, text, textarea, boolean, select, phone, itemList, linkList, photo, location',
      'sheet "fields", row 9, column "label_en": must not be empty',
    ])
    // the type fixed, the cross-checks come next
    fieldRow(workbook, 'onDuty').getCell(column(fields, 'type')).value = 'integer'
    fieldRow(workbook, 'confirmed').getCell(column(fields, 'label_en')).value = 'Confirmed cases'
    const again = await publish(h, workbook)
    expect(again.issues).toEqual([
      'sheet "fields", row 4, column "id": field "staffTotal" is defined twice',
      // the rule of row 3 still names the field whose id was overwritten, and a field that never was
      'sheet "rules", row 3, column "fields": rule refers to unknown field "remote"',
      'sheet "rules", row 3, column "max": rule refers to unknown field "staffCount"',
    ])
    expect(await formsOf(h, token)).toEqual(formsBefore)
    const versions = (await (await h.app.request('/api/admin/forms/daily-health/versions', { headers: admin })).json()) as unknown[]
    expect(versions).toHaveLength(1)
  })

  it('refuses what would lose data: a removed field, a changed type, a removed option', async () => {
    const json = async (definition: unknown) => {
      const response = await h.app.request('/api/admin/forms?by=tester', {
        method: 'POST',
        headers: admin,
        body: JSON.stringify(definition),
      })
      return { status: response.status, body: (await response.json()) as { issues?: { path: string; message: string }[] } }
    }
    const emergency = h.forms.get('emergency')!
    const withoutLocation = { ...emergency, fields: emergency.fields.filter((f) => f.id !== 'location') }
    expect((await json(withoutLocation)).body.issues?.[0]?.message).toMatch(/field "location" was removed: .*retired/)
    const retyped = { ...emergency, fields: emergency.fields.map((f) => (f.id === 'location' ? { ...f, type: 'textarea' } : f)) }
    expect((await json(retyped)).body.issues).toEqual([{ path: 'fields.2.type', message: expect.stringMatching(/keeps its type/) }])
    const fewerOptions = {
      ...emergency,
      fields: emergency.fields.map((f) => (f.type === 'select' && f.id === 'category' ? { ...f, options: f.options.slice(1) } : f)),
    }
    expect((await json(fewerOptions)).body.issues?.[0]?.message).toMatch(/option "suspected_case" .* retired/)
    const retiredOption = {
      ...emergency,
      fields: emergency.fields.map((f) =>
        f.type === 'select' && f.id === 'category'
          ? { ...f, options: f.options.map((o, i) => (i === 0 ? { ...o, retired: true } : o)) }
          : f,
      ),
    }
    expect(await json(retiredOption)).toEqual({ status: 201, body: { id: 'emergency', version: 2 } })
    const [em] = await formsOf(h, await h.unit('x', ['emergency']))
    expect(JSON.stringify(em)).not.toContain('suspected_case')
  })

  it('rolls back: the earlier definition returns as a new version, with the fields added since kept, retired', async () => {
    const token = await h.unit('office', ['daily-health'])
    const health = h.forms.get('daily-health')!
    const added = {
      ...health,
      fields: [...health.fields, { id: 'vaccinated', type: 'integer', label: { zh: '已接种人数', en: 'Vaccinated' } }],
    }
    const v2 = await h.app.request('/api/admin/forms?by=a', { method: 'POST', headers: admin, body: JSON.stringify(added) })
    expect(await v2.json()).toEqual({ id: 'daily-health', version: 2 })
    const back = await h.app.request('/api/admin/forms/daily-health/rollback', {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ by: '刘洋' }),
    })
    expect(back.status).toBe(201)
    expect(await back.json()).toEqual({ id: 'daily-health', version: 3 })
    const [current] = await formsOf(h, token)
    expect(current?.version).toBe(3)
    expect(current?.fields.map((f) => f.id)).not.toContain('vaccinated')
    expect(h.forms.get('daily-health')?.fields.find((f) => f.id === 'vaccinated')?.retired).toBe(true)
    const versions = (await (await h.app.request('/api/admin/forms/daily-health/versions', { headers: admin })).json()) as {
      version: number
      publishedBy: string
      builtIn: boolean
      rolledBackTo?: number
    }[]
    expect(versions.map((v) => [v.version, v.publishedBy, v.builtIn, v.rolledBackTo])).toEqual([
      [1, 'forms/', true, undefined],
      [2, 'a', false, undefined],
      [3, '刘洋', false, 1],
    ])
  })

  it('takes a page opened on the version before within the grace period, checked against that version', async () => {
    const token = await h.unit('office', ['daily-health'])
    const page = await (await h.app.request(`/u/${token}/forms/daily-health`)).text()
    expect(page).toContain('name="_formVersion" value="1"')
    const health = h.forms.get('daily-health')!
    const required = {
      ...health,
      fields: [...health.fields, { id: 'vaccinated', type: 'integer', label: { zh: '已接种人数', en: 'Vaccinated' } }],
    }
    expect((await h.app.request('/api/admin/forms?by=a', { method: 'POST', headers: admin, body: JSON.stringify(required) })).status).toBe(
      201,
    )
    const post = (version: string) =>
      h.app.request(`/u/${token}/forms/daily-health`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
        body: new URLSearchParams({
          _key: newKey(),
          _formVersion: version,
          date: '2026-11-28',
          ...Object.fromEntries(Object.entries(healthReport()).map(([k, v]) => [k, v === true ? 'yes' : String(v)])),
        }).toString(),
      })
    const late = await post('1')
    expect(late.status).toBe(303)
    const [record] = await h.stores.records.currentOfDay('daily-health', '2026-11-28')
    expect(record?.formVersion).toBe(1)
    // a week and a day later the old version is no longer taken: the current one asks for the new field
    h.clock.advance(8 * 24 * 3600_000)
    const stale = await post('1')
    expect(stale.status).toBe(422)
    expect(await stale.text()).toContain('已接种人数')
  })
})

describe('two instances (Lambda)', () => {
  it('a publish on one reaches the other once its copy is older than the catalog lifetime, without a restart', async () => {
    const h = await startHarness()
    try {
      // the harness's catalog stands for the instance that publishes; this one for another instance
      const other = await createFormCatalog({
        builtIn: await loadFormInputs(),
        store: h.formVersions,
        clock: h.clock,
        log: silentLogger,
        maxAgeMs: 200,
      })
      await other.fresh()
      const health = h.forms.get('daily-health')!
      const relabelled = { ...health, title: { zh: '人员健康日报（新）', en: 'Staff health daily (new)' } }
      const published = await h.app.request('/api/admin/forms?by=a', { method: 'POST', headers: admin, body: JSON.stringify(relabelled) })
      expect(published.status).toBe(201)
      await other.fresh() // its copy is new: nothing read
      expect(other.get('daily-health')?.version).toBe(1)
      await expect
        .poll(async () => {
          await other.fresh()
          return other.get('daily-health')?.title.zh
        })
        .toBe('人员健康日报（新）')
    } finally {
      await h.close()
    }
  })
})
