/**
 * The sheet sinks, each driven through its real client against its test server (the Google
 * Sheets v4 one, the Feishu open-API one), with the real app and dynalite behind them. The
 * guarantees are the same scenarios for both; the layout each API can express is tested per sink.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFeishuSheetSink } from '#commons/adapters/feishu-sheets.ts'
import { emergencyTab } from '#commons/emergencies/sheet-tab.ts'
import { silentLogger } from '#commons/log.ts'
import type { RecordVersion } from '#commons/model.ts'
import { formTabLayout, MAX_CELL_CHARS } from '#commons/sheet/layout.ts'
import { type MirrorDeps, mirrorPass, rebuildSheet } from '#commons/sheet/mirror.ts'
import { overviewTab } from '#commons/sheet/overview.ts'
import { SheetWriteError } from '#commons/sheet/retry.ts'
import { dateSerial, type SheetSink, textWidth } from '#commons/sheet/sink.ts'
import { addUnit } from '#commons/units/roster.ts'
import { parseLocalConfig } from '../../functions/local/config.ts'
import { createLocalSystem } from '../../functions/local/system.ts'
import type { FeishuSheetsServer } from '../../testkit/feishu-sheets-server.ts'
import { emergencyRequest, healthReport, submission } from '../../testkit/fixtures.ts'
import { ADMIN_TOKEN, fixedClock, type Harness, startHarness, TIME_ZONE } from '../../testkit/harness.ts'
import { feishuSheet, googleSheet, type SheetUnderTest, type SinkTuning, sheetsUnderTest } from '../../testkit/sheet-sinks.ts'
import type { SheetsServer } from '../../testkit/sheets-server.ts'

const HEALTH = '人员健康日报'
const EMERGENCY = '应急请求'

let h: Harness
/** the sheet of the scenario running */
let sheet: SheetUnderTest

afterEach(async () => {
  await Promise.all([h.close(), sheet.close()])
})

const sinkOf = (tuning: SinkTuning = {}) => sheet.sink(tuning)

const mirrorDeps = (sink: SheetSink = sinkOf()): MirrorDeps => ({
  ...h.stores,
  forms: h.forms,
  sink,
  timeZone: TIME_ZONE,
  log: silentLogger,
})

async function mirrorAll(deps: MirrorDeps, limit?: number): Promise<void> {
  while ((await mirrorPass(deps, { now: h.clock.now(), ...(limit ? { limit } : {}) })).more);
}

/** The rows below the header that hold anything. */
const dataRowsOf = (tab: string) =>
  sheet
    .values(tab)
    .slice(1)
    .filter((row) => row.some((v) => v !== ''))

async function submit(formId: string, token: string, body: unknown): Promise<string> {
  const res = await h.app.request(`/api/forms/${formId}/submissions`, submission(token, body))
  expect(res.status, await res.clone().text()).toBeLessThan(300)
  return ((await res.json()) as { id: string }).id
}

/** Emergency requests from a few units: each one is its own record. */
async function emergencies(count: number, units = 10, prefix = 'unit'): Promise<string[]> {
  const tokens = await Promise.all(
    Array.from({ length: units }, (_, i) => h.unit(`${prefix}-${String(i).padStart(2, '0')}`, ['emergency'])),
  )
  const ids: string[] = []
  for (let start = 0; start < count; start += 25) {
    const batch = Array.from({ length: Math.min(25, count - start) }, (_, i) => start + i)
    ids.push(
      ...(await Promise.all(
        batch.map((n) => submit('emergency', tokens[n % units] as string, emergencyRequest({ description: `请求 #${n}` }))),
      )),
    )
  }
  return ids
}

function expectEachOnce(tab: string, ids: string[]): void {
  const column = dataRowsOf(tab).map((row) => row[0])
  expect(column).toHaveLength(ids.length)
  expect(new Set(column)).toEqual(new Set(ids))
}

const withComputedTabs = (sink: SheetSink = sinkOf()): MirrorDeps => ({
  ...mirrorDeps(sink),
  computedTabs: [
    overviewTab({ ...h.stores, forms: h.forms, timeZone: TIME_ZONE }),
    emergencyTab({ emergencies: h.emergencies, units: h.stores.units, forms: h.forms, timeZone: TIME_ZONE }),
  ],
})

describe('the Google Sheet', () => {
  let server: SheetsServer
  beforeEach(async () => {
    ;[h, sheet] = await Promise.all([startHarness(), googleSheet()])
    server = (sheet as SheetUnderTest & { server: SheetsServer }).server
  })

  describe('layout', () => {
    it('creates each form tab once, with the Chinese labels as header and the field ids as column metadata, frozen', async () => {
      const token = await h.unit('office', ['daily-health'])
      await submit('daily-health', token, healthReport())
      const deps = mirrorDeps()

      await mirrorAll(deps)
      await mirrorPass(deps, { refresh: true, now: h.clock.now() })

      const health = server.tabs().find((t) => t.title === HEALTH)
      expect(health).toMatchObject({ frozenRowCount: 1, frozenColumnCount: 1 })
      const layout = formTabLayout(h.forms.get('daily-health')!)
      expect(server.values(HEALTH)[0]).toEqual(layout.header)
      expect(server.values(HEALTH)[0]?.slice(0, 3)).toEqual(['记录ID', '日期', '单位'])
      const columnKeys = server
        .objects(HEALTH)
        .developerMetadata.filter((m) => m.metadataKey === 'sentinel.column')
        .map((m) => [(m.location as { dimensionRange: { startIndex: number } }).dimensionRange.startIndex, m.metadataValue])
      expect(columnKeys).toEqual(layout.keys.map((key, i) => [i, key]))
      expect(server.tabs().map((t) => t.title)).toEqual(expect.arrayContaining(h.forms.all.map((f) => f.tab)))
      // the tabs were added by the first pass only
      expect(server.requests.filter((r) => r.kind === 'spreadsheets.batchUpdate')).toHaveLength(1)
      expect(server.requests.some((r) => r.kind === 'values.append')).toBe(false)
    })
  })

  describe('a sheet made to be read', () => {
    it('puts 概览 first, then 应急 and the forms, with labels alone, fitted widths, colours and a warning-only protection', async () => {
      await addUnit(h.stores.units, h.forms, h.clock, { id: 'works', name: '中心工程管理科', forms: ['daily-health', 'emergency'] })
      const token = await h.unit('office', ['daily-health', 'emergency'])
      await submit('emergency', token, emergencyRequest())
      const deps = withComputedTabs()

      await mirrorPass(deps, { refresh: true, now: h.clock.now() })

      const titles = server.tabs().map((t) => t.title)
      expect(titles.slice(0, 2)).toEqual(['概览', '应急'])
      expect(titles.slice(2, 2 + h.forms.all.length)).toEqual(h.forms.all.map((f) => f.tab))
      expect(server.values('概览')[0]).toEqual([
        '单位/项目',
        '单位ID',
        '表单',
        '截止时间',
        '今天',
        '昨天',
        '2天前',
        '3天前',
        '4天前',
        '5天前',
        '6天前',
        '7天前',
      ])

      // widths fit the longest text, wide characters counted double (中心工程管理科: 14), plus padding
      const longest = Math.max(...server.values('概览').map((row) => textWidth(String(row[0]))))
      expect(longest).toBeGreaterThanOrEqual(14)
      expect(server.objects('概览').columnWidths[0]).toBe((longest + 2) * 7 + 8)
      expect(server.objects('应急').columnWidths[5]).toBe((19 + 2) * 7 + 8)
      const rules = server.objects('概览').conditionalFormats.map((r) => {
        const rule = r as {
          booleanRule: { condition: { values: { userEnteredValue: string }[] }; format: { backgroundColor: { red: number } } }
        }
        return [rule.booleanRule.condition.values[0]?.userEnteredValue, Math.round(rule.booleanRule.format.backgroundColor.red * 255)]
      })
      expect(rules).toEqual([
        ['未报', 248],
        ['迟报', 255],
        ['按时', 198],
      ])
      const [emergencyRule] = server.objects('应急').conditionalFormats as { ranges: { startColumnIndex: number }[] }[]
      expect(emergencyRule?.ranges[0]?.startColumnIndex).toBe(1)
      for (const tab of ['概览', '应急', HEALTH]) {
        expect(server.objects(tab).protectedRanges, tab).toEqual([
          expect.objectContaining({ warningOnly: true, range: { sheetId: expect.any(Number) } }),
        ])
        expect(
          server.tabs().find((t) => t.title === tab),
          tab,
        ).toMatchObject({ frozenRowCount: 1, frozenColumnCount: 1 })
      }
      expect(server.formatAt('应急', 'F2')).toEqual({ numberFormat: { type: 'DATE_TIME', pattern: 'yyyy-mm-dd hh:mm:ss' } })
    })

    it('writes the layout once: later passes cost no structure request', async () => {
      const token = await h.unit('office', ['daily-health'])
      await submit('daily-health', token, healthReport())
      const deps = withComputedTabs()
      await mirrorPass(deps, { refresh: true, now: h.clock.now() })
      const structure = () => server.requests.filter((r) => r.kind === 'spreadsheets.batchUpdate').length
      expect(structure()).toBe(1)

      await submit('daily-health', token, healthReport({ onDuty: 29 }))
      await mirrorAll(deps)
      await mirrorPass(deps, { refresh: true, now: h.clock.now() })

      expect(structure()).toBe(1)
    })

    it('moves tabs of an older sheet into order and lays them out on the first pass, once', async () => {
      const token = await h.unit('office', ['daily-health'])
      await submit('daily-health', token, healthReport())
      // an older mirror wrote the tabs without a layout
      const bare = { ...withComputedTabs(), computedTabs: [] }
      await mirrorAll(bare)
      await mirrorPass(withComputedTabs(), { refresh: true, now: h.clock.now() })
      await mirrorPass(withComputedTabs(), { refresh: true, now: h.clock.now() })

      expect(server.tabs()[0]?.title).toBe('概览')
      expect(server.objects(HEALTH).protectedRanges).toHaveLength(1)
      expect(server.objects(HEALTH).developerMetadata.filter((m) => m.metadataKey === 'sentinel.layout')).toHaveLength(1)
    })
  })
})

describe('the Feishu sheet', () => {
  let server: FeishuSheetsServer
  beforeEach(async () => {
    ;[h, sheet] = await Promise.all([startHarness(), feishuSheet()])
    server = (sheet as SheetUnderTest & { server: FeishuSheetsServer }).server
  })

  it('puts 概览 first, then 应急 and the forms, frozen, with a styled header, fitted widths, date formats and colours', async () => {
    await addUnit(h.stores.units, h.forms, h.clock, { id: 'works', name: '中心工程管理科', forms: ['daily-health', 'emergency'] })
    const token = await h.unit('office', ['daily-health', 'emergency'])
    await submit('emergency', token, emergencyRequest())
    await mirrorPass(withComputedTabs(), { refresh: true, now: h.clock.now() })

    const titles = sheet.titles()
    expect(titles.slice(0, 2)).toEqual(['概览', '应急'])
    expect(titles.slice(2, 2 + h.forms.all.length)).toEqual(h.forms.all.map((f) => f.tab))
    for (const tab of server.tabs().filter((t) => t.title !== 'Sheet1'))
      expect(tab, tab.title).toMatchObject({ frozenRowCount: 1, frozenColCount: 1 })
    expect(server.styleAt('概览', 'A1')).toMatchObject({ font: { bold: true }, backColor: '#e8eaed' })
    expect(server.styleAt('概览', 'A2')).toEqual({})
    const longest = Math.max(...server.values('概览').map((row) => textWidth(String(row[0]))))
    expect(longest).toBeGreaterThanOrEqual(14)
    expect(server.objects('概览').columnWidths[0]).toBe((longest + 2) * 7 + 8)
    expect(server.objects('应急').columnWidths[5]).toBe((19 + 2) * 7 + 8)
    expect(server.styleAt('应急', 'F2')).toEqual({ formatter: 'yyyy-MM-dd HH:mm:ss' })
    const rules = server
      .objects('概览')
      .conditionFormats.map((f) => [(f.attrs as { text: string }[])[0]?.text, (f.style as { back_color: string }).back_color])
    expect(rules).toEqual([
      ['未报', '#f8d7da'],
      ['迟报', '#ffeb9c'],
      ['按时', '#c6efce'],
    ])
  })

  it('writes the layout once per process and fetches one token for many passes', async () => {
    const token = await h.unit('office', ['daily-health'])
    await submit('daily-health', token, healthReport())
    const deps = withComputedTabs()
    await mirrorPass(deps, { refresh: true, now: h.clock.now() })
    const structure = () =>
      server.requests.filter((r) => r.kind !== 'values_batch_update' && r.kind !== 'token' && r.method !== 'GET').length
    const first = structure()
    expect(first).toBeGreaterThan(0)

    await submit('daily-health', token, healthReport({ onDuty: 29 }))
    await mirrorAll(deps)
    await mirrorPass(deps, { refresh: true, now: h.clock.now() })

    expect(structure()).toBe(first)
    expect(server.tokensIssued()).toBe(1)
    expect(server.requests.some((r) => r.kind === 'values_append')).toBe(false)
  })

  it('fetches a new token once when Feishu no longer takes the one it holds (99991663)', async () => {
    const token = await h.unit('office', ['daily-health'])
    await submit('daily-health', token, healthReport({ onDuty: 30 }))
    const deps = mirrorDeps()
    await mirrorAll(deps)
    server.revokeTokens()

    await submit('daily-health', token, healthReport({ onDuty: 29 }))
    await mirrorAll(deps)

    expect(dataRowsOf(HEALTH)[0]?.[8]).toBe(29)
    expect(server.tokensIssued()).toBe(2)
    expect(server.requests.filter((r) => r.code === 99991663)).toHaveLength(1)
  })

  it('refuses a wrong app secret at once, naming the app credentials', async () => {
    await submit('daily-health', await h.unit('office', ['daily-health']), healthReport())
    const wrong = createFeishuSheetSink({
      spreadsheetToken: server.spreadsheetToken,
      appId: server.appId,
      appSecret: 'not-the-secret',
      apiUrl: server.url,
      log: silentLogger,
      baseBackoffMs: 1,
    })
    const failure = await mirrorPass(mirrorDeps(wrong), { now: h.clock.now() }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(SheetWriteError)
    expect(failure).toMatchObject({ status: 401, fix: expect.stringContaining('FEISHU_APP_SECRET') })
    expect(server.requests.filter((r) => r.kind === 'token')).toHaveLength(1)
  })

  it('formats the dates of rows past a new tab’s 200, once the grid has grown', async () => {
    const deps = mirrorDeps()
    await emergencies(5)
    await mirrorAll(deps) // laid out with the new tab's 200 rows
    await emergencies(205, 10, 'more')
    await mirrorAll(deps) // grows the grid

    const rows = server.displayed(EMERGENCY)
    expect(rows).toHaveLength(211)
    expect(server.tabs().find((t) => t.title === EMERGENCY)?.rowCount).toBeGreaterThan(211)
    expect(rows[210]?.[5]).toMatch(/^2026-11-28 \d\d:\d\d:\d\d$/)
  }, 60_000)

  it('keeps each write within 5,000 rows when a rebuild replaces a long tab', async () => {
    const ids = await emergencies(60)
    await mirrorAll(mirrorDeps(sinkOf({ maxRequestBytes: 1_800_000 })))
    const small = createFeishuSheetSink({
      spreadsheetToken: server.spreadsheetToken,
      appId: server.appId,
      appSecret: server.appSecret,
      apiUrl: server.url,
      log: silentLogger,
      minWriteIntervalMs: 0,
      maxRowsPerWrite: 25,
    })
    const before = sheet.writes().values
    await rebuildSheet(mirrorDeps(small), h.clock.now())

    expectEachOnce(EMERGENCY, ids)
    // every write request the server took held at most 25 rows (the limit scaled down): several were needed
    expect(sheet.writes().values - before).toBeGreaterThan(3)
    expect(server.requests.filter((r) => r.kind === 'values_batch_update' && r.code !== 0)).toEqual([])
  })
})

describe.each(sheetsUnderTest)('the $name sheet, as the mirror writes it', ({ start }) => {
  beforeEach(async () => {
    ;[h, sheet] = await Promise.all([startHarness(), start()])
  })

  describe('keyed rows', () => {
    it('rewrites its own row when a unit resubmits', async () => {
      const token = await h.unit('office', ['daily-health'])
      const id = await submit('daily-health', token, healthReport({ onDuty: 30 }))
      await mirrorAll(mirrorDeps())

      await submit('daily-health', token, healthReport({ onDuty: 29 }))
      await mirrorAll(mirrorDeps())

      const rows = dataRowsOf(HEALTH)
      expect(rows).toHaveLength(1)
      // the date is a real date: the sheet's serial day number, shown as 2026-11-28 by the column's format
      expect(rows[0]?.slice(0, 5)).toEqual([id, dateSerial('2026-11-28'), '单位 office', 'office', 2])
      expect(sheet.displayed(HEALTH)[1]?.slice(1, 2)).toEqual(['2026-11-28'])
      expect(sheet.displayed(HEALTH)[1]?.[5]).toMatch(/^2026-11-28 \d\d:\d\d:\d\d$/)
      expect(rows[0]?.[8]).toBe(29)
    })

    it('gives no duplicate and no lost row when two mirror passes race', async () => {
      const ids = await emergencies(60)
      const one = mirrorDeps(sinkOf())
      const other = mirrorDeps(sinkOf())

      await Promise.all([mirrorAll(one, 25), mirrorAll(other, 40), mirrorAll(one, 60)])

      // a row reserved by the pass that lost a claim stays blank; the record has exactly one row
      expectEachOnce(EMERGENCY, ids)
      expect(await h.stores.records.pendingMirror(1000)).toEqual([])
    })

    it('leaves no older version over a newer row when a slow pass lands last', async () => {
      const token = await h.unit('office', ['daily-health'])
      await submit('daily-health', token, healthReport({ onDuty: 30 }))
      const inner = sinkOf()
      let release = () => {}
      let arrived = () => {}
      const gate = new Promise<void>((resolve) => (release = resolve))
      const atGate = new Promise<void>((resolve) => (arrived = resolve))
      const slow = mirrorDeps({
        apply: async (batch) => {
          arrived()
          await gate
          return inner.apply(batch)
        },
      })
      const slowPass = mirrorPass(slow, { now: h.clock.now() })
      await atGate // the slow pass holds version 1

      await submit('daily-health', token, healthReport({ onDuty: 29 }))
      await mirrorAll(mirrorDeps())
      release()
      await slowPass

      const rows = dataRowsOf(HEALTH)
      expect(rows).toHaveLength(1)
      expect(rows[0]?.[4]).toBe(2) // version
      expect(rows[0]?.[8]).toBe(29)
    })
  })

  describe('user text is stored as text', () => {
    it('keeps a typed =HYPERLINK as text and neutralises leading = + - @', async () => {
      const typed = ['=HYPERLINK("http://evil.example","点我")', '+86 10 1234', '-1 人', '@所有人']
      const tokens = await Promise.all(typed.map((_, i) => h.unit(`u${i}`, ['daily-health'])))
      await Promise.all(typed.map((notes, i) => submit('daily-health', tokens[i] as string, healthReport({ notes }))))

      await mirrorAll(mirrorDeps())

      const notesColumn = formTabLayout(h.forms.get('daily-health')!).keys.indexOf('notes')
      expect(
        dataRowsOf(HEALTH)
          .map((r) => r[notesColumn])
          .sort(),
      ).toEqual(typed.map((t) => `'${t}`).sort())
      expect(sheet.formulas(HEALTH)).toEqual([])
    })

    it('cuts a 60,000-character text at the cell limit with a visible mark', async () => {
      await addUnit(h.stores.units, h.forms, h.clock, { id: 'long', name: '长文本单位', forms: ['daily-health'] })
      const at = h.clock.now().toISOString()
      const record: RecordVersion = {
        recordId: 'daily-health.2026-11-28.long',
        formId: 'daily-health',
        unitId: 'long',
        date: '2026-11-28',
        version: 1,
        values: healthReport({ notes: '长'.repeat(60_000) }),
        receivedAt: at,
        firstReceivedAt: at,
        idempotencyKey: 'long-1',
        pendingMirror: true,
        pendingAlert: false,
      }
      await h.stores.records.putVersion(record)

      await mirrorAll(mirrorDeps())

      const notes = dataRowsOf(HEALTH)[0]?.find((v) => typeof v === 'string' && v.startsWith('长长'))
      expect(notes).toHaveLength(MAX_CELL_CHARS)
      expect(notes).toMatch(/…\[已截断 truncated\]$/)
    })
  })

  describe('faults', () => {
    it('honours the wait a rate limit asks for, retries 5xx, and loses nothing', async () => {
      const ids = await emergencies(30)
      const waits: number[] = []
      const deps = mirrorDeps(sinkOf({ sleep: async (ms) => void waits.push(ms) }))
      sheet.failNext(1, { kind: 'rate-limit', waitS: 7 }, 'values')
      sheet.failNext(1, { kind: 'server', status: 503 }, 'values')
      sheet.failNext(1, { kind: 'server', status: 500 }, 'read')

      await mirrorAll(deps)

      expectEachOnce(EMERGENCY, ids)
      expect(waits).toHaveLength(3)
      expect(Math.max(...waits)).toBeGreaterThanOrEqual(7000)
      expect(sheet.failedRequests()).toHaveLength(3)
    })

    it('keeps the marks when the retry cap is hit, and the next pass finishes', async () => {
      const ids = await emergencies(20)
      const deps = mirrorDeps(sinkOf({ maxRetries: 2 }))
      sheet.failNext(3, { kind: 'server', status: 503 }, 'values')

      await expect(mirrorPass(deps, { now: h.clock.now() })).rejects.toBeInstanceOf(SheetWriteError)
      expect(await h.stores.records.pendingMirror(1000)).toHaveLength(20)

      await mirrorAll(deps)
      expectEachOnce(EMERGENCY, ids)
      expect(await h.stores.records.pendingMirror(1000)).toEqual([])
    })

    it('gives up at once when the rate limit asks for longer than the retry budget', async () => {
      await emergencies(5)
      const waits: number[] = []
      const deps = mirrorDeps(sinkOf({ retryBudgetMs: 60_000, sleep: async (ms) => void waits.push(ms) }))
      sheet.failNext(1, { kind: 'rate-limit', waitS: 120 }, 'values')

      await expect(mirrorPass(deps, { now: h.clock.now() })).rejects.toThrow(/marks stay/)

      expect(waits).toEqual([])
      expect(await h.stores.records.pendingMirror(1000)).toHaveLength(5)
    })

    it('gives exact rows when a fifth of the requests fail or time out', async () => {
      const ids = await emergencies(120)
      const deps = mirrorDeps(sinkOf({ timeoutMs: 200, maxRetries: 1 }))
      let seed = 7
      const random = () => {
        seed = (seed * 48271) % 2147483647
        return seed / 2147483647
      }
      let failedPasses = 0

      for (let pass = 0; pass < 200 && (await h.stores.records.pendingMirror(1)).length > 0; pass++) {
        const roll = random()
        if (roll < 0.1) {
          const status = [429, 500, 503][pass % 3] as number
          sheet.failNext(1, status === 429 ? { kind: 'rate-limit' } : { kind: 'server', status })
        } else if (roll < 0.2) sheet.delayNext(1, 400) // the write happens; the answer comes too late
        await mirrorPass(deps, { limit: 15, now: h.clock.now() }).catch(() => void failedPasses++)
      }

      expectEachOnce(EMERGENCY, ids)
      expect(failedPasses).toBeLessThan(200)
      expect(sheet.failedRequests().length).toBeGreaterThan(0)
    })
  })

  describe('batching', () => {
    it('mirrors a burst of 1,000 submissions in at most 20 value writes', async () => {
      const ids = await emergencies(1000, 20)

      await mirrorAll(mirrorDeps())

      expectEachOnce(EMERGENCY, ids)
      expect(sheet.writes().values).toBeLessThanOrEqual(20)
      // Google: with the layout, still 20 in all. Feishu lays a tab out in several calls, once per process:
      // a width per run of equal columns, and a few per tab (add, order and freeze, styles, grow, colours)
      const layoutCalls = h.forms.all.reduce((n, form) => n + formTabLayout(form).header.length + 5, 0)
      expect(sheet.writes().all).toBeLessThanOrEqual(sheet.name === 'Google' ? 20 : 20 + layoutCalls)
    }, 60_000)

    it('splits a batch into requests under the byte budget', async () => {
      const ids = await emergencies(40)

      await mirrorAll(mirrorDeps(sinkOf({ maxRequestBytes: 8_000 })))

      expectEachOnce(EMERGENCY, ids)
      expect(sheet.writes().values).toBeGreaterThan(1)
    })
  })

  describe('sheet rebuild through the admin API of the local system', () => {
    it('repairs a hand-edited sheet, and a second rebuild changes nothing', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'sentinel-sheet-'))
      const config = parseLocalConfig({ DATA_DIR: dataDir, ADMIN_TOKEN, ...sheet.env })
      const clock = fixedClock('2026-11-28T02:00:00Z')
      const system = await createLocalSystem(config, { log: silentLogger, clock, publicUrl: 'http://forms.test', workers: false })
      try {
        const tokens = await Promise.all(
          ['a', 'b', 'c'].map(
            async (id) =>
              (await addUnit(system.stores.units, system.forms, clock, { id, name: `单位 ${id}`, forms: ['daily-health'] })).token,
          ),
        )
        for (const token of tokens) {
          const res = await system.app.request('/api/forms/daily-health/submissions', submission(token, healthReport()))
          expect(res.status).toBe(201)
        }
        await system.mirror.drain()
        const tabs = sheet.titles()
        const good = new Map(tabs.map((t) => [t, sheet.values(t)]))
        expect(good.get(HEALTH)).toHaveLength(4)
        expect(good.get('概览')?.length).toBeGreaterThan(1)

        sheet.editByHand(HEALTH, 1, ['记录'])
        sheet.editByHand(HEALTH, 3, ['=HYPERLINK("http://x","改过")', '2026-01-01'])
        sheet.editByHand(HEALTH, 9, ['多出来的一行'])
        const rebuild = () =>
          system.app.request('/api/admin/sheet/rebuild', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })

        expect((await rebuild()).status).toBe(200)
        const repaired = new Map(tabs.map((t) => [t, sheet.values(t)]))
        expect(repaired).toEqual(good)
        expect(sheet.formulas(HEALTH)).toEqual([])
        const afterFirst = layoutObjects(sheet)

        expect((await rebuild()).status).toBe(200)
        expect(new Map(tabs.map((t) => [t, sheet.values(t)]))).toEqual(repaired)
        expect(sheet.titles()).toEqual(tabs)
        // the layout was written again, replacing the old one: each thing once per tab
        expect(layoutObjects(sheet)).toEqual(afterFirst)
        expectLayoutOnce(sheet, tabs)
      } finally {
        await system.close()
        await rm(dataDir, { recursive: true, force: true })
      }
    }, 30_000)
  })
})

/** what a rebuild writes besides values, as each API keeps it: ids stay, nothing doubles */
function layoutObjects(of: SheetUnderTest): unknown {
  if (of.name === 'Google') {
    const server = (of as SheetUnderTest & { server: SheetsServer }).server
    return { charts: server.objects('趋势').charts.map((c) => c.chartId), overview: server.objects('概览').conditionalFormats.length }
  }
  const server = (of as SheetUnderTest & { server: FeishuSheetsServer }).server
  return { overview: server.objects('概览').conditionFormats.map((f) => [f.ranges, f.attrs]), widths: server.objects(HEALTH).columnWidths }
}

function expectLayoutOnce(of: SheetUnderTest, tabs: string[]): void {
  if (of.name === 'Google') {
    const server = (of as SheetUnderTest & { server: SheetsServer }).server
    for (const tab of tabs.filter((t) => t !== 'Sheet1')) {
      const objects = server.objects(tab)
      expect(objects.protectedRanges, tab).toHaveLength(1)
      expect(
        objects.developerMetadata.filter((m) => m.metadataKey === 'sentinel.layout'),
        tab,
      ).toHaveLength(1)
      const columns = objects.developerMetadata.filter((m) => m.metadataKey === 'sentinel.column').map((m) => m.metadataValue)
      expect(new Set(columns).size, tab).toBe(columns.length)
    }
    expect(server.objects('概览').conditionalFormats).toHaveLength(3)
    // native charts on the 趋势 tab: one per daily form and one of the totals, each once, updated in place
    const charts = server.objects('趋势').charts as { chartId: number; spec: { title: string } }[]
    const titles = charts.map((c) => c.spec.title)
    expect(titles).toHaveLength(h.forms.all.filter((f) => f.kind === 'daily').length + 1)
    expect(new Set(titles).size).toBe(titles.length)
    expect(titles).toContain('人员健康日报 报送率与按时率（近14天）')
    expect(server.values('趋势')).toHaveLength(15)
    return
  }
  const server = (of as SheetUnderTest & { server: FeishuSheetsServer }).server
  expect(server.objects('概览').conditionFormats).toHaveLength(3)
  for (const tab of server.tabs().filter((t) => t.title !== 'Sheet1'))
    expect(tab, tab.title).toMatchObject({ frozenRowCount: 1, frozenColCount: 1 })
  expect(server.values('趋势')).toHaveLength(15)
}
