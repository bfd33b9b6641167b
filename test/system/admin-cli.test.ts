// The office's CLI as the office runs it (`npm run admin -- …`), with and without a server:
// help, errors that name the flag and what it takes, unit edit/retire, times in the
// organisation's time zone and a CSV export that Excel reads (UTF-8 BOM).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { addDays, localDate } from '#commons/clock.ts'
import { healthReport, submission } from '../../testkit/fixtures.ts'
import { runAdmin, type ServerProcess, startServerProcess } from '../../testkit/server-process.ts'

let dataDir: string
let env: Record<string, string>
let server: ServerProcess | undefined

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sentinel-cli-'))
  env = { DATA_DIR: dataDir, DEMO: 'off' }
})
afterEach(async () => {
  await server?.kill('SIGKILL')
  server = undefined
  await rm(dataDir, { recursive: true, force: true })
})

// Each command is a fresh Node process that opens the database: slow on a busy machine.
describe('npm run admin', { timeout: 180_000 }, () => {
  it('prints its help and exits 0', async () => {
    const help = await runAdmin(['--help'], env)
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('unit retire --id ID')
    expect(help.stdout).toContain('webhook types: wecom, dingtalk, feishu, slack, json')
  })

  it('names the flag and the allowed values when refusing, and stores nothing', async () => {
    const type = await runAdmin(['unit', 'add', '--id', 'h1', '--name', '医院', '--type', 'hospital'], env)
    expect(type.code).toBe(1)
    expect(type.stderr.trim()).toBe('admin: --type: must be one of office, section, park, resource, engineering (got "hospital")')
    const hook = await runAdmin(
      ['unit', 'add', '--id', 'h1', '--name', '医院', '--webhook', 'wechat=https://example.org/hook?key=k123'],
      env,
    )
    expect(hook.code).toBe(1)
    expect(hook.stderr).toMatch(/^admin: --webhook: .*unknown type; expected one of wecom, dingtalk, feishu, slack, json/)
    expect(hook.stderr).not.toContain('k123')
    const unknownFlag = await runAdmin(['unit', 'add', '--colour', 'red'], env)
    expect(unknownFlag.code).toBe(2)
    expect(unknownFlag.stderr).toContain("'--colour'")
    expect(JSON.parse((await runAdmin(['unit', 'list', '--json'], env)).stdout)).toEqual([])
  })

  it('edits and retires a unit; the list shows when it was retired', async () => {
    const added = await runAdmin(['unit', 'add', '--id', 'works', '--name', '工程科', '--type', 'office', '--json'], env)
    expect(added.code, added.stderr).toBe(0)
    const edited = await runAdmin(
      [
        'unit',
        'edit',
        '--id',
        'works',
        '--name',
        '中心工程管理科',
        '--type',
        'engineering',
        '--sites',
        '北湖湿地二期,西园步道改造',
        '--contact-phone',
        '010-60000004',
        '--json',
      ],
      env,
    )
    expect(edited.code, edited.stderr).toBe(0)
    const unit = JSON.parse(edited.stdout) as Record<string, unknown>
    expect(unit).toMatchObject({
      id: 'works',
      name: '中心工程管理科',
      type: 'engineering',
      forms: ['daily-health', 'site-daily', 'emergency', 'info-release'],
      sites: ['北湖湿地二期', '西园步道改造'],
      contact: { name: '', phone: '010-60000004' },
    })
    expect(unit).not.toHaveProperty('token')
    const retired = await runAdmin(['unit', 'retire', '--id', 'works', '--json'], env)
    expect(retired.code, retired.stderr).toBe(0)
    const { retiredAt } = JSON.parse(retired.stdout) as { retiredAt: string }
    expect(Date.parse(retiredAt)).toBeGreaterThan(Date.now() - 60_000)
    const listed = JSON.parse((await runAdmin(['unit', 'list', '--json'], env)).stdout) as { id: string; retiredAt?: string }[]
    expect(listed).toMatchObject([{ id: 'works', retiredAt }])
    const text = await runAdmin(['unit', 'list'], env)
    expect(text.stdout).toMatch(/^works\t中心工程管理科\t.*\tretired \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \(Asia\/Shanghai\)$/m)
  })

  it('gives a leader a dashboard link and stops it on revoke, while the server runs', async () => {
    server = await startServerProcess(env)
    const added = await runAdmin(['leader', 'add', '--id', 'zhang', '--name', '张组长', '--json'], env)
    expect(added.code, added.stderr).toBe(0)
    const link = `${server.url}${new URL((JSON.parse(added.stdout) as { link: string }).link).pathname}`
    expect((await fetch(link)).status).toBe(200)
    const revoked = await runAdmin(['leader', 'revoke', '--id', 'zhang'], env)
    expect(revoked.stdout).toContain('revoked leader zhang (张组长): their link no longer works')
    expect((await fetch(link)).status).toBe(404)
    expect(JSON.parse((await runAdmin(['leader', 'list', '--json'], env)).stdout)).toMatchObject([
      { id: 'zhang', revokedAt: expect.any(String) },
    ])
  })

  it('prints a reopening in the organisation time zone and exports CSV with a BOM, while the server runs', async () => {
    server = await startServerProcess({ ...env, ORG_TIMEZONE: 'Asia/Shanghai' })
    const added = await runAdmin(['unit', 'add', '--id', 'park-north', '--name', '北园公园', '--forms', 'daily-health', '--json'], env)
    const { token } = JSON.parse(added.stdout) as { token: string }
    const yesterday = addDays(localDate(new Date(), 'Asia/Shanghai'), -1)
    const sent = await fetch(`${server.url}/api/forms/daily-health/submissions`, submission(token, { ...healthReport(), date: yesterday }))
    expect(sent.status).toBe(201)
    const reopened = await runAdmin(['record', 'reopen', '--id', `daily-health.${yesterday}.park-north`, '--by', '刘洋'], env)
    expect(reopened.code, reopened.stderr).toBe(0)
    // until the end of the office's day: local midnight, printed as the office reads its clock
    const today = localDate(new Date(), 'Asia/Shanghai')
    expect(reopened.stdout.trim()).toBe(`reopened daily-health.${yesterday}.park-north until ${addDays(today, 1)} 00:00:00 (Asia/Shanghai)`)
    const csv = await runAdmin(['export', '--form', 'daily-health', '--date', yesterday], env)
    expect(csv.stdout.startsWith('\uFEFF记录ID (recordId),')).toBe(true)
    expect(csv.stdout).toContain('park-north')
  })
})
