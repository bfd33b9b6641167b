// Hostile words against the real `npm start` process, where the review found them: a title and a
// requester name with a forged link line and mentions, in an information-release request and in an
// emergency, reach every robot as inert text (one line per field, the system's link the only link,
// no live mention).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { emergencyRequest, submission } from '../../testkit/fixtures.ts'
import { hostileName, hostileText, inertProblems, robotView } from '../../testkit/robot-view.ts'
import { type ServerProcess, startServerProcess } from '../../testkit/server-process.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../../testkit/webhook-receiver.ts'

let dataDir: string
let server: ServerProcess
let receiver: WebhookReceiver

const robots = (url: string, who: string) =>
  [
    `wecom=${url}/cgi-bin/webhook/send?key=${who}`,
    `dingtalk=${url}/robot/send?access_token=${who}`,
    `feishu=${url}/open-apis/bot/v2/hook/${who}`,
    `slack=${url}/services/T0/B0/${who}`,
    `json=${url}/json/${who}`,
  ].join(',')
const to = (who: string) => receiver.requests.filter((r) => `${r.path}?${r.rawQuery}`.includes(who))
const chat = (who: string) => to(who).filter((r) => !r.path.startsWith('/json'))

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sentinel-robots-'))
  receiver = await startWebhookReceiver()
  server = await startServerProcess({
    DATA_DIR: dataDir,
    ALERT_WEBHOOKS: robots(receiver.url, 'alerts'),
    APPROVER_WEBHOOKS: robots(receiver.url, 'approvers'),
    ALERT_TICK_S: '0.2',
    SWEEP_INTERVAL_S: '1',
  })
}, 60_000)

afterAll(async () => {
  await server?.kill('SIGKILL')
  await receiver?.close()
  await rm(dataDir, { recursive: true, force: true })
})

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

it('keeps a forged link line and mentions in a release request inert on every approver robot', async () => {
  const token = server.links.get('park-east') ?? ''
  const body = {
    title: hostileText('乙'),
    channel: 'wechat',
    content: '春节期间值班安排。',
    requesterName: hostileName('丙'),
    requesterPhone: '13800138000',
  }
  const res = await fetch(`${server.url}/api/forms/info-release/submissions`, submission(token, body))
  expect(res.status).toBe(201)

  await until(() => chat('approvers').length >= 4, 'the notice on four robots')
  for (const view of chat('approvers').map(robotView)) {
    expect(inertProblems(view, [`${server.url}/office/info-releases`], ['乙', '丙'])).toEqual([])
  }
})

it('keeps hostile words in an emergency inert on every alert robot', async () => {
  const token = server.links.get('park-west') ?? ''
  const typed = { location: hostileText('丁'), description: hostileText('戊'), contactName: hostileName('己') }
  const res = await fetch(`${server.url}/api/forms/emergency/submissions`, submission(token, emergencyRequest(typed)))
  expect(res.status).toBe(201)

  await until(() => to('alerts').length >= 5, 'the alert on five channels')
  const [data] = to('/json/alerts').map((r) => r.body as { ackUrl: string })
  expect(data?.ackUrl).toMatch(new RegExp(`^${server.url}/ack/`))
  for (const view of chat('alerts').map(robotView)) {
    expect(inertProblems(view, [String(data?.ackUrl)], ['丁', '戊', '己'])).toEqual([])
  }
})
