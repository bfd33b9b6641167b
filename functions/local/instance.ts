// One running server per data folder, and a CLI that knows it is talking to that server.
// `server.json` (0600, in the 0700 data folder) names the server's address, its process and a
// secret made at each start. Before the CLI sends the admin token it asks the address to prove
// it knows that secret (an HMAC of a fresh challenge): whatever else listens there after a crash
// learns nothing. A file whose process is gone is removed.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface ServerFile {
  url: string
  pid: number
  /** the per-start secret the server proves it knows */
  proofKey: string
}

/** The route the local server answers the proof on (outside the app: local only). */
export const PROOF_PATH = '/.well-known/sentinel-proof'

const serverFilePath = (dataDir: string) => join(dataDir, 'server.json')

export const proofOf = (proofKey: string, challenge: string) => createHmac('sha256', proofKey).update(challenge).digest('hex')

/** The data folder and everything in it readable by this user alone: 0700 folders, 0600 files. */
export async function makePrivate(dataDir: string): Promise<void> {
  // Whatever this process creates from now on (LevelDB files, the workbook) is born private too.
  process.umask(0o077)
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const tighten = async (dir: string): Promise<void> => {
    await chmod(dir, 0o700)
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) await tighten(path)
      else if (entry.isFile()) await chmod(path, 0o600)
    }
  }
  await tighten(dataDir)
}

export async function writeServerFile(dataDir: string, url: string): Promise<ServerFile> {
  const file: ServerFile = { url, pid: process.pid, proofKey: randomBytes(32).toString('base64url') }
  await writeFile(serverFilePath(dataDir), JSON.stringify(file), { mode: 0o600 })
  return file
}

export const removeServerFile = (dataDir: string) => rm(serverFilePath(dataDir), { force: true })

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** True when whatever answers at `url` proves it knows the file's secret. */
async function proves(file: ServerFile): Promise<boolean> {
  const challenge = randomBytes(16).toString('hex')
  try {
    const res = await fetch(`${file.url}${PROOF_PATH}?challenge=${challenge}`, { signal: AbortSignal.timeout(2000) })
    const answer = Buffer.from(await res.text())
    const expected = Buffer.from(proofOf(file.proofKey, challenge))
    return res.ok && answer.length === expected.length && timingSafeEqual(answer, expected)
  } catch {
    return false
  }
}

export type RunningServer =
  | { state: 'none' }
  | { state: 'running'; url: string; pid: number }
  /** the file's process lives, but what answers at its address does not prove itself */
  | { state: 'unproven'; url: string; pid: number }

/** The server of this data folder, as its `server.json` says and its address proves; a stale file is removed. */
export async function runningServer(dataDir: string): Promise<RunningServer> {
  let file: ServerFile
  try {
    file = JSON.parse(await readFile(serverFilePath(dataDir), 'utf8')) as ServerFile
  } catch {
    return { state: 'none' }
  }
  if (typeof file.pid !== 'number' || typeof file.proofKey !== 'string' || !alive(file.pid)) {
    await removeServerFile(dataDir)
    return { state: 'none' }
  }
  return (await proves(file)) ? { state: 'running', url: file.url, pid: file.pid } : { state: 'unproven', url: file.url, pid: file.pid }
}
