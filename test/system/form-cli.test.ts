// `form export` / `form publish` / `form list` / `form versions` / `form rollback` as the office
// runs them, against the running server (which takes the new version at once) and without one.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runAdmin, type ServerProcess, startServerProcess } from '../../testkit/server-process.ts'

let dataDir: string
let env: Record<string, string>
let server: ServerProcess | undefined

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sentinel-form-cli-'))
  env = { DATA_DIR: dataDir, DEMO: 'off' }
})
afterEach(async () => {
  await server?.kill('SIGKILL')
  server = undefined
  await rm(dataDir, { recursive: true, force: true })
})

describe('npm run admin -- form', { timeout: 240_000 }, () => {
  it('exports a workbook, publishes an edit to the running server, lists, shows the versions and rolls back', async () => {
    server = await startServerProcess(env)
    const file = join(dataDir, 'site-daily.xlsx')
    const exported = await runAdmin(['form', 'export', '--id', 'site-daily', '--out', file], env)
    expect(exported.stderr).toBe('')
    expect(exported.stdout.trim()).toBe(`wrote site-daily version 1 to ${file}`)

    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(file)
    const fields = workbook.getWorksheet('fields')!
    fields.getRow(fields.rowCount + 1).values = ['masksIssued', 'integer', '发放口罩数', 'Masks issued', '', '', 'no', 'no', 0, 10000]
    await workbook.xlsx.writeFile(file)
    const published = await runAdmin(['form', 'publish', '--file', file, '--by', '刘洋', '--json'], env)
    expect(published.stderr).toBe('')
    expect(JSON.parse(published.stdout)).toEqual({ id: 'site-daily', version: 2 })

    // the server serves the new version at once
    const added = JSON.parse(
      (await runAdmin(['unit', 'add', '--id', 'works', '--name', '工程科', '--forms', 'site-daily', '--json'], env)).stdout,
    )
    const forms = (await (await fetch(`${server.url}/api/forms`, { headers: { authorization: `Bearer ${added.token}` } })).json()) as {
      version: number
      fields: { id: string }[]
    }[]
    expect(forms[0]?.version).toBe(2)
    expect(forms[0]?.fields.at(-1)?.id).toBe('masksIssued')

    const list = JSON.parse((await runAdmin(['form', 'list', '--json'], env)).stdout) as { id: string; version: number }[]
    expect(list.find((f) => f.id === 'site-daily')?.version).toBe(2)
    const back = await runAdmin(['form', 'rollback', '--id', 'site-daily', '--by', '刘洋'], env)
    expect(back.stdout).toContain('site-daily: version 3 published')
    const versions = await runAdmin(['form', 'versions', '--id', 'site-daily'], env)
    expect(
      versions.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[0]),
    ).toEqual(['version 1', 'version 2', 'version 3'])
    expect(versions.stdout).toContain('rollback to version 1')
  })

  it('refuses a bad workbook or JSON without a server, naming where, and changes nothing', async () => {
    const file = join(dataDir, 'emergency.xlsx')
    expect((await runAdmin(['form', 'export', '--id', 'emergency', '--out', file], env)).stderr).toBe('')
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(file)
    workbook.getWorksheet('fields')!.getRow(3).getCell(3).value = ''
    await workbook.xlsx.writeFile(file)
    const refused = await runAdmin(['form', 'publish', '--file', file, '--by', '刘洋'], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('sheet "fields", row 3, column "label_zh": must not be empty')
    const json = join(dataDir, 'bad.json')
    await writeFile(json, JSON.stringify({ id: 'x' }))
    const badJson = await runAdmin(['form', 'publish', '--file', json, '--by', '刘洋'], env)
    expect(badJson.code).toBe(1)
    expect(badJson.stderr).toContain('title: must not be empty')
    const list = JSON.parse((await runAdmin(['form', 'list', '--json'], env)).stdout) as { id: string; version: number }[]
    expect(list.every((f) => f.version === 1)).toBe(true)
  })
})
