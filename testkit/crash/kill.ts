// The crash run's killer: the real `npm start` process, killed with SIGKILL at the planned moments
// and started again on the same data folder, timing how long it takes to be ready.
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { type ServerProcess, startServerProcess } from '../server-process.ts'
import type { Load } from './load.ts'
import type { PlannedKill } from './plan.ts'

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** The server across its lives: one data folder, a port that may move between two lives. */
export interface CrashServer {
  url(): string
  /** 0 for the first start, one more per restart */
  life(): number
  /** the output of every life that has ended */
  outputs: string[]
  start(): Promise<ServerProcess>
  /** ends this life with `signal` and keeps its output */
  stop(signal: NodeJS.Signals): Promise<void>
  /** kills whatever still runs, after a failure */
  abandon(): Promise<void>
}

/** `env(port)` is the server's environment for a life on that port. */
export async function crashServer(env: (port: number) => Record<string, string>): Promise<CrashServer> {
  let port = await freePort()
  let server: ServerProcess | undefined
  let starts = 0
  let life = 0
  const outputs: string[] = []
  return {
    url: () => `http://127.0.0.1:${port}`,
    life: () => life,
    outputs,
    async start() {
      life = starts++
      for (let attempt = 1; ; attempt++) {
        try {
          const next = await startServerProcess(env(port))
          server = next
          return next
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error)
          // Someone else took the port between two lives of the server: move, the clients follow.
          if (attempt < 4 && message.includes('EADDRINUSE')) {
            port = await freePort()
            continue
          }
          throw error
        }
      }
    },
    async stop(signal) {
      await server?.kill(signal)
      outputs.push(server?.output() ?? '')
      server = undefined
    },
    async abandon() {
      await server?.kill('SIGKILL')
    },
  }
}

export interface Kills {
  /** when each SIGKILL fell */
  killTimes: number[]
  /** kills that fell while clients were still submitting (the rest hit the mirror and alerts catching up) */
  killsDuringLoad: number
  /** SIGKILL → the restarted server ready (it prints its address), per restart */
  recoverMs: number[]
}

/**
 * After the planned share of the load since the last start (or, once the load is done, a planned
 * moment while the mirror and alerts catch up), SIGKILL and start again.
 */
export async function killAndRestart(
  server: CrashServer,
  load: Load,
  schedule: PlannedKill[],
  submissions: number,
  log: (line: string) => void,
): Promise<Kills> {
  const kills: Kills = { killTimes: [], killsDuringLoad: 0, recoverMs: [] }
  for (const [k, { target, idleMs }] of schedule.entries()) {
    const since = Date.now()
    load.acksSinceStart = 0
    while (!(load.done ? Date.now() - since >= idleMs : load.acksSinceStart >= target)) await sleep(5)
    const during = !load.done
    const at = Date.now()
    await server.stop('SIGKILL')
    kills.killTimes.push(at)
    if (during) kills.killsDuringLoad++
    log(
      `kill ${k + 1} ${during ? `after ${load.acksSinceStart} acknowledgements` : 'while catching up'} (${load.receipts.size}/${submissions} acknowledged)`,
    )
    await server.start()
    kills.recoverMs.push(Date.now() - at)
  }
  return kills
}
