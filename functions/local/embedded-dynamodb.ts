// The embedded DynamoDB: dynalite, a real DynamoDB API server, persisted with LevelDB under
// the data folder (in memory without a path). It speaks HTTP, so the same SDK code runs on it.
// dynalite checks no credentials, so a persisted one listens on a Unix socket inside the data
// folder (0600 in a 0700 folder): no other local user can reach it, and no port is open. The
// in-memory one (tests) listens on a loopback port.
import { rm, stat } from 'node:fs/promises'
import { type AddressInfo, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import dynalite from 'dynalite'

export interface EmbeddedDynamo {
  endpoint: string
  /** the Unix socket the endpoint is reached through, when persisted */
  socketPath?: string
  close(): Promise<void>
}

/** Another process is serving this database (a second `npm start` on the same data folder). */
export class DatabaseInUseError extends Error {
  override name = 'DatabaseInUseError'
}

/** A Unix socket path must stay under ~107 bytes; a deep data folder gets a private temp folder's. */
const MAX_SOCKET_PATH = 100

/** True when something answers on the socket; a socket a crash left behind refuses. */
const socketAnswers = (path: string) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(path)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })

export async function startEmbeddedDynamo(path?: string): Promise<EmbeddedDynamo> {
  const server = dynalite({ ...(path ? { path } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  let socketPath: string | undefined
  if (path) {
    socketPath = `${path}.sock`
    if (socketPath.length > MAX_SOCKET_PATH) socketPath = join(tmpdir(), `sentinel-db-${process.pid}-${Date.now()}.sock`)
    else if (await stat(socketPath).catch(() => undefined)) {
      if (await socketAnswers(socketPath)) throw new DatabaseInUseError(`the database ${path} is in use by another process`)
      await rm(socketPath, { force: true })
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    if (socketPath) server.listen(socketPath, () => resolve())
    else server.listen(0, '127.0.0.1', () => resolve())
  })
  const endpoint = socketPath ? 'http://dynalite.local' : `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    endpoint,
    ...(socketPath ? { socketPath } : {}),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
