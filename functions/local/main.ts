// `npm start`: the whole system on one machine with embedded defaults.
import { existsSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { systemClock } from '#commons/clock.ts'
import { consoleLogger as log } from '#commons/log.ts'
import { SettingsError } from '#commons/settings.ts'
import { buildClientScript, ClientBuildError } from '#commons/web/client-bundle.ts'
import { unitLink } from '#commons/web/deps.ts'
import { parseLocalConfig } from './config.ts'
import { type DemoLink, seedDemoUnits } from './demo.ts'
import { createLocalSystem, type LocalSystem } from './system.ts'

async function main(): Promise<void> {
  const config = parseLocalConfig()
  // esbuild builds the pages' script here (a Lambda bundle carries it prebuilt): without it, refuse to start.
  await buildClientScript()
  let system: LocalSystem | undefined
  // Listen first so the address is known; answer 503 until the system is ready.
  const server = serve({
    fetch: (request, env) => (system ? system.app.fetch(request, env) : new Response('starting', { status: 503 })),
    port: config.PORT,
    hostname: config.HOST,
  })
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  const shownHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST
  const url = `http://${shownHost}:${port}`
  const publicUrl = (config.PUBLIC_URL ?? url).replace(/\/+$/, '')

  system = await createLocalSystem(config, { log, publicUrl, workers: true })
  const serverFile = join(config.DATA_DIR, 'server.json')
  await writeFile(serverFile, JSON.stringify({ url: `http://127.0.0.1:${port}`, pid: process.pid }))

  const linksFile = join(config.DATA_DIR, 'demo-links.json')
  if (config.DEMO) {
    const seeded = await seedDemoUnits(system.stores.units, system.forms, systemClock)
    if (seeded.length > 0) await writeFile(linksFile, JSON.stringify(seeded, null, 2), { mode: 0o600 })
  }
  const demo: DemoLink[] = existsSync(linksFile) ? (JSON.parse(await readFile(linksFile, 'utf8')) as DemoLink[]) : []

  console.log(`\nSentinel Forms is running at ${url}`)
  console.log(`  data folder:   ${config.DATA_DIR}`)
  console.log(`  ${config.SHEET_ID ? 'Google Sheet: ' : 'workbook:     '} ${system.sink.path}`)
  console.log(`  office pages:  ${publicUrl}/office   (emergency board: ${publicUrl}/emergencies; sign in with the admin token)`)
  console.log(`  admin token:   ${system.adminToken}`)
  if (demo.length > 0) {
    console.log('  demo units (open a link on a phone or in a browser):')
    for (const d of demo) console.log(`    ${d.name.padEnd(10, '　')} ${unitLink({ publicUrl }, d.token)}`)
  }
  console.log('')

  const shutdown = async () => {
    server.close()
    await system?.close()
    await rm(serverFile, { force: true })
    process.exit(0)
  }
  process.once('SIGINT', () => void shutdown())
  process.once('SIGTERM', () => void shutdown())
}

main().catch((error: unknown) => {
  if (error instanceof SettingsError || error instanceof ClientBuildError) console.error(error.message)
  else console.error(error)
  process.exit(1)
})
