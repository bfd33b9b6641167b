// The local system as `npm start` wires it: a submission wakes the alert pump, webhooks are
// called for real, escalation runs on its timer with a window of one second (real time), and
// the workbook's 应急 tab follows the acknowledgement.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { silentLogger } from '#commons/log.ts'
import { addUnit } from '#commons/units/roster.ts'
import { parseLocalConfig } from '../../functions/local/config.ts'
import { createLocalSystem, type LocalSystem } from '../../functions/local/system.ts'
import { emergencyRequest, submission } from '../../testkit/fixtures.ts'
import { ADMIN_TOKEN, dataRows } from '../../testkit/harness.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../../testkit/webhook-receiver.ts'

let receiver: WebhookReceiver
let system: LocalSystem
let dataDir: string

beforeAll(async () => {
  receiver = await startWebhookReceiver()
  dataDir = await mkdtemp(join(tmpdir(), 'sentinel-alerts-'))
  const config = parseLocalConfig({
    DATA_DIR: dataDir,
    ADMIN_TOKEN,
    DEMO: 'off',
    ALERT_WEBHOOKS: `json=${receiver.url}/hooks/group`,
    ESCALATION_WEBHOOKS: `json=${receiver.url}/hooks/leaders`,
    ESCALATE_AFTER_S: '1',
    ESCALATE_MAX: '5',
    ALERT_TICK_S: '0.2',
    DAILY_CYCLE_INTERVAL_S: '3600',
  })
  system = await createLocalSystem(config, { log: silentLogger, publicUrl: 'http://forms.test', workers: true })
})

afterAll(async () => {
  await system.close()
  await receiver.close()
  await rm(dataDir, { recursive: true, force: true })
})

const sentTo = (path: string) => receiver.requests.filter((r) => r.path === path).map((r) => r.body as { id: string; escalation: number })

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

it('alerts the group within seconds, escalates to the leaders each window, and stops when acknowledged', async () => {
  const { token } = await addUnit(
    system.stores.units,
    system.forms,
    { now: () => new Date() },
    { id: 'park-east', name: '东园', forms: ['emergency'] },
  )
  receiver.failNext(1, 502)
  const started = Date.now()
  const res = await system.app.request('/api/forms/emergency/submissions', submission(token, emergencyRequest({ severity: 'critical' })))
  expect(res.status).toBe(201)

  await until(() => sentTo('/hooks/group').length >= 2, 'the alert after one failure')
  const firstAt = receiver.requests.at(-1)?.receivedAt ?? 0
  await until(() => sentTo('/hooks/leaders').length >= 1, 'the first escalation')
  console.log(
    `local system: submission → first try ${(receiver.requests[0]?.receivedAt ?? 0) - started} ms; → group alert (after one 502 and a 500 ms back-off) ${firstAt - started} ms; → first escalation (window 1 s) ${(receiver.requests.at(-1)?.receivedAt ?? 0) - started} ms`,
  )

  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
  const [open] = (await (await system.app.request('/api/emergencies?status=open', { headers: admin })).json()) as { id: string }[]
  const ack = await system.app.request(`/api/emergencies/${open?.id}/ack`, { method: 'POST', headers: admin, body: '{"by":"值班员"}' })
  expect(ack.status).toBe(200)
  const escalationsAtAck = sentTo('/hooks/leaders').length
  await new Promise((resolve) => setTimeout(resolve, 2500)) // two more windows

  expect(sentTo('/hooks/group').map((b) => b.escalation)).toEqual([0, 0]) // one failed try, one delivery, same id
  expect(new Set(sentTo('/hooks/group').map((b) => b.id)).size).toBe(1)
  expect(sentTo('/hooks/leaders').length).toBe(escalationsAtAck)
  await system.mirror.drain()
  const [row] = await dataRows(system.sink.path, '应急')
  expect(row?.slice(1, 3)).toEqual(['已确认', '特急'])
  expect(row?.[6]).toBe('值班员')
})
