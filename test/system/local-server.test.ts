import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises'
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
    // Tokens are shown once: the second start lists no link, and says how to make a new one.
    expect(second.links.size).toBe(0)
    expect(second.output()).toContain('unit rotate --id ID')
    expect(second.output()).not.toContain(first.adminToken)
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

describe('one server per data folder and port', () => {
  const startAgain = async (env: Record<string, string>) => {
    const { spawnSync } = await import('node:child_process')
    return spawnSync(process.execPath, ['--import', 'tsx', 'functions/local/main.ts'], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: '0', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    })
  }

  it('refuses a second start on the same data folder, or on the same port, in one line naming what runs', async () => {
    const first = await start({ DEMO: 'off' })
    const port = new URL(first.url).port
    const sameFolder = await startAgain({})
    expect(sameFolder.status).toBe(1)
    expect(sameFolder.stderr.trim().split('\n')).toHaveLength(1)
    expect(sameFolder.stderr).toContain(`already running on ${dataDir} at http://127.0.0.1:${port}`)

    const otherFolder = await mkdtemp(join(tmpdir(), 'sentinel-other-'))
    try {
      const samePort = await startAgain({ DATA_DIR: otherFolder, PORT: port })
      expect(samePort.status).toBe(1)
      expect(samePort.stderr.trim()).toBe(
        `Port ${port} on 127.0.0.1 is already in use by another program (another Sentinel Forms?); stop it, or set PORT (PORT=0 picks a free one).`,
      )
    } finally {
      await rm(otherFolder, { recursive: true, force: true })
    }
    // The first is untouched.
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200)
  })

  it('stops with `npm start` when npm itself is killed, removing its server.json', async () => {
    const { spawn } = await import('node:child_process')
    const npm = spawn('npm', ['start'], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: '0', DEMO: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const serverPid = await eventually(async () => Number(/kill (\d+)\n/.exec(output)?.[1]) || undefined, 60_000)
    npm.kill('SIGTERM')
    await eventually(async () => (existsSync(join(dataDir, 'server.json')) ? undefined : true))
    await eventually(async () => {
      try {
        process.kill(serverPid, 0)
        return undefined
      } catch {
        return true
      }
    })
  })

  it('warns at start when no alert channel is configured, and says how to stop', async () => {
    const server = await start({ DEMO: 'off' })
    expect(server.output()).toMatch(
      /NO ALERT CHANNEL: set ALERT_WEBHOOKS; until then emergencies reach only http:\/\/\S+\/emergencies\/outbox/,
    )
    expect(server.output()).toMatch(/stop: +Ctrl\+C here, or kill \d+/)
  })
})

describe('the data folder', () => {
  it('is readable by this user alone, and its database is reachable by no port and no other user', async () => {
    const server = await start()
    const token = server.links.get('park-east') ?? ''
    expect((await fetch(`${server.url}/api/forms/daily-health/submissions`, submission(token, healthReport()))).status).toBe(201)
    await eventually(async () => (existsSync(join(dataDir, 'leaders.xlsx')) ? true : undefined))

    const modes = new Map<string, number>()
    const walk = async (dir: string) => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name)
        modes.set(path.slice(dataDir.length), (await stat(path)).mode & 0o777)
        if (entry.isDirectory()) await walk(path)
      }
    }
    await walk(dataDir)
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700)
    for (const name of ['/leaders.xlsx', '/admin-token', '/server.json', '/db.sock']) expect(modes.get(name), name).toBeDefined()
    for (const [path, mode] of modes) expect(mode & 0o077, `${path} ${mode.toString(8)}`).toBe(0)

    // The process listens on one TCP port: the web server's (dynalite has a Unix socket instead).
    const { pid } = JSON.parse(await readFile(join(dataDir, 'server.json'), 'utf8')) as { pid: number }
    expect(await listeningPorts(pid)).toEqual([Number(new URL(server.url).port)])

    // Another local user cannot reach the socket (run as `nobody`; the tests run as root here).
    if (process.getuid?.() === 0) {
      const { spawnSync } = await import('node:child_process')
      const probe = spawnSync(
        process.execPath,
        [
          '-e',
          `require('net').connect(${JSON.stringify(join(dataDir, 'db.sock'))}).on('connect',()=>process.exit(0)).on('error',(e)=>{console.log(e.code);process.exit(3)})`,
        ],
        { uid: 65534, gid: 65534, encoding: 'utf8', timeout: 10_000 },
      )
      expect(probe.status).toBe(3)
      expect(probe.stdout.trim()).toBe('EACCES')
    }
  })
})

describe('the admin CLI', () => {
  it('sends the admin token only to the server that proves it is this data folder’s, and clears a stale server.json', async () => {
    // An impostor listens where a crashed server's file points; our own (live) process id is in the file.
    const { createServer } = await import('node:http')
    const authorizations: string[] = []
    const impostor = createServer((req, res) => {
      authorizations.push(req.headers.authorization ?? '')
      res.end('[]')
    })
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve))
    const impostorUrl = `http://127.0.0.1:${(impostor.address() as { port: number }).port}`
    try {
      await writeFile(join(dataDir, 'server.json'), JSON.stringify({ url: impostorUrl, pid: process.pid, proofKey: 'guessed' }))
      const refused = await runAdmin(['unit', 'list', '--json'], { DATA_DIR: dataDir })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('does not prove it is this data folder')
      expect(authorizations.filter((a) => a !== '')).toEqual([])

      // A file whose process is gone is stale: removed, and the command runs in-process.
      await writeFile(join(dataDir, 'server.json'), JSON.stringify({ url: impostorUrl, pid: 2 ** 22 + 1, proofKey: 'x' }))
      const list = await runAdmin(['unit', 'list', '--json'], { DATA_DIR: dataDir, DEMO: 'off' })
      expect(list.code, list.stderr).toBe(0)
      expect(existsSync(join(dataDir, 'server.json'))).toBe(false)
      expect(authorizations.filter((a) => a !== '')).toEqual([])
    } finally {
      impostor.close()
    }
  })
})

/** The TCP ports a process listens on, from /proc (its socket inodes in LISTEN state). */
async function listeningPorts(pid: number): Promise<number[]> {
  const inodes = new Set<string>()
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1]
    if (inode) inodes.add(inode)
  }
  const ports = new Set<number>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1)
    for (const line of lines) {
      const fields = line.trim().split(/\s+/)
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; the inode is the tenth field.
      if (fields[3] === '0A' && inodes.has(fields[9] ?? '')) ports.add(Number.parseInt(fields[1]?.split(':')[1] ?? '', 16))
    }
  }
  return [...ports].sort()
}

const todayInShanghai = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
