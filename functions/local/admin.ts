// `npm run admin -- <command>`: the office's CLI. It talks to the admin API of the running
// server (LevelDB allows one process); with no server running it builds the system in-process
// and calls the same API without a network.
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { renderUnicodeCompact } from 'uqr'
import { readFormWorkbook, writeFormWorkbook } from '#commons/adapters/form-workbook.ts'
import { localDateTime } from '#commons/clock.ts'
import type { VersionInfo } from '#commons/forms/catalog.ts'
import { FormDefinition } from '#commons/forms/definition.ts'
import type { DefinitionIssue } from '#commons/forms/registry.ts'
import { definitionToTables, describeIssue, tablesToDefinition, type WorkbookIssue } from '#commons/forms/workbook.ts'
import { silentLogger } from '#commons/log.ts'
import { parseLocalConfig } from './config.ts'
import { runningServer } from './instance.ts'
import { createLocalSystem } from './system.ts'

const usage = `usage: npm run admin -- <command>
  unit add --id ID --name NAME [--type office|section|park|resource|engineering] [--forms a,b]
           [--sites "site 1,site 2"] [--contact-name N --contact-phone P] [--webhook type=url] [--json]
  unit edit --id ID [--name N] [--type T] [--forms a,b] [--sites a,b] [--contact-name N] [--contact-phone P]
            [--webhook type=url] [--json]      (an empty value removes: --webhook '')
  unit retire --id ID [--json]                (owes nothing from today, its link stops working, records stay)
  unit list [--json]
  unit rotate --id ID [--json]
  form deadline --id FORM --time HH:MM
  form list [--json]                          (every form with its current version)
  form versions --id FORM [--json]            (who published each version, when)
  form export --id FORM --out FILE.xlsx       (the form as a workbook to edit in Excel or WPS)
  form publish --file FILE.xlsx|FILE.json --by NAME [--json]   (a new version, or a new form)
  form rollback --id FORM --by NAME [--to VERSION] [--json]    (publishes an earlier version again)
  record reopen --id RECORD_ID --by NAME       (a closed daily report may be corrected until midnight)
  emergency ack|resolve --id EMERGENCY_ID --by NAME [--json]
  release approve|reject --id RECORD_ID --by NAME [--comment TEXT] [--json]   (rejecting needs --comment)
  approver add --id ID --name NAME [--json]   (an information-release approver and their link)
  approver list [--json]
  approver rotate --id ID [--json]           (a new link; the old one stops working)
  approver revoke --id ID [--json]           (their link stops working; their decisions stay)
  leader add --id ID --name NAME [--json]     (a leader and their link to the read-only dashboard)
  leader list [--json]
  leader rotate --id ID [--json]              (new link; the old one stops working)
  leader revoke --id ID [--json]              (their link stops working)
  sheet rebuild
  export --form ID --date YYYY-MM-DD          (CSV with a UTF-8 BOM on standard output)
  --help                                      this list
webhook types: wecom, dingtalk, feishu, slack, json`

class UsageError extends Error {
  override name = 'UsageError'
}

type Send = (path: string, init?: RequestInit) => Promise<Response>

interface Connection {
  send: Send
  /** the organisation's time zone: times are printed in it */
  timeZone: string
  close(): Promise<void>
}

async function connect(): Promise<Connection> {
  const config = parseLocalConfig()
  const running = await runningServer(config.DATA_DIR)
  if (running.state === 'unproven')
    throw new Error(
      `${join(config.DATA_DIR, 'server.json')} names ${running.url} (process ${running.pid}), but what answers there does not prove it is this data folder's server: the admin token was not sent. If no server is running, delete that file.`,
    )
  if (running.state === 'running') {
    const { url } = running
    const tokenFile = join(config.DATA_DIR, 'admin-token')
    const token = config.ADMIN_TOKEN ?? (existsSync(tokenFile) ? (await readFile(tokenFile, 'utf8')).trim() : '')
    const send: Send = (path, init = {}) =>
      fetch(`${url}${path}`, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } })
    return { send, timeZone: config.ORG_TIMEZONE, close: async () => {} }
  }
  const publicUrl = (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '')
  const system = await createLocalSystem(config, { log: silentLogger, publicUrl, workers: false })
  const send: Send = async (path, init = {}) =>
    system.app.request(path, { ...init, headers: { ...init.headers, authorization: `Bearer ${system.adminToken}` } })
  return { send, timeZone: config.ORG_TIMEZONE, close: () => system.close() }
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

/** The API's fields as the CLI's flags, for errors that name one. */
const FLAGS: Record<string, string> = {
  id: '--id',
  name: '--name',
  type: '--type',
  forms: '--forms',
  sites: '--sites',
  contact: '--contact-name/--contact-phone',
  webhook: '--webhook',
  time: '--time',
  by: '--by',
}

async function expectOk(response: Response): Promise<unknown> {
  // The BOM of a CSV export is kept: Excel needs it to read UTF-8.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer())
  if (!response.ok) {
    let message = text
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text
    } catch {
      // not JSON: show as is
    }
    // `type: must be one of …` → `--type: must be one of …`
    const field = /^(\w+): /.exec(message)?.[1]
    const flag = field ? FLAGS[field] : undefined
    throw new Error(flag ? `${flag}${message.slice((field as string).length)}` : `${response.status}: ${message}`)
  }
  return response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text
}

function need(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`missing --${flag}`)
  return value
}

/** The link as a QR code in the terminal, to scan at once (the office pages print a poster). */
const qr = (link: string) => renderUnicodeCompact(link, { ecc: 'M', border: 2 })

const list = (v: string | undefined) =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)

interface ShownUnit {
  id: string
  name: string
  forms: string[]
  contact?: { name: string; phone: string }
  retiredAt?: string
}

function parse(argv: string[]) {
  try {
    return parseArgs({
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
        comment: { type: 'string' },
        file: { type: 'string' },
        out: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    })
  } catch (error) {
    // An unknown or malformed option: say which, with the list.
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

async function run(argv: string[], { send, timeZone }: Connection): Promise<string> {
  const { values, positionals } = parse(argv)
  const command = positionals.join(' ')
  const time = (iso: string) => `${localDateTime(new Date(iso), timeZone)} (${timeZone})`
  const show = (result: unknown, text: (r: never) => string) => (values.json ? JSON.stringify(result) : text(result as never))

  switch (command) {
    case 'unit add': {
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
      return values.json ? JSON.stringify({ id, name, token, link }) : `added ${id} (${name})\nlink: ${link}\n${qr(link)}`
    }
    case 'unit edit': {
      const id = need(values.id, 'id')
      let contact: { name: string; phone: string } | null | undefined
      if (values['contact-name'] !== undefined || values['contact-phone'] !== undefined) {
        // One of the two given: the other stays as it is.
        const units = (await expectOk(await send('/api/admin/units'))) as ShownUnit[]
        const current = units.find((u) => u.id === id)?.contact
        const name = values['contact-name'] ?? current?.name ?? ''
        const phone = values['contact-phone'] ?? current?.phone ?? ''
        contact = name || phone ? { name, phone } : null
      }
      const changes = {
        name: values.name,
        type: values.type === '' ? null : values.type,
        forms: list(values.forms),
        sites: values.sites === undefined ? undefined : (list(values.sites) ?? []),
        contact,
        webhook: values.webhook,
      }
      const result = await expectOk(await send(`/api/admin/units/${encodeURIComponent(id)}`, { ...json(changes), method: 'PATCH' }))
      return show(result, (u: ShownUnit) => `edited ${u.id} (${u.name}): forms ${u.forms.join(',')}`)
    }
    case 'unit retire': {
      const id = need(values.id, 'id')
      const result = await expectOk(await send(`/api/admin/units/${encodeURIComponent(id)}/retire`, { method: 'POST' }))
      return show(
        result,
        (u: ShownUnit) =>
          `retired ${u.id} (${u.name}) at ${time(u.retiredAt ?? '')}: it owes no report from that day, its link no longer works; its records stay`,
      )
    }
    case 'unit list': {
      const result = await expectOk(await send('/api/admin/units'))
      return show(result, (units: ShownUnit[]) =>
        units.map((u) => `${u.id}\t${u.name}\t${u.forms.join(',')}${u.retiredAt ? `\tretired ${time(u.retiredAt)}` : ''}`).join('\n'),
      )
    }
    case 'unit rotate': {
      const result = await expectOk(await send(`/api/admin/units/${encodeURIComponent(need(values.id, 'id'))}/rotate`, { method: 'POST' }))
      const { id, name, token, link } = result as { id: string; name: string; token: string; link: string }
      return values.json
        ? JSON.stringify({ id, name, token, link })
        : `new link for ${id}: ${link}\n(the old link no longer works)\n${qr(link)}`
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
    case 'form list': {
      const result = await expectOk(await send('/api/admin/forms'))
      return show(result, (forms: { id: string; version: number; title: { zh: string }; kind: string }[]) =>
        forms.map((f) => `${f.id}\tversion ${f.version}\t${f.kind}\t${f.title.zh}`).join('\n'),
      )
    }
    case 'form versions': {
      const result = await expectOk(await send(`/api/admin/forms/${encodeURIComponent(need(values.id, 'id'))}/versions`))
      return show(result, (versions: VersionInfo[]) =>
        versions
          .map((v) =>
            [
              `version ${v.version}`,
              v.builtIn ? 'built in (forms/)' : `${v.publishedBy}\t${time(v.publishedAt)}`,
              v.rolledBackTo ? `rollback to version ${v.rolledBackTo}` : '',
            ]
              .filter(Boolean)
              .join('\t'),
          )
          .join('\n'),
      )
    }
    case 'form export': {
      const id = need(values.id, 'id')
      const out = need(values.out, 'out')
      const form = FormDefinition.parse(await expectOk(await send(`/api/admin/forms/${encodeURIComponent(id)}`)))
      await writeFile(out, await writeFormWorkbook(definitionToTables(form)))
      return `wrote ${form.id} version ${form.version} to ${out}`
    }
    case 'form publish':
      return publishForm(send, need(values.file, 'file'), need(values.by, 'by'), values.json)
    case 'form rollback': {
      const id = need(values.id, 'id')
      const to = values.to === undefined ? undefined : Number(values.to)
      if (to !== undefined && !Number.isInteger(to)) throw new UsageError('--to: a version number')
      const response = await send(`/api/admin/forms/${encodeURIComponent(id)}/rollback`, json({ by: need(values.by, 'by'), to }))
      if (response.status === 422) throw new Error(issueLines(await response.json()).join('\n'))
      const result = (await expectOk(response)) as { id: string; version: number }
      return show(
        result,
        (r: { id: string; version: number }) => `${r.id}: version ${r.version} published, with the definition of the version asked for`,
      )
    }
    case 'record reopen': {
      const id = need(values.id, 'id')
      const result = await expectOk(await send(`/api/admin/records/${encodeURIComponent(id)}/reopen`, json({ by: need(values.by, 'by') })))
      return show(result, (r: { recordId: string; until: string }) => `reopened ${r.recordId} until ${time(r.until)}`)
    }
    case 'emergency ack':
    case 'emergency resolve': {
      const path = `/api/emergencies/${encodeURIComponent(need(values.id, 'id'))}/${positionals[1]}`
      const result = await expectOk(await send(path, json({ by: need(values.by, 'by') })))
      return show(result, (e: { id: string; status: string; acknowledgedBy: string | null; resolvedBy: string | null }) =>
        [e.id, e.status, e.resolvedBy ?? e.acknowledgedBy].join('\t'),
      )
    }
    case 'release approve':
    case 'release reject': {
      const path = `/api/info-releases/${encodeURIComponent(need(values.id, 'id'))}/${positionals[1]}`
      const result = await expectOk(await send(path, json({ by: need(values.by, 'by'), comment: values.comment })))
      return show(result, (r: { id: string; status: string; decision: { by: { name: string } } }) =>
        [r.id, r.status, r.decision.by.name].join('\t'),
      )
    }
    case 'approver add': {
      const body = { id: need(values.id, 'id'), name: need(values.name, 'name') }
      const result = await expectOk(await send('/api/admin/approvers', json(body)))
      const { id, name, token, link } = result as { id: string; name: string; token: string; link: string }
      return values.json ? JSON.stringify({ id, name, token, link }) : `added approver ${id} (${name})\nlink: ${link}`
    }
    case 'approver rotate': {
      const id = need(values.id, 'id')
      const result = await expectOk(await send(`/api/admin/approvers/${encodeURIComponent(id)}/rotate`, { method: 'POST' }))
      const { name, token, link } = result as { name: string; token: string; link: string }
      return values.json
        ? JSON.stringify({ id, name, token, link })
        : `new link for approver ${id} (${name}); the old one no longer works\nlink: ${link}`
    }
    case 'approver revoke': {
      const id = need(values.id, 'id')
      const result = await expectOk(await send(`/api/admin/approvers/${encodeURIComponent(id)}/revoke`, { method: 'POST' }))
      return show(result, (r: { id: string; name: string }) => `revoked approver ${r.id} (${r.name}): their link no longer works`)
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
    case 'leader revoke': {
      const id = need(values.id, 'id')
      const result = await expectOk(await send(`/api/admin/leaders/${encodeURIComponent(id)}/revoke`, { method: 'POST' }))
      return show(result, (r: { id: string; name: string }) => `revoked leader ${r.id} (${r.name}): their link no longer works`)
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

type Refusal = { issues?: { path: string; message: string }[] }
const issueLines = (refusal: Refusal) => (refusal.issues ?? []).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))

/** Publishes a workbook or a JSON definition; a refusal names each problem's sheet, row and column (or path). */
async function publishForm(send: Send, file: string, by: string, asJson: boolean): Promise<string> {
  const data = await readFile(file)
  let input: unknown
  let locate: ((issue: DefinitionIssue) => WorkbookIssue) | undefined
  if (/\.xlsx$/i.test(file)) {
    const parsed = tablesToDefinition(await readFormWorkbook(data))
    if ('issues' in parsed) throw new Error(`${file} was not published:\n${parsed.issues.map((i) => `  ${describeIssue(i)}`).join('\n')}`)
    input = parsed.input
    locate = parsed.locate
  } else {
    try {
      input = JSON.parse(data.toString('utf8'))
    } catch {
      throw new Error(`${file}: not JSON (publish a .xlsx workbook or a .json definition)`)
    }
  }
  const response = await send(`/api/admin/forms?${new URLSearchParams({ by })}`, json(input))
  if (response.status === 422) {
    const refusal = (await response.json()) as Refusal
    const lines = locate
      ? (refusal.issues ?? []).map((i) =>
          describeIssue(
            locate({ path: i.path ? i.path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s)) : [], message: i.message }),
          ),
        )
      : issueLines(refusal)
    throw new Error(`${file} was not published:\n${lines.map((l) => `  ${l}`).join('\n')}`)
  }
  const result = (await expectOk(response)) as { id: string; version: number }
  return asJson ? JSON.stringify(result) : `published ${result.id} version ${result.version}`
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  let connection: Connection | undefined
  try {
    if (argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
      process.stdout.write(`${usage}\n`)
      return
    }
    if (argv.length === 0) throw new UsageError('')
    parse(argv) // a usage error before the database is opened
    connection = await connect()
    process.stdout.write(`${await run(argv, connection)}\n`)
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
