/**
 * The Feishu Sheets test server answers as Feishu's open API documents: the token endpoint, the
 * bearer check and its codes, the v2 paths with `<sheetId>!A1:B2` ranges, the write limits, and
 * the injected rate limits and refusals. Driven over plain HTTP, as the sink drives it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type FeishuSheetsServer, startFeishuSheetsServer } from '../../testkit/feishu-sheets-server.ts'

let server: FeishuSheetsServer
let clock: number

beforeEach(async () => {
  clock = Date.parse('2026-11-28T02:00:00Z')
  server = await startFeishuSheetsServer({ tabs: ['Sheet1'], now: () => clock })
})
afterEach(async () => {
  await server.close()
})

interface Answer {
  status: number
  code: number
  msg: string
  data: Record<string, unknown>
  headers: Headers
  body: Record<string, unknown>
}

async function call(method: string, path: string, body?: unknown, token?: string | null): Promise<Answer> {
  const bearer = token === undefined ? await tenantToken() : token
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json; charset=utf-8', ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
  const json = (await res.json()) as Record<string, unknown>
  return {
    status: res.status,
    code: json.code as number,
    msg: json.msg as string,
    data: (json.data ?? {}) as Record<string, unknown>,
    headers: res.headers,
    body: json,
  }
}

async function tokenAnswer(appSecret = server.appSecret) {
  const res = await fetch(`${server.url}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ app_id: server.appId, app_secret: appSecret }),
  })
  return { status: res.status, ...((await res.json()) as { code: number; tenant_access_token?: string; expire?: number }) }
}

const tenantToken = async () => (await tokenAnswer()).tenant_access_token as string
const sheets = (path: string) => `/open-apis/sheets/v2/spreadsheets/${server.spreadsheetToken}/${path}`
const firstSheetId = () => server.tabs()[0]?.sheetId as string

describe('the tenant_access_token', () => {
  it('is issued for the app id and secret, lasts two hours, and is renewed only in its last half hour', async () => {
    const first = await tokenAnswer()
    expect(first).toMatchObject({ status: 200, code: 0, expire: 7200 })
    expect(first.tenant_access_token).toMatch(/^t-/)
    clock += 60 * 60_000
    expect(await tokenAnswer()).toMatchObject({ tenant_access_token: first.tenant_access_token, expire: 3600 })
    clock += 31 * 60_000
    const renewed = await tokenAnswer()
    expect(renewed.tenant_access_token).not.toBe(first.tenant_access_token)
    // the old token stays valid until it expires
    expect((await call('GET', sheets('metainfo'), undefined, first.tenant_access_token)).code).toBe(0)
    clock += 30 * 60_000
    expect((await call('GET', sheets('metainfo'), undefined, first.tenant_access_token)).code).toBe(99991663)
    expect(server.tokensIssued()).toBe(2)
  })

  it('is refused for a wrong secret', async () => {
    expect(await tokenAnswer('wrong')).toMatchObject({ status: 400, code: 10014 })
  })

  it('is checked on every sheets call with Feishu’s codes', async () => {
    expect(await call('GET', sheets('metainfo'), undefined, null)).toMatchObject({ status: 400, code: 99991661 })
    expect(await call('GET', sheets('metainfo'), undefined, 'abc')).toMatchObject({ status: 400, code: 99991671 })
    expect(await call('GET', sheets('metainfo'), undefined, 't-unknown')).toMatchObject({ status: 400, code: 99991663 })
    const token = await tenantToken()
    server.revokeTokens()
    expect((await call('GET', sheets('metainfo'), undefined, token)).code).toBe(99991663)
  })
})

describe('the v2 sheets paths', () => {
  it('adds, moves and freezes tabs, grows grids, and writes and reads keyed ranges', async () => {
    const added = await call('POST', sheets('sheets_batch_update'), {
      requests: [{ addSheet: { properties: { title: '应急', index: 0 } } }],
    })
    expect(added.code).toBe(0)
    const reply = (added.data.replies as { addSheet: { properties: { sheetId: string; title: string; index: number } } }[])[0]
    const id = reply?.addSheet.properties.sheetId as string
    expect(reply?.addSheet.properties).toEqual({ sheetId: id, title: '应急', index: 0 })
    expect((await call('POST', sheets('sheets_batch_update'), { requests: [{ addSheet: { properties: { title: '应急' } } }] })).code).toBe(
      90210,
    )

    const meta = await call('GET', sheets('metainfo'))
    expect(meta.data.sheets).toEqual([
      expect.objectContaining({
        sheetId: id,
        title: '应急',
        index: 0,
        rowCount: 200,
        columnCount: 20,
        frozenRowCount: 0,
        frozenColCount: 0,
      }),
      expect.objectContaining({ title: 'Sheet1', index: 1 }),
    ])

    await call('POST', sheets('sheets_batch_update'), {
      requests: [{ updateSheet: { properties: { sheetId: id, frozenRowCount: 1, frozenColCount: 1 } } }],
    })
    expect(server.tabs()[0]).toMatchObject({ frozenRowCount: 1, frozenColCount: 1 })

    // outside the grid: refused until the grid grows
    expect(
      (await call('POST', sheets('values_batch_update'), { valueRanges: [{ range: `${id}!A201:B201`, values: [['x', 1]] }] })).code,
    ).toBe(90202)
    expect((await call('POST', sheets('dimension_range'), { dimension: { sheetId: id, majorDimension: 'ROWS', length: 800 } })).code).toBe(
      0,
    )
    const written = await call('POST', sheets('values_batch_update'), {
      valueRanges: [
        { range: `${id}!A1:B1`, values: [['记录ID', '日期']] },
        { range: `${id}!A201:C201`, values: [['r-1', 46_354, { type: 'formula', text: '=B201+1' }]] },
      ],
    })
    expect(written.code).toBe(0)
    expect((written.data.responses as { updatedRange: string }[])[1]?.updatedRange).toBe(`${id}!A201:C201`)
    expect(server.formulas('应急')).toEqual([{ a1: 'C201', formula: '=B201+1' }])

    const read = await call('GET', `${sheets('values_batch_get')}?ranges=${id}!A201:C201,${id}!A1:A1&valueRenderOption=Formula`)
    expect((read.data.valueRanges as { values: unknown[][] }[]).map((v) => v.values)).toEqual([[['r-1', 46_354, '=B201+1']], [['记录ID']]])
    // a range smaller than the values is refused
    expect(
      (await call('POST', sheets('values_batch_update'), { valueRanges: [{ range: `${id}!A2:A2`, values: [['a', 'b']] }] })).code,
    ).toBe(90202)
    expect((await call('POST', sheets('values_batch_update'), { valueRanges: [{ range: 'nosuch!A1:A1', values: [['a']] }] })).code).toBe(
      90215,
    )
  })

  it('sets widths with 1-based inclusive indexes, styles, and condition formats', async () => {
    const id = firstSheetId()
    await call('PUT', sheets('dimension_range'), {
      dimension: { sheetId: id, majorDimension: 'COLUMNS', startIndex: 2, endIndex: 3 },
      dimensionProperties: { fixedSize: 150 },
    })
    expect(server.objects('Sheet1').columnWidths.slice(0, 4)).toEqual([100, 150, 150, 100])
    await call('PUT', sheets('styles_batch_update'), { data: [{ ranges: [`${id}!B2:B200`], style: { formatter: 'yyyy-MM-dd' } }] })
    await call('POST', sheets('values_batch_update'), { valueRanges: [{ range: `${id}!B2:B2`, values: [[46_354]] }] })
    expect(server.displayed('Sheet1')[1]).toEqual(['', '2026-11-28'])
    // a style range is at most 5,000 rows
    await call('POST', sheets('dimension_range'), { dimension: { sheetId: id, majorDimension: 'ROWS', length: 5000 } })
    expect(
      (await call('PUT', sheets('styles_batch_update'), { data: [{ ranges: [`${id}!B2:B5200`], style: { formatter: 'yyyy-MM-dd' } }] }))
        .code,
    ).toBe(90226)

    const created = await call('POST', sheets('condition_formats/batch_create'), {
      sheet_condition_formats: [
        {
          sheet_id: id,
          condition_format: {
            ranges: [`${id}!B2:C`],
            rule_type: 'containsText',
            attrs: [{ operator: 'beginsWith', text: '未报' }],
            style: { back_color: '#f8d7da' },
          },
        },
      ],
    })
    const cfId = (created.data.responses as { cf_id: string }[])[0]?.cf_id
    const listed = await call('GET', `${sheets('condition_formats')}?sheet_ids=${id}`)
    expect(listed.data.sheet_condition_formats).toEqual([
      { sheet_id: id, condition_format: expect.objectContaining({ cf_id: cfId, rule_type: 'containsText' }) },
    ])
    await call('DELETE', sheets('condition_formats/batch_delete'), { sheet_cf_ids: [{ sheet_id: id, cf_id: cfId }] })
    expect(server.objects('Sheet1').conditionFormats).toEqual([])
  })
})

describe('limits and refusals', () => {
  it('refuses more than 5,000 rows or 100 columns per write, a cell over 50,000 characters, and booleans', async () => {
    const id = firstSheetId()
    await call('POST', sheets('dimension_range'), { dimension: { sheetId: id, majorDimension: 'ROWS', length: 5000 } })
    await call('POST', sheets('dimension_range'), { dimension: { sheetId: id, majorDimension: 'COLUMNS', length: 100 } })
    const rows = Array.from({ length: 5001 }, () => ['x'])
    expect((await call('POST', sheets('values_batch_update'), { valueRanges: [{ range: `${id}!A1:A5001`, values: rows }] })).code).toBe(
      90226,
    )
    const wide = [Array.from({ length: 101 }, () => 1)]
    expect((await call('POST', sheets('values_batch_update'), { valueRanges: [{ range: `${id}!A1:CW1`, values: wide }] })).code).toBe(90226)
    expect(
      (await call('POST', sheets('values_batch_update'), { valueRanges: [{ range: `${id}!A1:A1`, values: [['长'.repeat(50_001)]] }] }))
        .code,
    ).toBe(90222)
    expect((await call('POST', sheets('values_batch_update'), { valueRanges: [{ range: `${id}!A1:A1`, values: [[true]] }] })).code).toBe(
      90204,
    )
    expect((await call('POST', sheets('values_batch_update'), '{not json')).code).toBe(90201)
    expect(server.values('Sheet1')).toEqual([])
  })

  it('answers an injected rate limit with 429, code 99991400 and x-ogw-ratelimit-reset, and refusals with their codes', async () => {
    server.failNext(1, { resetS: 3, kind: 'values_batch_update' })
    const limited = await call('POST', sheets('values_batch_update'), {
      valueRanges: [{ range: `${firstSheetId()}!A1:A1`, values: [['x']] }],
    })
    expect(limited).toMatchObject({ status: 429, code: 99991400 })
    expect(limited.headers.get('x-ogw-ratelimit-reset')).toBe('3')
    expect(server.values('Sheet1')).toEqual([])

    server.failNext(1, { code: 90213 })
    expect(await call('GET', sheets('metainfo'))).toMatchObject({
      status: 400,
      code: 90213,
      msg: expect.stringContaining('PermissionFail'),
    })
    expect((await call('GET', '/open-apis/sheets/v2/spreadsheets/shtcnOther/metainfo')).code).toBe(90214)
  })

  it('limits requests per second when asked', async () => {
    server.setRateLimit(2)
    const token = await tenantToken()
    const codes = []
    for (let i = 0; i < 3; i++) codes.push((await call('GET', sheets('metainfo'), undefined, token)).code)
    expect(codes).toEqual([0, 0, 99991400])
    clock += 1000
    expect((await call('GET', sheets('metainfo'), undefined, token)).code).toBe(0)
  })

  it('keeps what was written when values_append adds below the data (the sink never uses it)', async () => {
    const id = firstSheetId()
    await call('POST', sheets('values_batch_update'), { valueRanges: [{ range: `${id}!A1:A2`, values: [['a'], ['b']] }] })
    const appended = await call('POST', sheets('values_append'), { valueRange: { range: `${id}!A1:A1`, values: [['c']] } })
    expect(appended.code).toBe(0)
    expect(server.values('Sheet1')).toEqual([['a'], ['b'], ['c']])
  })
})
