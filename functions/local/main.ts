// `npm start`: the whole system on one machine with embedded defaults.
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { systemClock } from '#commons/clock.ts'
import { consoleLogger as log } from '#commons/log.ts'
import { SettingsError } from '#commons/settings.ts'
import { buildClientScript, ClientBuildError } from '#commons/web/client-bundle.ts'
import { unitLink } from '#commons/web/deps.ts'
import { parseLocalConfig } from './config.ts'
import { seedDemoUnits } from './demo.ts'
import { DatabaseInUseError } from './embedded-dynamodb.ts'
import { PROOF_PATH, proofOf, removeServerFile, runningServer, writeServerFile } from './instance.ts'
import { createLocalSystem, type LocalSystem } from './system.ts'

/** A reason not to start, said in one line. */
class StartError extends Error {
  override name = 'StartError'
}

// Killed without a signal reaching us (npm or its shell killed): our parent changes, and we stop too.
const parent = process.ppid

async function main(): Promise<void> {
  const config = parseLocalConfig()
  const running = await runningServer(config.DATA_DIR)
  if (running.state === 'running')
    throw new StartError(
      `Sentinel Forms is already running on ${config.DATA_DIR} at ${running.url} (process ${running.pid}); stop it first (Ctrl+C in its terminal, or kill ${running.pid}).`,
    )
  // esbuild builds the pages' script here (a Lambda bundle carries it prebuilt): without it, refuse to start.
  await buildClientScript()
  let system: LocalSystem | undefined
  let proofKey: string | undefined
  // Listen first so the address is known; answer 503 until the system is ready.
  const server = serve({
    fetch: (request, env) => {
      const url = new URL(request.url)
      // The CLI's check that this is the server its server.json names (instance.ts).
      if (url.pathname === PROOF_PATH && proofKey) return new Response(proofOf(proofKey, url.searchParams.get('challenge') ?? ''))
      return system ? system.app.fetch(request, env) : new Response('starting', { status: 503 })
    },
    port: config.PORT,
    hostname: config.HOST,
  })
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new StartError(
              `Port ${config.PORT} on ${config.HOST} is already in use by another program (another Sentinel Forms?); stop it, or set PORT (PORT=0 picks a free one).`,
            )
          : error,
      ),
    )
  })
  const { port } = server.address() as AddressInfo
  const shownHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST
  const url = `http://${shownHost}:${port}`
  const publicUrl = (config.PUBLIC_URL ?? url).replace(/\/+$/, '')

  try {
    system = await createLocalSystem(config, { log, publicUrl, workers: true })
  } catch (error) {
    if (error instanceof DatabaseInUseError)
      throw new StartError(`Another Sentinel Forms is running on ${config.DATA_DIR} (its database answers); stop it first.`)
    throw error
  }
  proofKey = (await writeServerFile(config.DATA_DIR, `http://127.0.0.1:${port}`)).proofKey
  // Unit tokens are stored only as hashes: the demo links are known now, on the first start, and never again.
  const demo = config.DEMO ? await seedDemoUnits(system.stores.units, system.forms, systemClock) : []

  const alertChannels = config.ALERT_WEBHOOKS.length > 0 || config.ALERT_TOPIC_ARN !== undefined || config.ALIYUN_SMS_PHONES.length > 0
  console.log(`\nSentinel Forms is running at ${url}`)
  console.log(`  data folder:   ${config.DATA_DIR}   (readable by this user alone)`)
  console.log(
    `  ${config.FEISHU_SHEET_TOKEN ? 'Feishu sheet: ' : config.SHEET_ID ? 'Google Sheet: ' : 'workbook:     '} ${system.sink.path}`,
  )
  console.log(`  office pages:  ${publicUrl}/office   (sign in with the admin token)`)
  if (system.adminTokenIsNew)
    console.log(`  admin token:   ${system.adminToken}   (shown this once; kept in ${join(config.DATA_DIR, 'admin-token')})`)
  else console.log(`  admin token:   ${config.ADMIN_TOKEN ? 'as set in ADMIN_TOKEN' : `in ${join(config.DATA_DIR, 'admin-token')}`}`)
  if (!alertChannels)
    console.log(`  alerts:        NO ALERT CHANNEL: set ALERT_WEBHOOKS; until then emergencies reach only ${publicUrl}/emergencies/outbox`)
  if (demo.length > 0) {
    console.log('  demo units (links shown this once; `npm run admin -- unit rotate --id ID` makes a new one):')
    for (const d of demo) console.log(`    ${d.name.padEnd(10, '　')} ${unitLink({ publicUrl }, d.token)}`)
  } else console.log('  unit links:    `npm run admin -- unit rotate --id ID` gives a unit a new link (old links stop working)')
  console.log(`  stop:          Ctrl+C here, or kill ${process.pid}`)
  console.log('')

  const shutdown = async () => {
    server.close()
    await system?.close()
    await removeServerFile(config.DATA_DIR)
    process.exit(0)
  }
  process.once('SIGINT', () => void shutdown())
  process.once('SIGTERM', () => void shutdown())
  process.once('SIGHUP', () => void shutdown())
  setInterval(() => process.ppid !== parent && void shutdown(), 1000).unref()
}

main().catch((error: unknown) => {
  if (error instanceof SettingsError || error instanceof ClientBuildError || error instanceof StartError) console.error(error.message)
  else console.error(error)
  process.exit(1)
})
