// `npm run admin -- <command>`: the office's CLI. It talks to the admin API of the running
// server (LevelDB allows one process); with no server running it builds the system in-process
// and calls the same API without a network.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { silentLogger } from '#commons/log.ts'
import { parseLocalConfig } from './config.ts'
import { createLocalSystem } from './system.ts'

const usage = `usage: npm run admin -- <command>
  unit add --id ID --name NAME [--type office|section|park|resource|engineering] [--forms a,b]
           [--sites "site 1,site 2"] [--contact-name N --contact-phone P] [--webhook type=url] [--json]
  unit list [--json]
  unit rotate --id ID [--json]
  form deadline --id FORM --time HH:MM
  record reopen --id RECORD_ID --by NAME       (a closed daily report may be corrected until midnight)
  approver add --id ID --name NAME [--json]   (an information-release approver and their link)
  approver list [--json]
  leader add --id ID --name NAME [--json]     (a leader and their link to the read-only dashboard)
  leader list [--json]
  leader rotate --id ID [--json]              (new link; the old one stops working)
  sheet rebuild
  export --form ID --date YYYY-MM-DD          (CSV on standard output)`

class UsageError extends Error {
  override name = 'UsageError'
}

type Send = (path: string, init?: RequestInit) => Promise<Response>

interface Connection {
  send: Send
  close(): Promise<void>
}

async function runningServer(dataDir: string): Promise<string | undefined> {
  const file = join(dataDir, 'server.json')
  if (!existsSync(file)) return undefined
  const { url } = JSON.parse(await readFile(file, 'utf8')) as { url: string }
  try {
    const health = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })
    return health.ok ? url : undefined
  } catch {
    return undefined // a crash left the file behind
  }
}

async function connect(): Promise<Connection> {
  const config = parseLocalConfig()
  const url = await runningServer(config.DATA_DIR)
  if (url) {
    const tokenFile = join(config.DATA_DIR, 'admin-token')
    const token = config.ADMIN_TOKEN ?? (existsSync(tokenFile) ? (await readFile(tokenFile, 'utf8')).trim() : '')
    const send: Send = (path, init = {}) =>
      fetch(`${url}${path}`, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } })
    return { send, close: async () => {} }
  }
  const publicUrl = (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '')
  const system = await createLocalSystem(config, { log: silentLogger, publicUrl, workers: false })
  const send: Send = async (path, init = {}) =>
    system.app.request(path, { ...init, headers: { ...init.headers, authorization: `Bearer ${system.adminToken}` } })
  return { send, close: () => system.close() }
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

async function expectOk(response: Response): Promise<unknown> {
  const text = await response.text()
  if (!response.ok) {
    let message = text
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text
    } catch {
      // not JSON: show as is
    }
    throw new Error(`${response.status}: ${message}`)
  }
  return response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text
}

function need(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`missing --${flag}`)
  return value
}

async function run(argv: string[], send: Send): Promise<string> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      id: { type: 'string' },
      name: { type: 'string' },
      forms: { type: 'string' },
      type: { type: 'string' },
      sites: { type: 'string' },
      'contact-name': { type: 'string' },
      'contact-phone': { type: 'string' },
      webhook: { type: 'string' },
      by: { type: 'string' },
      time: { type: 'string' },
      form: { type: 'string' },
      date: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  })
  const command = positionals.join(' ')
  const show = (result: unknown, text: (r: never) => string) => (values.json ? JSON.stringify(result) : text(result as never))

  switch (command) {
    case 'unit add': {
      const list = (v: string | undefined) =>
        v
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      const contact =
        values['contact-name'] || values['contact-phone']
          ? { name: values['contact-name'] ?? '', phone: values['contact-phone'] ?? '' }
          : undefined
      const body = {
        id: need(values.id, 'id'),
        name: need(values.name, 'name'),
        type: values.type,
        forms: list(values.forms),
        sites: list(values.sites),
        contact,
        webhook: values.webhook,
      }
      const result = await expectOk(await send('/api/admin/units', json(body)))
      const { id, name, token, link } = result as { id: string; name: string; token: string; link: string }
      return values.json ? JSON.stringify({ id, name, token, link }) : `added ${id} (${name})\nlink: ${link}`
    }
    case 'unit list': {
      const result = await expectOk(await send('/api/admin/units'))
      return show(result, (units: { id: string; name: string; forms: string[] }[]) =>
        units.map((u) => `${u.id}\t${u.name}\t${u.forms.join(',')}`).join('\n'),
      )
    }
    case 'unit rotate': {
      const result = await expectOk(await send(`/api/admin/units/${encodeURIComponent(need(values.id, 'id'))}/rotate`, { method: 'POST' }))
      const { id, name, token, link } = result as { id: string; name: string; token: string; link: string }
      return values.json ? JSON.stringify({ id, name, token, link }) : `new link for ${id}: ${link}\n(the old link no longer works)`
    }
    case 'form deadline': {
      const id = need(values.id, 'id')
      const result = await expectOk(
        await send(`/api/admin/forms/${encodeURIComponent(id)}/deadline`, {
          ...json({ time: need(values.time, 'time') }),
          method: 'PUT',
        }),
      )
      return show(result, (r: { formId: string; deadline: string }) => `deadline of ${r.formId}: ${r.deadline}`)
    }
    case 'record reopen': {
      const id = need(values.id, 'id')
      const result = await expectOk(await send(`/api/admin/records/${encodeURIComponent(id)}/reopen`, json({ by: need(values.by, 'by') })))
      return show(result, (r: { recordId: string; until: string }) => `reopened ${r.recordId} until ${r.until}`)
    }
    case 'approver add': {
      const body = { id: need(values.id, 'id'), name: need(values.name, 'name') }
      const result = await expectOk(await send('/api/admin/approvers', json(body)))
      const { id, name, token, link } = result as { id: string; name: string; token: string; link: string }
      return values.json ? JSON.stringify({ id, name, token, link }) : `added approver ${id} (${name})\nlink: ${link}`
    }
    case 'approver list': {
      const result = await expectOk(await send('/api/admin/approvers'))
      return show(result, (approvers: { id: string; name: string }[]) => approvers.map((a) => `${a.id}\t${a.name}`).join('\n'))
    }
    case 'leader add':
    case 'leader rotate': {
      const id = need(values.id, 'id')
      const response =
        command === 'leader add'
          ? await send('/api/admin/leaders', json({ id, name: need(values.name, 'name') }))
          : await send(`/api/admin/leaders/${encodeURIComponent(id)}/rotate`, { method: 'POST' })
      const leader = (await expectOk(response)) as { id: string; name: string; token: string; link: string }
      const { name, token, link } = leader
      return values.json
        ? JSON.stringify({ id, name, token, link })
        : `${command === 'leader add' ? 'added' : 'new link for'} leader ${id} (${name})\nlink: ${link}`
    }
    case 'leader list': {
      const result = await expectOk(await send('/api/admin/leaders'))
      return show(result, (leaders: { id: string; name: string }[]) => leaders.map((l) => `${l.id}\t${l.name}`).join('\n'))
    }
    case 'sheet rebuild': {
      const result = await expectOk(await send('/api/admin/sheet/rebuild', { method: 'POST' }))
      return show(result, (r: { rows: number }) => `sheet rebuilt: ${r.rows} rows`)
    }
    case 'export': {
      const query = new URLSearchParams({ form: need(values.form, 'form'), date: need(values.date, 'date') })
      return String(await expectOk(await send(`/api/admin/export?${query}`))).replace(/\r\n$/, '')
    }
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'no command')
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  let connection: Connection | undefined
  try {
    if (argv.length === 0 || argv.includes('--help')) throw new UsageError('')
    connection = await connect()
    process.stdout.write(`${await run(argv, connection.send)}\n`)
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) console.error(error.message)
      console.error(usage)
      process.exitCode = 2
    } else {
      console.error(`admin: ${error instanceof Error ? error.message : String(error)}`)
      process.exitCode = 1
    }
  } finally {
    await connection?.close()
  }
}

await main()
