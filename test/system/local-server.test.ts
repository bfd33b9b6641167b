import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { healthReport, newKey, submission } from '../../testkit/fixtures.ts'
import { dataRows } from '../../testkit/harness.ts'
import { eventually, runAdmin, type ServerProcess, startServerProcess } from '../../testkit/server-process.ts'

let dataDir: string
let servers: ServerProcess[] = []

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sentinel-server-'))
})
afterEach(async () => {
  await Promise.all(servers.map((s) => s.kill('SIGKILL')))
  servers = []
  await rm(dataDir, { recursive: true, force: true })
})

async function start(env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess({ DATA_DIR: dataDir, ...env })
  servers.push(server)
  return server
}

const workbook = () => join(dataDir, 'leaders.xlsx')
const healthRows = async () => (existsSync(workbook()) ? dataRows(workbook(), '人员健康日报') : [])

describe('npm start', () => {
  it('seeds the demo roster, prints the links and serves a submission into the workbook', async () => {
    const server = await start()
    expect(server.output()).toContain('领导小组办公室')
    expect([...server.links.keys()].sort()).toEqual(['engineering', 'office', 'park-east', 'park-west', 'personnel', 'resources'])
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    const token = server.links.get('park-east') ?? ''
    const res = await fetch(`${server.url}/api/forms/daily-health/submissions`, submission(token, healthReport()))
    expect(res.status).toBe(201)
    const rows = await eventually(async () => ((await healthRows()).length === 1 ? healthRows() : undefined))
    expect(rows[0]?.[3]).toBe('park-east')
  })

  it('refuses to start on a bad setting, naming the variable and never the webhook key', async () => {
    const { spawnSync } = await import('node:child_process')
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'functions/local/main.ts'], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: '0',
        OFFICE_WEBHOOKS: 'wecom=https://qyapi.weixin.qq.com/send?key=secret-key-123,pager=https://x',
      },
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('OFFICE_WEBHOOKS')
    expect(run.stderr).not.toContain('secret-key-123')
    expect(run.stderr).not.toMatch(/\n\s+at /) // a message, not a stack trace
  })

  it("refuses to start, in one line saying how to fix it, when the pages' script cannot be built", async () => {
    const { spawnSync } = await import('node:child_process')
    // A module hook that hides esbuild from the pages' script builder only (tsx itself runs on esbuild).
    const hideEsbuild = `export async function resolve(specifier, context, next) {
      if (specifier === 'esbuild' && context.parentURL?.includes('client-bundle')) throw Object.assign(new Error('not found'), { code: 'ERR_MODULE_NOT_FOUND' })
      return next(specifier, context)
    }`
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hideEsbuild)}`)})`
    const run = spawnSync(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(register)}`, '--import', 'tsx', 'functions/local/main.ts'],
      {
        env: { ...process.env, DATA_DIR: dataDir, PORT: '0' },
        encoding: 'utf8',
        timeout: 30_000,
      },
    )
    expect(run.status).toBe(1)
    expect(run.stderr.trim()).toBe("cannot build the pages' script: esbuild is not installed (run `npm ci`)")
  })

  it('runs without the demo when DEMO=off', async () => {
    const server = await start({ DEMO: 'off' })
    expect(server.links.size).toBe(0)
  })

  it('lets the admin CLI add a unit and export while the server runs', async () => {
    const server = await start({ DEMO: 'off' })
    const env = { DATA_DIR: dataDir }
    const added = await runAdmin(
      ['unit', 'add', '--id', 'park-north', '--name', '北园公园', '--forms', 'daily-health,emergency', '--json'],
      env,
    )
    expect(added.code, added.stderr).toBe(0)
    const unit = JSON.parse(added.stdout) as { id: string; name: string; token: string; link: string }
    expect(Object.keys(unit)).toEqual(['id', 'name', 'token', 'link'])
    expect(unit.link).toBe(`${server.url}/u/${unit.token}`)
    expect((await fetch(`${server.url}/api/forms/daily-health/submissions`, submission(unit.token, healthReport()))).status).toBe(201)
    const list = await runAdmin(['unit', 'list', '--json'], env)
    expect(JSON.parse(list.stdout)).toMatchObject([{ id: 'park-north', name: '北园公园' }])
    const csv = await runAdmin(['export', '--form', 'daily-health', '--date', todayInShanghai()], env)
    expect(csv.stdout).toContain('park-north')
  })

  it('keeps the data across a restart', async () => {
    const first = await start()
    const token = first.links.get('office') ?? ''
    const key = newKey()
    const created = await fetch(`${first.url}/api/forms/daily-health/submissions`, submission(token, healthReport(), key))
    const receipt = await created.json()
    await first.kill('SIGTERM')
    const second = await start()
    expect(second.links.get('office')).toBe(token) // demo links are kept, not re-seeded
    const retried = await fetch(`${second.url}/api/forms/daily-health/submissions`, submission(token, healthReport(), key))
    expect(retried.status).toBe(200)
    expect(await retried.json()).toEqual(receipt)
  })

  it('brings the workbook up to date after a crash between the database write and the workbook write', async () => {
    // The in-process mirror waits ten minutes and the sweep an hour: the crash comes first.
    const doomed = await start({ MIRROR_DEBOUNCE_MS: '600000', SWEEP_INTERVAL_S: '3600' })
    const token = doomed.links.get('office') ?? ''
    const res = await fetch(`${doomed.url}/api/forms/daily-health/submissions`, submission(token, healthReport()))
    expect(res.status).toBe(201)
    await doomed.kill('SIGKILL')
    expect(await healthRows()).toHaveLength(0)

    await start()
    const rows = await eventually(async () => ((await healthRows()).length > 0 ? healthRows() : undefined))
    expect(rows).toHaveLength(1)
    expect(rows[0]?.[3]).toBe('office')
  })
})

const todayInShanghai = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
