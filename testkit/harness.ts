// A real system for integration tests: dynalite on a random port (in memory), the real table,
// the real Hono app and a real workbook in a temp folder. No mocks.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { createApprovalStore } from '#commons/adapters/dynamo/approvals.ts'
import { createDynamoClients } from '#commons/adapters/dynamo/client.ts'
import { createDynamoEmergencyStore } from '#commons/adapters/dynamo/emergencies.ts'
import { createFormVersionStore } from '#commons/adapters/dynamo/form-versions.ts'
import { createLinkHolderStore } from '#commons/adapters/dynamo/link-holders.ts'
import { createDynamoStores } from '#commons/adapters/dynamo/stores.ts'
import { ensureTable } from '#commons/adapters/dynamo/table.ts'
import { formWorkbookFiles } from '#commons/adapters/form-workbook.ts'
import type { Clock } from '#commons/clock.ts'
import { DEFAULT_MAX_ESCALATIONS, type EscalationPolicy } from '#commons/emergencies/emergency.ts'
import { createFormCatalog, type FormCatalog, type FormVersionStore } from '#commons/forms/catalog.ts'
import { loadFormInputs } from '#commons/forms/registry.ts'
import { silentLogger } from '#commons/log.ts'
import { type MirrorDeps, mirrorPass, rebuildSheet } from '#commons/sheet/mirror.ts'
import type { EmergencyStore, Stores } from '#commons/store.ts'
import { addUnit } from '#commons/units/roster.ts'
import { hashSecret } from '#commons/units/tokens.ts'
import { createApp } from '#commons/web/app.tsx'
import { startEmbeddedDynamo } from '../functions/local/embedded-dynamodb.ts'
import { localPhotos } from '../functions/local/photos.ts'
import { createWorkbookSink, type WorkbookSink } from '../functions/local/workbook-sink.ts'

export const ADMIN_TOKEN = 'test-admin-token-0123456789'
export const TIME_ZONE = 'Asia/Shanghai'
export const LINK_KEY = 'test-link-key-0123456789abcdef'
export const ACK_KEY = 'test-ack-key-0123456789abcdef'
export const ACK_TTL_S = 3600
const PUBLIC_URL = 'http://forms.test'

/** A clock that stands still until moved. */
export function fixedClock(iso: string): Clock & { set(iso: string): void; advance(ms: number): void } {
  let now = new Date(iso)
  return {
    now: () => new Date(now),
    set: (next) => {
      now = new Date(next)
    },
    advance: (ms) => {
      now = new Date(now.getTime() + ms)
    },
  }
}

export interface Harness {
  app: ReturnType<typeof createApp>
  stores: Stores
  /** the forms: the files in `formsDir` and what the office published over them */
  forms: FormCatalog
  /** the published form versions in the table (another instance's catalog reads them too) */
  formVersions: FormVersionStore
  sink: WorkbookSink
  clock: ReturnType<typeof fixedClock>
  dataDir: string
  /** emergencies, and the escalation policy the app was given */
  emergencies: EmergencyStore
  alertPolicy: EscalationPolicy
  mirror(): Promise<void>
  rebuild(): Promise<{ rows: number }>
  /** adds a unit and returns its bearer token */
  unit(id: string, forms?: string[]): Promise<string>
  close(): Promise<void>
}

export async function startHarness(
  options: {
    formsDir?: string
    now?: string
    alertPolicy?: EscalationPolicy
    onEmergencyChanged?: () => void
    /** with information-release approval (its pages and API) */
    approvals?: boolean
    /** the app's address (links, upload targets); a browser test gives its server's */
    publicUrl?: string
  } = {},
): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sentinel-test-'))
  const clock = fixedClock(options.now ?? '2026-11-28T02:00:00Z') // 10:00 in Shanghai
  const dynamo = await startEmbeddedDynamo()
  const { client, doc } = createDynamoClients(dynamo.endpoint)
  await ensureTable(client, 'test')
  const stores = createDynamoStores(doc, 'test')
  const emergencies = createDynamoEmergencyStore(doc, 'test')
  const alertPolicy = options.alertPolicy ?? { max: DEFAULT_MAX_ESCALATIONS }
  const formVersions = createFormVersionStore(doc, 'test')
  const forms = await createFormCatalog({
    builtIn: await loadFormInputs(options.formsDir),
    store: formVersions,
    clock,
    log: silentLogger,
  })
  const sink = await createWorkbookSink(join(dataDir, 'leaders.xlsx'), silentLogger)
  const publicUrl = options.publicUrl ?? PUBLIC_URL
  const mirrorDeps: MirrorDeps = { ...stores, forms, sink, timeZone: TIME_ZONE, log: silentLogger, publicUrl }
  const approvalForm = forms.approvalForm()
  const app = createApp({
    forms,
    catalog: forms,
    workbooks: formWorkbookFiles,
    stores,
    clock,
    timeZone: TIME_ZONE,
    adminTokenHash: hashSecret(ADMIN_TOKEN),
    linkKey: LINK_KEY,
    publicUrl,
    photos: localPhotos(dataDir, publicUrl, LINK_KEY, clock),
    leaders: createLinkHolderStore(doc, 'test', 'LEADER'),
    log: silentLogger,
    rebuildSheet: () => rebuildSheet(mirrorDeps),
    alerts: {
      emergencies,
      policy: alertPolicy,
      ackKey: ACK_KEY,
      ackTtlS: ACK_TTL_S,
      lang: 'zh',
      ...(options.onEmergencyChanged ? { onChanged: options.onEmergencyChanged } : {}),
    },
    ...(options.approvals && approvalForm ? { approvals: { store: createApprovalStore(doc, 'test'), form: approvalForm } } : {}),
  })
  return {
    app,
    stores,
    forms,
    formVersions,
    sink,
    clock,
    dataDir,
    emergencies,
    alertPolicy,
    async mirror() {
      while ((await mirrorPass(mirrorDeps, { now: clock.now() })).more);
    },
    rebuild: () => rebuildSheet(mirrorDeps),
    async unit(id, unitForms) {
      const { token } = await addUnit(stores.units, forms, clock, { id, name: `单位 ${id}`, forms: unitForms })
      return token
    },
    async close() {
      client.destroy()
      await dynamo.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/** A date cell as the sheet shows it (exceljs reads one as a Date holding the wall time in UTC). */
function shownDate(value: unknown, numFmt: string | undefined): unknown {
  if (!(value instanceof Date)) return value
  // a serial day number carries the seconds as a fraction: round off what the float lost
  const text = new Date(Math.round(value.getTime() / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ')
  return numFmt === 'yyyy-mm-dd' ? text.slice(0, 10) : text
}

/** Every tab of an .xlsx file as rows of cell values (row 1 is the header), dates as the sheet shows them. */
export async function readWorkbook(path: string): Promise<Map<string, unknown[][]>> {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.readFile(path)
  const tabs = new Map<string, unknown[][]>()
  workbook.eachSheet((sheet) => {
    const rows: unknown[][] = []
    sheet.eachRow({ includeEmpty: true }, (row, n) => {
      rows[n - 1] = (row.values as unknown[]).slice(1).map((value, i) => shownDate(value, row.getCell(i + 1).numFmt))
    })
    tabs.set(
      sheet.name,
      Array.from(rows, (r) => r ?? []),
    )
  })
  return tabs
}

/** The data rows (below the header) of one tab that hold something. */
export async function dataRows(path: string, tab: string): Promise<unknown[][]> {
  const rows = (await readWorkbook(path)).get(tab) ?? []
  return rows.slice(1).filter((r) => r.some((v) => v !== undefined && v !== null && v !== ''))
}

/** Signs the office in through its sign-in form, as a browser would; returns the session's `Cookie` header. */
export async function officeCookie(app: { request: ReturnType<typeof createApp>['request'] }, adminToken = ADMIN_TOKEN): Promise<string> {
  const login = await app.request('http://localhost/admin/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
    body: new URLSearchParams({ token: adminToken, next: '/office' }).toString(),
  })
  if (login.status !== 303) throw new Error(`sign-in answered ${login.status}`)
  return (login.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
}
