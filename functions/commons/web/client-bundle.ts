// The pages' progressive-enhancement script (client/main.ts), bundled by esbuild and served
// same-origin under a content-hashed name, so phones cache it for good and fetch it once.
// A Lambda bundle has no esbuild at run time: the bundler injects __SENTINEL_CLIENT_JS__ as the
// built script (infra/bundling.ts). The local edition builds it with esbuild (a dependency) and
// refuses to start when it cannot (`buildClientScript`); pages served without it still work.
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { Context } from 'hono'
import type { Logger } from '../log.ts'

declare const __SENTINEL_CLIENT_JS__: string | undefined

export interface ClientScript {
  /** where the pages load it from, e.g. /assets/app-1a2b3c4d.js */
  path: string
  body: string
}

/** esbuild options for the client script: one small IIFE that old phone browsers run. */
export const clientBuildOptions = {
  entryPoints: [fileURLToPath(new URL('./client/main.ts', import.meta.url))],
  bundle: true,
  minify: true,
  format: 'iife' as const,
  target: 'es2017',
  charset: 'utf8' as const,
  write: false as const,
  logLevel: 'warning' as const,
}

export class ClientBuildError extends Error {
  override name = 'ClientBuildError'
}

async function buildWithEsbuild(): Promise<string> {
  // Not a literal specifier: bundlers of the server code must not pull esbuild in.
  const esbuildName = 'esbuild'
  let esbuild: typeof import('esbuild')
  try {
    esbuild = (await import(esbuildName)) as typeof import('esbuild')
  } catch (cause) {
    throw new ClientBuildError("cannot build the pages' script: esbuild is not installed (run `npm ci`)", { cause })
  }
  const result = await esbuild.build(clientBuildOptions)
  const output = result.outputFiles[0]
  if (!output) throw new ClientBuildError('esbuild produced no output')
  return output.text
}

let built: Promise<ClientScript> | undefined

/** The built script, once per process; a ClientBuildError says what is missing. The local start awaits it. */
export function buildClientScript(): Promise<ClientScript> {
  built ??= (async () => {
    const body = typeof __SENTINEL_CLIENT_JS__ === 'string' ? __SENTINEL_CLIENT_JS__ : await buildWithEsbuild()
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12)
    return { path: `/assets/app-${hash}.js`, body }
  })()
  return built
}

let served: Promise<ClientScript | undefined> | undefined

/** The built script for the pages; undefined when it cannot be built here (pages still work). */
export function clientScript(log: Logger): Promise<ClientScript | undefined> {
  served ??= buildClientScript().catch((error: unknown) => {
    log.error('client script unavailable; pages are served without it', { error })
    return undefined
  })
  return served
}

/** GET /assets/:file — the script under its hashed name, cached for a year. */
export async function serveClientScript(c: Context, log: Logger): Promise<Response> {
  const script = await clientScript(log)
  if (!script || c.req.path !== script.path) return c.text('Not found', 404)
  return c.body(script.body, 200, {
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': 'public, max-age=31536000, immutable',
  })
}
