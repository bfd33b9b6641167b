/**
 * The 概览 overview tab for a simulated day on the harness's fixed clock: statuses agree with
 * GET /api/status, totals with the submissions, and the mirror writes the tab to the workbook.
 */
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '#commons/log.ts'
import { mirrorPass, rebuildSheet } from '#commons/sheet/mirror.ts'
import { OVERVIEW_TAB, overviewLayout, overviewRows, overviewTab } from '#commons/sheet/overview.ts'
import { KEYS_TAB } from '../../functions/local/workbook-sink.ts'
import { healthReport, submission, wildlifeReport } from '../../testkit/fixtures.ts'
import { ADMIN_TOKEN, type Harness, readWorkbook, startHarness, TIME_ZONE } from '../../testkit/harness.ts'

let h: Harness
let rows: unknown[][]
const NOW = '2026-11-28T04:00:00Z' // 12:00 in Shanghai; the deadline is 10:00

const statusDeps = () => ({ ...h.stores, forms: h.forms, timeZone: TIME_ZONE })

async function submitAt(isoUtc: string, token: string, formId: string, body: Record<string, unknown>): Promise<void> {
  h.clock.set(isoUtc)
  const res = await h.app.request(`/api/forms/${formId}/submissions`, submission(token, body))
  expect(res.status, await res.clone().text()).toBe(201)
}

/** the row of one unit and form, by unit id and form title */
const rowOf = (unitId: string, formTitle: string) => rows.find((r) => r[1] === unitId && r[2] === formTitle) ?? []
const rowNamed = (label: string, formTitle: string) => rows.find((r) => r[0] === label && r[2] === formTitle) ?? []

beforeAll(async () => {
  h = await startHarness({ now: NOW })
  const a = await h.unit('a-park', ['daily-health', 'wildlife-daily'])
  const b = await h.unit('b-office', ['daily-health'])
  await h.unit('c-section', ['daily-health'])

  // yesterday: a reports on time (09:30), with a wildlife die-off
  await submitAt('2026-11-27T01:30:00Z', a, 'daily-health', healthReport())
  await submitAt(
    '2026-11-27T01:40:00Z',
    a,
    'wildlife-daily',
    wildlifeReport({
      abnormalFound: true,
      species: '野鸭',
      deadCount: 3,
      sickCount: 0,
      location: '北湖',
      samplingSent: true,
      measures: '已隔离',
    }),
  )
  // today: a on time at 09:00, b late at 11:00 (and b's yesterday report only now), c nothing
  await submitAt('2026-11-28T01:00:00Z', a, 'daily-health', healthReport({ feverOrRespiratory: 2, notes: '两人发热，已居家' }))
  await submitAt(
    '2026-11-28T03:00:00Z',
    b,
    'daily-health',
    healthReport({ feverOrRespiratory: 1, suspected: 1, notes: '一人疑似，已送医' }),
  )
  await submitAt('2026-11-28T03:05:00Z', b, 'daily-health', { ...healthReport(), date: '2026-11-27' })
  h.clock.set(NOW)
  rows = await overviewRows(statusDeps(), h.clock.now())
})
afterAll(() => h.close())

describe('the 概览 overview tab', () => {
  it('lists today and the seven days before it', () => {
    expect(overviewLayout.header.slice(4)).toHaveLength(8)
    expect(rows[0]).toEqual([
      '日期',
      '',
      '',
      '',
      '2026-11-28',
      '2026-11-27',
      '2026-11-26',
      '2026-11-25',
      '2026-11-24',
      '2026-11-23',
      '2026-11-22',
      '2026-11-21',
    ])
  })

  it('shows each unit × daily form as on time, late or missing, with the time it came', () => {
    const missing = Array(6).fill('未报')
    expect(rowOf('a-park', '人员健康日报').slice(3)).toEqual(['10:00', '按时 09:00', '按时 09:30', ...missing])
    expect(rowOf('b-office', '人员健康日报').slice(4)).toEqual(['迟报 11:00', '迟报 11-28 11:05', ...missing])
    expect(rowOf('c-section', '人员健康日报').slice(4)).toEqual(['未报', '未报', ...missing])
    expect(rowOf('a-park', '野生动物疫源疫病监测日报').slice(4)).toEqual(['未报', '按时 09:40', ...missing])
    // units only appear for the daily forms they owe
    expect(rowOf('b-office', '野生动物疫源疫病监测日报')).toEqual([])
  })

  it('agrees with GET /api/status for every unit on every day', async () => {
    const words = { on_time: '按时', late: '迟报', missing: '未报' }
    for (const [column, date] of (rows[0] as string[]).slice(4).entries()) {
      const res = await h.app.request(`/api/status?date=${date}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
      const status = (await res.json()) as { forms: { formId: string; units: { unitId: string; status: keyof typeof words }[] }[] }
      for (const form of status.forms) {
        const title = h.forms.get(form.formId)?.title.zh as string
        for (const unit of form.units) {
          expect(String(rowOf(unit.unitId, title)[4 + column]), `${date} ${unit.unitId} ${form.formId}`).toMatch(
            new RegExp(`^${words[unit.status]}`),
          )
        }
      }
    }
  })

  it("gives the day's totals leaders watch and how many units reported", () => {
    expect(rowNamed('发热或呼吸道症状', '人员健康日报').slice(4, 6)).toEqual([3, 0])
    expect(rowNamed('疑似或确诊', '人员健康日报').slice(4, 6)).toEqual([1, 0])
    expect(rowNamed('野生动物异常（单位数）', '野生动物疫源疫病监测日报').slice(4, 6)).toEqual([0, 1])
    expect(rowNamed('野生动物死亡数', '野生动物疫源疫病监测日报').slice(4, 6)).toEqual([0, 3])
    expect(rowNamed('工地健康异常人数', '重点工程施工现场日报').slice(4, 6)).toEqual([0, 0])
    expect(rowNamed('已报/应报', '人员健康日报').slice(4, 7)).toEqual(['2/3', '2/3', '0/3'])
  })

  it('is written to the leaders workbook by the sweep, below a frozen header', async () => {
    const deps = {
      ...h.stores,
      forms: h.forms,
      sink: h.sink,
      timeZone: TIME_ZONE,
      log: silentLogger,
      computedTabs: [overviewTab(statusDeps())],
    }

    await mirrorPass(deps, { refresh: true, now: h.clock.now() })

    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(h.sink.path)
    expect(workbook.getWorksheet(OVERVIEW_TAB)?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
    const tab = (await readWorkbook(h.sink.path)).get(OVERVIEW_TAB) ?? []
    expect(tab[0]).toEqual(overviewLayout.header)
    const cell = (v: unknown) => (v === undefined || v === null ? '' : v)
    const trim = (r: unknown[]) =>
      r
        .map(cell)
        .join('\u0000')
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the padding NULs of a fixed-width field
        .replace(/\u0000+$/, '')
    expect(tab.slice(1).map(trim)).toEqual(rows.map(trim))
  })

  it('reads as leaders need it in the workbook: first, labelled, fitted, coloured, keys out of sight', async () => {
    const deps = {
      ...h.stores,
      forms: h.forms,
      sink: h.sink,
      timeZone: TIME_ZONE,
      log: silentLogger,
      computedTabs: [overviewTab(statusDeps())],
    }
    await mirrorPass(deps, { refresh: true, now: h.clock.now() })
    await rebuildSheet(deps, h.clock.now())

    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(h.sink.path)
    const visible = workbook.worksheets.filter((s) => s.state === 'visible').map((s) => s.name)
    expect(visible.slice(0, 1 + h.forms.all.length)).toEqual([OVERVIEW_TAB, ...h.forms.all.map((f) => f.tab)])
    // exceljs keeps the rules on a field its types leave out
    const overview = workbook.getWorksheet(OVERVIEW_TAB) as ExcelJS.Worksheet & {
      conditionalFormattings: ExcelJS.ConditionalFormattingOptions[]
    }
    expect(overview.views[0]).toMatchObject({ state: 'frozen', xSplit: 1, ySplit: 1 })
    expect(overview.getRow(1).getCell(5).value).toBe('今天')
    // the column keys live on a tab leaders do not see, one row per tab
    const keys = workbook.getWorksheet(KEYS_TAB)!
    expect(keys.state).toBe('veryHidden')
    expect((keys.getRow(1).values as unknown[]).slice(1)).toEqual([OVERVIEW_TAB, ...overviewLayout.keys])
    // 野生动物异常（单位数） is 11 wide characters: 22 narrow ones, and padding
    expect(overview.getColumn(1).width).toBe(24)
    const rules = overview.conditionalFormattings.map((f) => [f.ref, (f.rules[0] as { formulae: string[] }).formulae[0]])
    expect(rules).toEqual([
      ['E2:L1048576', 'LEFT(E2,2)="未报"'],
      ['E2:L1048576', 'LEFT(E2,2)="迟报"'],
      ['E2:L1048576', 'LEFT(E2,2)="按时"'],
    ])
    // a rebuild rewrote the rules rather than adding more
    expect(overview.conditionalFormattings).toHaveLength(3)
    // dates are dates: the health tab's 日期 and 提交时间
    const health = workbook.getWorksheet('人员健康日报')!
    const row = health.getRow(2)
    expect(row.getCell(2).value).toBeInstanceOf(Date)
    expect(row.getCell(2).numFmt).toBe('yyyy-mm-dd')
    expect(row.getCell(6).numFmt).toBe('yyyy-mm-dd hh:mm:ss')
    expect(typeof row.getCell(5).value).toBe('number')
  })
})
