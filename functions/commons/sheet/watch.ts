// The mirror never fails silently: when a record has waited longer than MIRROR_ALERT_AFTER_S,
// or the sheet refuses writes (403 not shared, 404 wrong id), the office channel gets one
// notice naming the cause and the fix; when the mirror has caught up, one recovery notice. An
// open problem is kept in the settings (its start names both notices), and each notice is
// claimed before it is sent, so each goes out once across runs, restarts and processes.
import type { Notice } from '../daily/cycle.ts'
import type { RecordStore, SettingsStore } from '../store.ts'
import { refusal, type SheetHealth, sheetHealth } from './health.ts'

export interface SheetWatchDeps {
  records: RecordStore
  settings: SettingsStore
  /** seconds a record may wait for the sheet before the office is told */
  alertAfterS: number
  /** where the office looks (the office page) */
  officeLink: string
  /** who the sheet must be shared with, when known (the service account's e-mail) */
  account?: string
}

const PROBLEM = 'sheet.problemSince'

function cause(deps: SheetWatchDeps, health: SheetHealth, refusedWith: { status: number; fix?: string } | undefined): string[] {
  const waiting = `${health.pending} 条记录等待写入，最久 ${Math.round(health.oldestPendingS / 60)} 分钟`
  const refused = refusedWith?.status
  if (refused !== undefined && refusedWith?.fix) {
    const what = refused === 404 ? `找不到表格 (HTTP ${refused})。` : `表格拒绝写入 (HTTP ${refused})。`
    return [what, `处理：${refusedWith.fix}`, waiting]
  }
  if (refused === 403 || refused === 401)
    return [
      `表格拒绝写入 (HTTP ${refused})：未共享给本系统的账号。`,
      `处理：把表格以“编辑者”身份共享给 ${deps.account ?? '服务账号 (client_email)'}。`,
      waiting,
    ]
  if (refused === 404) return ['找不到表格 (HTTP 404)。', '处理：检查 SHEET_ID 是否为表格地址 …/spreadsheets/d/ID/edit 中的 ID。', waiting]
  return [
    waiting,
    health.lastError ? `最近一次错误：${health.lastError}` : '表格写入缓慢。',
    '处理：检查网络与 Google Sheets API 配额（每分钟 60 次写入）；数据都在数据库中，恢复后自动补写。',
  ]
}

/**
 * One look at the mirror: sends the problem or the recovery notice when due. `send` claims and
 * delivers a notice once (the daily cycle's sendOnce); a failed send is tried again next run.
 */
export async function watchSheet(
  deps: SheetWatchDeps,
  send: (notice: Notice) => Promise<'sent' | 'skipped' | 'failed'>,
  now: Date,
): Promise<'problem' | 'recovered' | undefined> {
  const [health, refused, since] = await Promise.all([sheetHealth(deps, now), refusal(deps.settings), deps.settings.get(PROBLEM)])
  const bad = refused !== undefined || health.oldestPendingS > deps.alertAfterS
  if (bad) {
    const start = since || now.toISOString()
    if (!since) await deps.settings.put(PROBLEM, start)
    const outcome = await send({
      id: `sheet:problem:${start}`,
      audience: { kind: 'office' },
      state: 'problem',
      title: '【表格】领导小组表格未更新',
      lines: cause(deps, health, refused),
      link: deps.officeLink,
      linkLabel: '办公室页面',
    })
    return outcome === 'sent' ? 'problem' : undefined
  }
  if (!since) return undefined
  const outcome = await send({
    id: `sheet:recovered:${since}`,
    audience: { kind: 'office' },
    state: 'recovered',
    title: '【表格】领导小组表格已恢复更新',
    lines: [`自 ${since} 起的问题已解决：等待写入的记录 ${health.pending} 条。`],
    link: deps.officeLink,
    linkLabel: '办公室页面',
  })
  // the next problem is a new one, with notices of its own
  if (outcome !== 'failed') await deps.settings.put(PROBLEM, '')
  return outcome === 'sent' ? 'recovered' : undefined
}
