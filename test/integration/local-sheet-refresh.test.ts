/**
 * Locally as on AWS, a decision reaches the sheet within seconds: the local system with its
 * workers, a sweep too far off to help, and the 信息发布 tab of the workbook showing the decision.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { silentLogger } from '#commons/log.ts'
import { addUnit } from '#commons/units/roster.ts'
import { parseLocalConfig } from '../../functions/local/config.ts'
import { createLocalSystem, type LocalSystem } from '../../functions/local/system.ts'
import { submission } from '../../testkit/fixtures.ts'
import { ADMIN_TOKEN, dataRows } from '../../testkit/harness.ts'

let dataDir: string
let system: LocalSystem

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sentinel-refresh-'))
  // the sweep is an hour away: only the prompt refresh can bring the decision in time
  const config = parseLocalConfig({ DATA_DIR: dataDir, ADMIN_TOKEN, DEMO: 'off', SWEEP_INTERVAL_S: '3600', MIRROR_DEBOUNCE_MS: '0' })
  system = await createLocalSystem(config, { log: silentLogger, publicUrl: 'http://forms.test', workers: true })
})
afterAll(async () => {
  await system.close()
  await rm(dataDir, { recursive: true, force: true })
})

/** waits until the tab has a row that satisfies `ok`: far sooner than the hour-long sweep, with room for a busy machine */
async function rowOn(tab: string, ok: (row: unknown[]) => boolean, timeoutMs = 20_000): Promise<unknown[]> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const row = (await dataRows(system.sink.path, tab).catch(() => [])).find(ok)
    if (row) return row
    if (Date.now() > until) throw new Error(`no such row on ${tab} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

it('shows an approval decision on the 信息发布 tab within seconds, without waiting for the sweep', async () => {
  const { token } = await addUnit(
    system.stores.units,
    system.forms,
    { now: () => new Date() },
    { id: 'pr', name: '宣传科', forms: ['info-release'] },
  )
  const res = await system.app.request(
    '/api/forms/info-release/submissions',
    submission(token, {
      title: '临时闭园通知',
      channel: 'wechat',
      content: '东园公园临时闭园。',
      requesterName: '黄磊',
      requesterPhone: '13800138000',
    }),
  )
  expect(res.status, await res.clone().text()).toBe(201)
  const { id } = (await res.json()) as { id: string }
  await rowOn('信息发布', (r) => r[0] === id && r[5] === '待审批')

  const decided = await system.app.request(`/api/info-releases/${encodeURIComponent(id)}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ by: '刘洋', comment: '同意' }),
  })
  expect(decided.status).toBe(200)

  expect((await rowOn('信息发布', (r) => r[0] === id && r[5] === '已批准'))[9]).toBe('同意')
})
