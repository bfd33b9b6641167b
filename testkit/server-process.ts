// The real `npm start` entry as a child process, for restart and crash tests.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'

export interface ServerProcess {
  url: string
  adminToken: string
  /** the demo units' tokens, by unit id, as printed at start */
  links: Map<string, string>
  output(): string
  kill(signal: NodeJS.Signals): Promise<void>
}

const root = resolve(import.meta.dirname, '..')

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'functions/local/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((done) => child.once('exit', () => done()))

  const deadline = Date.now() + 30_000
  while (!/running at (\S+)[\s\S]*stop: .*\n\n/.test(output)) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${output}`)
    if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  const [, url = ''] = /running at (\S+)/.exec(output) ?? []
  // Shown on the first start only; after that it is in the data folder (or was given).
  const shown = /admin token:\s+(\S+)\s+\(shown this once/.exec(output)?.[1]
  const adminToken = env.ADMIN_TOKEN ?? shown ?? (await readFile(join(env.DATA_DIR ?? '.data', 'admin-token'), 'utf8')).trim()
  const links = new Map([...output.matchAll(/\/u\/(([a-z0-9-]+)\.[A-Za-z0-9_-]+)/g)].map((m) => [m[2] ?? '', m[1] ?? '']))
  return {
    url,
    adminToken,
    links,
    output: () => output,
    async kill(signal) {
      if (child.exitCode === null) child.kill(signal)
      await exited
    },
  }
}

/** Runs `npm run admin -- …` the way the office does. */
export function runAdmin(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'functions/local/admin.ts', ...args], {
      cwd: root,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.once('exit', (code) => done({ code: code ?? -1, stdout, stderr }))
  })
}

/** Polls until `check` returns a value, or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 100))
  }
}
