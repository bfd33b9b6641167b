/**
 * The Sheets test server, driven through the real @googleapis/sheets client so that URL shapes,
 * query serialisation, auth headers, retries and error parsing are the client's own.
 */

import { sheets, type sheets_v4 } from '@googleapis/sheets'
import { OAuth2Client } from 'google-auth-library'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type SheetsServer, startSheetsServer } from '../../testkit/sheets-server.ts'

type Api = sheets_v4.Sheets

function clientFor(server: SheetsServer, accessToken: string | null = server.token): Api {
  if (accessToken === null) return sheets({ version: 'v4', rootUrl: server.url })
  const auth = new OAuth2Client()
  auth.setCredentials({ access_token: accessToken })
  // googleapis-common pins its own google-auth-library (10.5.0): the top-level OAuth2Client
  // works at run time but is a different type, so it needs a cast
  return sheets({ version: 'v4', auth: auth as unknown as sheets_v4.Options['auth'], rootUrl: server.url })
}

interface Failure {
  status: number
  data: { error: { code: number; message: string; status: string } }
  headers: Headers
}

/** the HTTP answer behind a rejected client call */
async function failure(call: Promise<unknown>): Promise<Failure> {
  try {
    await call
  } catch (e) {
    const response = (e as { response?: { status: number; data: Failure['data']; headers: Headers } }).response
    if (!response) throw e
    return { status: response.status, data: response.data, headers: response.headers }
  }
  throw new Error('expected the call to fail')
}

let server: SheetsServer
let api: Api
let clock: number

beforeEach(async () => {
  clock = 1_000_000
  server = await startSheetsServer({ spreadsheetId: 'sheet-under-test', tabs: ['Sheet1'], now: () => clock })
  api = clientFor(server)
})

afterEach(async () => {
  await server.close()
})

const spreadsheetId = 'sheet-under-test'

describe('spreadsheets.get and batchUpdate', () => {
  it('describes a new spreadsheet the way Google does', async () => {
    const { data } = await api.spreadsheets.get({ spreadsheetId })
    expect(data.spreadsheetId).toBe(spreadsheetId)
    expect(data.properties?.title).toBeTypeOf('string')
    expect(data.sheets).toEqual([
      {
        properties: {
          sheetId: 0,
          title: 'Sheet1',
          index: 0,
          sheetType: 'GRID',
          // a zero frozenRowCount is omitted, as in Google's proto3 JSON
          gridProperties: { rowCount: 1000, columnCount: 26 },
        },
      },
    ])
  })

  it('creates tabs and freezes their header row', async () => {
    const { data } = await api.spreadsheets.batchUpdate({
      spreadsheetId,
      requestBody: {
        requests: [
          { addSheet: { properties: { title: 'Submissions' } } },
          { addSheet: { properties: { title: '概览', sheetId: 42, gridProperties: { rowCount: 50, columnCount: 5 } } } },
          {
            updateSheetProperties: {
              properties: { sheetId: 42, gridProperties: { frozenRowCount: 1 } },
              fields: 'gridProperties.frozenRowCount',
            },
          },
        ],
      },
    })
    expect(data.replies).toHaveLength(3)
    const added = data.replies![0]!.addSheet!.properties!
    expect(added).toMatchObject({ title: 'Submissions', index: 1, gridProperties: { rowCount: 1000, columnCount: 26 } })
    expect(added.sheetId).toBeGreaterThan(0)
    expect(data.replies![2]).toEqual({})

    expect(server.tabs()).toEqual([
      { sheetId: 0, title: 'Sheet1', frozenRowCount: 0, frozenColumnCount: 0, rowCount: 1000, columnCount: 26 },
      { sheetId: added.sheetId, title: 'Submissions', frozenRowCount: 0, frozenColumnCount: 0, rowCount: 1000, columnCount: 26 },
      { sheetId: 42, title: '概览', frozenRowCount: 1, frozenColumnCount: 0, rowCount: 50, columnCount: 5 },
    ])
    const got = await api.spreadsheets.get({ spreadsheetId })
    expect(got.data.sheets![2]!.properties!.gridProperties).toEqual({ rowCount: 50, columnCount: 5, frozenRowCount: 1 })
  })

  it('renames a tab through the fields mask and appends rows', async () => {
    await api.spreadsheets.batchUpdate({
      spreadsheetId,
      requestBody: {
        requests: [
          { updateSheetProperties: { properties: { sheetId: 0, title: 'Tab with space' }, fields: 'title' } },
          { appendDimension: { sheetId: 0, dimension: 'ROWS', length: 500 } },
        ],
      },
    })
    expect(server.tabs()[0]).toMatchObject({ title: 'Tab with space', rowCount: 1500 })
  })

  it('applies all sub-requests or none', async () => {
    const err = await failure(
      api.spreadsheets.batchUpdate({
        spreadsheetId,
        requestBody: {
          requests: [
            { addSheet: { properties: { title: 'Fresh' } } },
            {
              updateSheetProperties: {
                properties: { sheetId: 0, gridProperties: { frozenRowCount: 2 } },
                fields: 'gridProperties.frozenRowCount',
              },
            },
            { addSheet: { properties: { title: 'sheet1' } } }, // titles clash without regard to case
          ],
        },
      }),
    )
    expect(err.status).toBe(400)
    expect(err.data.error).toEqual({
      code: 400,
      status: 'INVALID_ARGUMENT',
      message: 'Invalid requests[2].addSheet: A sheet with the name "sheet1" already exists. Please enter another name.',
    })
    expect(server.tabs()).toEqual([
      { sheetId: 0, title: 'Sheet1', frozenRowCount: 0, frozenColumnCount: 0, rowCount: 1000, columnCount: 26 },
    ])
  })

  it('rejects an unknown request kind before doing anything', async () => {
    const err = await failure(
      api.spreadsheets.batchUpdate({
        spreadsheetId,
        requestBody: { requests: [{ addSheet: { properties: { title: 'Never' } } }, { addTab: {} } as sheets_v4.Schema$Request] },
      }),
    )
    expect(err.status).toBe(400)
    expect(err.data.error.status).toBe('INVALID_ARGUMENT')
    expect(err.data.error.message).toContain('Unknown name "addTab"')
    expect(server.tabs().map((t) => t.title)).toEqual(['Sheet1'])
  })

  it('refuses to delete the last tab or freeze every row', async () => {
    const last = await failure(
      api.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests: [{ deleteSheet: { sheetId: 0 } }] } }),
    )
    expect(last.data.error.message).toContain("You can't remove all the sheets in a document.")
    const frozen = await failure(
      api.spreadsheets.batchUpdate({
        spreadsheetId,
        requestBody: {
          requests: [
            {
              updateSheetProperties: {
                properties: { sheetId: 0, gridProperties: { frozenRowCount: 1000 } },
                fields: 'gridProperties.frozenRowCount',
              },
            },
          ],
        },
      }),
    )
    expect(frozen.data.error.message).toContain("You can't freeze all visible rows")
  })
})

describe('formatting, protection, developer metadata and charts', () => {
  const batch = (requests: sheets_v4.Schema$Request[]) => api.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests } })

  it('keeps widths, formats, rules and protections, and shows them in spreadsheets.get', async () => {
    await batch([
      {
        updateDimensionProperties: {
          range: { sheetId: 0, dimension: 'COLUMNS', startIndex: 1, endIndex: 3 },
          properties: { pixelSize: 150 },
          fields: 'pixelSize',
        },
      },
      {
        repeatCell: {
          range: { sheetId: 0, startRowIndex: 1, startColumnIndex: 2, endColumnIndex: 3 },
          cell: { userEnteredFormat: { numberFormat: { type: 'DATE', pattern: 'yyyy-mm-dd' }, textFormat: { bold: true } } },
          fields: 'userEnteredFormat.numberFormat',
        },
      },
      {
        addConditionalFormatRule: {
          rule: {
            ranges: [{ sheetId: 0, startRowIndex: 1 }],
            booleanRule: { condition: { type: 'TEXT_STARTS_WITH', values: [{ userEnteredValue: '未报' }] }, format: {} },
          },
        },
      },
      { addProtectedRange: { protectedRange: { range: { sheetId: 0 }, description: 'mirror', warningOnly: true } } },
    ])

    expect(server.objects('Sheet1').columnWidths.slice(0, 4)).toEqual([100, 150, 150, 100])
    // only the fields named in the mask are applied
    expect(server.formatAt('Sheet1', 'C2')).toEqual({ numberFormat: { type: 'DATE', pattern: 'yyyy-mm-dd' } })
    expect(server.formatAt('Sheet1', 'C1')).toEqual({})
    const { data } = await api.spreadsheets.get({ spreadsheetId })
    const sheet = data.sheets![0]!
    expect(sheet.conditionalFormats).toHaveLength(1)
    expect(sheet.protectedRanges).toEqual([
      { protectedRangeId: expect.any(Number), range: { sheetId: 0 }, description: 'mirror', warningOnly: true },
    ])

    await batch([
      { deleteConditionalFormatRule: { sheetId: 0, index: 0 } },
      { deleteProtectedRange: { protectedRangeId: sheet.protectedRanges![0]!.protectedRangeId! } },
    ])
    expect(server.objects('Sheet1')).toMatchObject({ conditionalFormats: [], protectedRanges: [] })
  })

  it('refuses what Google refuses, and then changes nothing', async () => {
    const refused = [
      { addProtectedRange: { protectedRange: { range: { sheetId: 0 }, warningOnly: true, editors: { users: ['a@example.org'] } } } },
      { deleteConditionalFormatRule: { sheetId: 0, index: 0 } },
      { repeatCell: { range: { sheetId: 0, startColumnIndex: 30, endColumnIndex: 31 }, cell: {}, fields: 'userEnteredFormat' } },
      {
        addConditionalFormatRule: {
          rule: { ranges: [{ sheetId: 0 }], booleanRule: { condition: { type: 'TEXT_STARTS_WITH', values: [] }, format: {} } },
        },
      },
      { createDeveloperMetadata: { developerMetadata: { metadataKey: 'k', location: { sheetId: 0 } } } },
      { updateChartSpec: { chartId: 7, spec: {} } },
    ]
    for (const request of refused) {
      const answer = await failure(
        batch([
          {
            updateDimensionProperties: {
              range: { sheetId: 0, dimension: 'COLUMNS', startIndex: 0, endIndex: 1 },
              properties: { pixelSize: 9 },
              fields: 'pixelSize',
            },
          },
          request,
        ]),
      )
      expect(answer.status, JSON.stringify(request)).toBe(400)
    }
    expect(server.objects('Sheet1').columnWidths[0]).toBe(100)
  })

  it('finds developer metadata on a sheet and its columns, and deletes what a lookup matches', async () => {
    const create = (key: string, value: string, location: sheets_v4.Schema$DeveloperMetadataLocation) => ({
      createDeveloperMetadata: { developerMetadata: { metadataKey: key, metadataValue: value, location, visibility: 'DOCUMENT' } },
    })
    await batch([
      { addSheet: { properties: { sheetId: 7, title: 'Other' } } },
      create('col', 'a', { dimensionRange: { sheetId: 0, dimension: 'COLUMNS', startIndex: 0, endIndex: 1 } }),
      create('col', 'b', { dimensionRange: { sheetId: 0, dimension: 'COLUMNS', startIndex: 1, endIndex: 2 } }),
      create('col', 'x', { dimensionRange: { sheetId: 7, dimension: 'COLUMNS', startIndex: 0, endIndex: 1 } }),
      create('layout', 'h1', { sheetId: 0 }),
    ])
    const { data } = await api.spreadsheets.get({ spreadsheetId })
    // a sheet lists the metadata located on it; column metadata sits in its grid data
    expect(data.sheets![0]!.developerMetadata).toEqual([
      expect.objectContaining({ metadataKey: 'layout', metadataValue: 'h1', location: { locationType: 'SHEET', sheetId: 0 } }),
    ])

    const { data: deleted } = await batch([
      { deleteDeveloperMetadata: { dataFilter: { developerMetadataLookup: { metadataKey: 'col', metadataLocation: { sheetId: 0 } } } } },
    ])
    expect(deleted.replies![0]!.deleteDeveloperMetadata!.deletedDeveloperMetadata!.map((m) => m.metadataValue)).toEqual(['a', 'b'])
    expect(server.objects('Sheet1').developerMetadata.map((m) => m.metadataValue)).toEqual(['h1'])
    expect(server.objects('Other').developerMetadata.map((m) => m.metadataValue)).toEqual(['x'])
    // the exact strategy matches only metadata on the sheet itself
    await batch([
      {
        deleteDeveloperMetadata: {
          dataFilter: { developerMetadataLookup: { metadataLocation: { sheetId: 7 }, locationMatchingStrategy: 'EXACT_LOCATION' } },
        },
      },
    ])
    expect(server.objects('Other').developerMetadata).toHaveLength(1)
  })

  it('adds a chart over existing ranges, updates its spec in place, and deletes it', async () => {
    const spec = (title: string): sheets_v4.Schema$ChartSpec => ({
      title,
      basicChart: {
        chartType: 'LINE',
        domains: [
          {
            domain: {
              sourceRange: { sources: [{ sheetId: 0, startRowIndex: 0, endRowIndex: 15, startColumnIndex: 0, endColumnIndex: 1 }] },
            },
          },
        ],
        series: [
          {
            series: {
              sourceRange: { sources: [{ sheetId: 0, startRowIndex: 0, endRowIndex: 15, startColumnIndex: 1, endColumnIndex: 2 }] },
            },
          },
        ],
      },
    })
    const position = { overlayPosition: { anchorCell: { sheetId: 0, rowIndex: 0, columnIndex: 4 } } }
    const { data } = await batch([{ addChart: { chart: { spec: spec('报送率'), position } } }])
    const chartId = data.replies![0]!.addChart!.chart!.chartId!

    await batch([{ updateChartSpec: { chartId, spec: spec('按时率') } }])
    expect(server.objects('Sheet1').charts).toEqual([
      expect.objectContaining({ chartId, spec: expect.objectContaining({ title: '按时率' }) }),
    ])
    const missing = await failure(
      batch([
        {
          addChart: {
            chart: { spec: { basicChart: { series: [{ series: { sourceRange: { sources: [{ sheetId: 99 }] } } }] } }, position },
          },
        },
      ]),
    )
    expect(missing.status).toBe(400)

    await batch([{ deleteEmbeddedObject: { objectId: chartId } }])
    expect(server.objects('Sheet1').charts).toEqual([])
  })
})

describe('values writes', () => {
  it('RAW keeps =HYPERLINK(...) as text; USER_ENTERED makes it a formula and parses numbers', async () => {
    const link = '=HYPERLINK("https://evil.example","click")'
    const { data } = await api.spreadsheets.values.batchUpdate({
      spreadsheetId,
      requestBody: {
        valueInputOption: 'RAW',
        data: [
          { range: 'Sheet1!A1:C1', values: [['id', 'note', 'phone']] },
          { range: 'Sheet1!A2', values: [[1, link, '0123']] },
        ],
      },
    })
    expect(data).toEqual({
      spreadsheetId,
      totalUpdatedRows: 2,
      totalUpdatedColumns: 6,
      totalUpdatedCells: 6,
      totalUpdatedSheets: 1,
      responses: [
        { spreadsheetId, updatedRange: 'Sheet1!A1:C1', updatedRows: 1, updatedColumns: 3, updatedCells: 3 },
        { spreadsheetId, updatedRange: 'Sheet1!A2:C2', updatedRows: 1, updatedColumns: 3, updatedCells: 3 },
      ],
    })
    expect(server.values('Sheet1')).toEqual([
      ['id', 'note', 'phone'],
      [1, link, '0123'],
    ])
    expect(server.formulas('Sheet1')).toEqual([])

    await api.spreadsheets.values.update({
      spreadsheetId,
      range: 'Sheet1!A3',
      valueInputOption: 'USER_ENTERED',
      requestBody: { values: [[2, link, '0123', "'=1+1", 'true']] },
    })
    expect(server.values('Sheet1')[2]).toEqual([2, link, 123, '=1+1', true])
    expect(server.formulas('Sheet1')).toEqual([{ a1: 'B3', formula: link }])

    // reading back: the formula shows its label, and FORMULA rendering shows the formula
    const shown = await api.spreadsheets.values.get({ spreadsheetId, range: 'Sheet1!B2:B3' })
    expect(shown.data.values).toEqual([[link], ['click']])
    const raw = await api.spreadsheets.values.get({ spreadsheetId, range: 'Sheet1!B3', valueRenderOption: 'FORMULA' })
    expect(raw.data.values).toEqual([[link]])
  })

  it('treats null as "leave alone" and "" as clear', async () => {
    server.editByHand('Sheet1', 1, ['a', 'b', 'c'])
    await api.spreadsheets.values.update({
      spreadsheetId,
      range: 'Sheet1!A1',
      valueInputOption: 'RAW',
      requestBody: { values: [[null, '', 'C']] },
    })
    expect(server.values('Sheet1')).toEqual([['a', '', 'C']])
  })

  it('rejects a cell over 50,000 characters and writes nothing from that request', async () => {
    await api.spreadsheets.values.update({
      spreadsheetId,
      range: 'Sheet1!A1',
      valueInputOption: 'RAW',
      requestBody: { values: [['x'.repeat(50_000)]] },
    })
    const err = await failure(
      api.spreadsheets.values.batchUpdate({
        spreadsheetId,
        requestBody: {
          valueInputOption: 'RAW',
          data: [
            { range: 'Sheet1!A2', values: [['fine']] },
            { range: 'Sheet1!A3', values: [['y'.repeat(50_001)]] },
          ],
        },
      }),
    )
    expect(err.status).toBe(400)
    expect(err.data.error).toEqual({
      code: 400,
      status: 'INVALID_ARGUMENT',
      message: 'Your input contains more than the maximum of 50000 characters in a single cell.',
    })
    expect(server.values('Sheet1')).toHaveLength(1)
  })

  it('grows the grid when data runs past it, but not when the range itself is outside', async () => {
    await api.spreadsheets.values.update({
      spreadsheetId,
      range: 'Sheet1!A999',
      valueInputOption: 'RAW',
      requestBody: { values: [['a'], ['b'], ['c'], ['d']] },
    })
    expect(server.tabs()[0]!.rowCount).toBe(1002)
    await api.spreadsheets.values.update({
      spreadsheetId,
      range: 'Sheet1!Z1',
      valueInputOption: 'RAW',
      requestBody: { values: [['z', 'aa', 'ab']] },
    })
    expect(server.tabs()[0]!.columnCount).toBe(28)

    const outside = await failure(
      api.spreadsheets.values.update({ spreadsheetId, range: 'Sheet1!A5000', valueInputOption: 'RAW', requestBody: { values: [['x']] } }),
    )
    expect(outside.data.error.message).toBe('Range (Sheet1!A5000) exceeds grid limits. Max rows: 1002, max columns: 28')

    const tooBig = await failure(
      api.spreadsheets.values.update({
        spreadsheetId,
        range: 'Sheet1!A1:B1',
        valueInputOption: 'RAW',
        requestBody: { values: [['1', '2', '3']] },
      }),
    )
    expect(tooBig.data.error.message).toBe('Requested writing within range [Sheet1!A1:B1], but tried writing to column [C]')
  })

  it('refuses to go over 10 million cells in the workbook', async () => {
    const err = await failure(
      api.spreadsheets.batchUpdate({
        spreadsheetId,
        requestBody: { requests: [{ appendDimension: { sheetId: 0, dimension: 'ROWS', length: 400_000 } }] },
      }),
    )
    expect(err.data.error.message).toBe('This action would increase the number of cells in the workbook above the limit of 10000000 cells.')
    expect(server.tabs()[0]!.rowCount).toBe(1000)
  })

  it("answers a request body over 10 MB with Google's payload error", async () => {
    const big = 'x'.repeat(40_000)
    const values = Array.from({ length: 270 }, () => [big]) // ~10.8 MB of JSON
    const err = await failure(
      api.spreadsheets.values.update({ spreadsheetId, range: 'Sheet1!A1', valueInputOption: 'RAW', requestBody: { values } }),
    )
    expect(err.status).toBe(400)
    expect(err.data.error.message).toBe('Request payload size exceeds the limit: 10485760 bytes.')
    expect(server.values('Sheet1')).toEqual([])
  })
})

describe('values reads and A1 notation', () => {
  beforeEach(async () => {
    await api.spreadsheets.batchUpdate({
      spreadsheetId,
      requestBody: {
        requests: [{ addSheet: { properties: { title: '概览' } } }, { addSheet: { properties: { title: 'Tab with space' } } }],
      },
    })
    await api.spreadsheets.values.batchUpdate({
      spreadsheetId,
      requestBody: {
        valueInputOption: 'USER_ENTERED',
        data: [
          {
            range: "'概览'!A1:C3",
            values: [
              ['地区', '病例', '完成'],
              ['东区', '12', 'TRUE'],
              ['西区', '3.50'],
            ],
          },
          { range: "'Tab with space'!B2", values: [['x']] },
        ],
      },
    })
  })

  it('reads quoted Chinese tab names with values.get and values.batchGet', async () => {
    const one = await api.spreadsheets.values.get({ spreadsheetId, range: "'概览'!A1:Z100" })
    expect(one.data).toEqual({
      range: "'概览'!A1:Z100",
      majorDimension: 'ROWS',
      // FORMATTED_VALUE (the default) renders numbers and booleans as text
      values: [
        ['地区', '病例', '完成'],
        ['东区', '12', 'TRUE'],
        ['西区', '3.5'],
      ],
    })

    const many = await api.spreadsheets.values.batchGet({
      spreadsheetId,
      ranges: ["'概览'!B:B", '概览!A2', "'Tab with space'", 'Sheet1!A1:B2'],
      valueRenderOption: 'UNFORMATTED_VALUE',
    })
    expect(many.data.spreadsheetId).toBe(spreadsheetId)
    expect(many.data.valueRanges).toEqual([
      { range: "'概览'!B1:B1000", majorDimension: 'ROWS', values: [['病例'], [12], [3.5]] },
      { range: "'概览'!A2", majorDimension: 'ROWS', values: [['东区']] },
      { range: "'Tab with space'!A1:Z1000", majorDimension: 'ROWS', values: [[], ['', 'x']] },
      { range: 'Sheet1!A1:B2', majorDimension: 'ROWS' },
    ])
  })

  it('reads by columns', async () => {
    const { data } = await api.spreadsheets.values.get({ spreadsheetId, range: '概览!A1:C3', majorDimension: 'COLUMNS' })
    expect(data.values).toEqual([
      ['地区', '东区', '西区'],
      ['病例', '12', '3.5'],
      ['完成', 'TRUE'],
    ])
  })

  it('answers an unknown tab with "Unable to parse range"', async () => {
    const err = await failure(api.spreadsheets.values.get({ spreadsheetId, range: 'Nope!A1:B2' }))
    expect(err.status).toBe(400)
    expect(err.data.error).toEqual({ code: 400, status: 'INVALID_ARGUMENT', message: 'Unable to parse range: Nope!A1:B2' })
  })

  it('clears one range and several', async () => {
    const one = await api.spreadsheets.values.clear({ spreadsheetId, range: "'概览'!A3:C3" })
    expect(one.data).toEqual({ spreadsheetId, clearedRange: "'概览'!A3:C3" })
    const many = await api.spreadsheets.values.batchClear({ spreadsheetId, requestBody: { ranges: ["'概览'!C:C", "'Tab with space'"] } })
    expect(many.data.clearedRanges).toEqual(["'概览'!C1:C1000", "'Tab with space'!A1:Z1000"])
    expect(server.values('概览')).toEqual([
      ['地区', '病例'],
      ['东区', 12],
    ])
    expect(server.values('Tab with space')).toEqual([])
  })

  it('shows hand edits to the API', async () => {
    server.editByHand('Tab with space', 3, ['typed', '42'])
    const { data } = await api.spreadsheets.values.get({
      spreadsheetId,
      range: "'Tab with space'!A3:B3",
      valueRenderOption: 'UNFORMATTED_VALUE',
    })
    expect(data.values).toEqual([['typed', 42]])
  })
})

describe('values.append', () => {
  beforeEach(() => {
    server.editByHand('Sheet1', 1, ['id', 'name'])
    server.editByHand('Sheet1', 2, ['1', 'Ann'])
    server.editByHand('Sheet1', 3, ['2', 'Bo'])
  })

  it('finds the table in the range and writes right below it', async () => {
    const { data } = await api.spreadsheets.values.append({
      spreadsheetId,
      range: 'Sheet1!A:B',
      valueInputOption: 'RAW',
      requestBody: { values: [['3', 'Cy']] },
    })
    expect(data).toEqual({
      spreadsheetId,
      tableRange: 'Sheet1!A1:B3',
      updates: { spreadsheetId, updatedRange: 'Sheet1!A4:B4', updatedRows: 1, updatedColumns: 2, updatedCells: 2 },
    })
    expect(server.values('Sheet1')).toEqual([
      ['id', 'name'],
      [1, 'Ann'],
      [2, 'Bo'],
      ['3', 'Cy'],
    ])
  })

  it('writes into the first gap below the first table, over what follows it (OVERWRITE)', async () => {
    server.editByHand('Sheet1', 5, ['later', 'block'])
    await api.spreadsheets.values.append({
      spreadsheetId,
      range: 'Sheet1',
      valueInputOption: 'RAW',
      requestBody: {
        values: [
          ['3', 'Cy'],
          ['4', 'Di'],
        ],
      },
    })
    expect(server.values('Sheet1').slice(3)).toEqual([
      ['3', 'Cy'],
      ['4', 'Di'],
    ]) // row 5 overwritten
  })

  it('inserts rows instead with INSERT_ROWS, and a retried append writes twice', async () => {
    server.editByHand('Sheet1', 5, ['later', 'block'])
    const call = () =>
      api.spreadsheets.values.append({
        spreadsheetId,
        range: 'Sheet1!A1',
        valueInputOption: 'RAW',
        insertDataOption: 'INSERT_ROWS',
        requestBody: { values: [['3', 'Cy']] },
      })
    await call()
    await call()
    expect(server.values('Sheet1')).toEqual([
      ['id', 'name'],
      [1, 'Ann'],
      [2, 'Bo'],
      ['3', 'Cy'],
      ['3', 'Cy'],
      ['', ''],
      ['later', 'block'],
    ])
    expect(server.tabs()[0]!.rowCount).toBe(1002)
  })
})

describe('auth, faults and quota', () => {
  it('answers 401 without a token and with a wrong one', async () => {
    const none = await failure(clientFor(server, null).spreadsheets.get({ spreadsheetId }))
    expect(none.status).toBe(401)
    expect(none.data.error.status).toBe('UNAUTHENTICATED')
    expect(none.data.error.message).toMatch(/^Request is missing required authentication credential/)

    const wrong = await failure(clientFor(server, 'ya29.not-it').spreadsheets.values.get({ spreadsheetId, range: 'Sheet1!A1' }))
    expect(wrong.status).toBe(401)
    expect(wrong.data.error.message).toMatch(/^Request had invalid authentication credentials/)
    expect(server.requests.map((r) => r.status)).toEqual([401, 401])
  })

  it('answers an unknown spreadsheet with 404 NOT_FOUND', async () => {
    const err = await failure(api.spreadsheets.get({ spreadsheetId: 'someone-elses' }))
    expect(err.data.error).toEqual({ code: 404, status: 'NOT_FOUND', message: 'Requested entity was not found.' })
  })

  it('injects a 429 with Retry-After that the client sees on a POST (gaxios does not retry POSTs)', async () => {
    server.failNext(1, { status: 429, retryAfterS: 7, kind: 'values.batchUpdate' })
    const body = { valueInputOption: 'RAW', data: [{ range: 'Sheet1!A1', values: [['x']] }] }
    const err = await failure(api.spreadsheets.values.batchUpdate({ spreadsheetId, requestBody: body }))
    expect(err.status).toBe(429)
    expect(err.headers.get('retry-after')).toBe('7')
    expect(err.data.error.status).toBe('RESOURCE_EXHAUSTED')
    expect(server.values('Sheet1')).toEqual([])

    await api.spreadsheets.values.batchUpdate({ spreadsheetId, requestBody: body })
    expect(server.values('Sheet1')).toEqual([['x']])
    expect(server.requests.map((r) => [r.kind, r.status])).toEqual([
      ['values.batchUpdate', 429],
      ['values.batchUpdate', 200],
    ])
  })

  it('lets gaxios retry a GET through injected 503s', async () => {
    server.failNext(1, { status: 503, kind: 'values.get' })
    server.failNext(1, { status: 429, kind: 'values.get' })
    await api.spreadsheets.get({ spreadsheetId }) // another kind: not affected
    const { data } = await api.spreadsheets.values.get({ spreadsheetId, range: 'Sheet1!A1' })
    expect(data.range).toBe('Sheet1!A1')
    expect(server.requests.map((r) => `${r.kind} ${r.status}`)).toEqual([
      'spreadsheets.get 200',
      'values.get 503',
      'values.get 429',
      'values.get 200',
    ])
  })

  it('answers slowly after the write took effect (a client timeout does not undo it)', async () => {
    server.delayNext(1, 1_000)
    const err = await api.spreadsheets.values
      .update(
        { spreadsheetId, range: 'Sheet1!A1', valueInputOption: 'RAW', requestBody: { values: [['landed']] } },
        { timeout: 100, retry: false },
      )
      .then(
        () => undefined,
        (e: Error) => e,
      )
    expect(err).toBeInstanceOf(Error)
    expect(server.values('Sheet1')).toEqual([['landed']])
  })

  it('simulates the per-minute write quota in a rolling window', async () => {
    server.setWriteQuota(3)
    // a POST, so gaxios does not retry the 429 by itself
    const write = (v: string) =>
      api.spreadsheets.values.batchUpdate({
        spreadsheetId,
        requestBody: { valueInputOption: 'RAW', data: [{ range: 'Sheet1!A1', values: [[v]] }] },
      })
    await write('1')
    clock += 20_000
    await write('2')
    await write('3')
    const over = await failure(write('4'))
    expect(over.status).toBe(429)
    expect(over.data.error.status).toBe('RESOURCE_EXHAUSTED')
    expect(over.data.error.message).toContain("'Write requests per minute per user'")
    expect(over.headers.get('retry-after')).toBeNull()

    // reads are not write requests
    await api.spreadsheets.values.get({ spreadsheetId, range: 'Sheet1!A1' })
    // the first write leaves the window 60 s after it was made
    clock += 40_001
    await write('5')
    expect(server.values('Sheet1')).toEqual([['5']])
    // the rejected write still counts as a write request received
    expect(server.writeRequestCount()).toBe(5)
    expect(server.requests.map((r) => r.status)).toEqual([200, 200, 200, 429, 200, 200])
  })
})
