// The embedded DynamoDB: dynalite, a real DynamoDB API server, persisted with LevelDB under
// the data folder (in memory without a path). It speaks HTTP, so the same SDK code runs on it.
import type { AddressInfo } from 'node:net'
import dynalite from 'dynalite'

export interface EmbeddedDynamo {
  endpoint: string
  close(): Promise<void>
}

export async function startEmbeddedDynamo(path?: string): Promise<EmbeddedDynamo> {
  const server = dynalite({ ...(path ? { path } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
