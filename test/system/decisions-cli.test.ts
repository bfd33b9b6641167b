// Named decisions from the office's CLI against the running server: `--by` is required, and the
// record says who.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { emergencyRequest, submission } from '../../testkit/fixtures.ts'
import { eventually, runAdmin, type ServerProcess, startServerProcess } from '../../testkit/server-process.ts'

let dataDir: string
let server: ServerProcess

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sentinel-decisions-'))
  server = await startServerProcess({ DATA_DIR: dataDir })
})
afterAll(async () => {
  await server.kill('SIGKILL')
  await rm(dataDir, { recursive: true, force: true })
})

const env = () => ({ DATA_DIR: dataDir })

it('acknowledges, resolves, approves and rejects only with --by, recording that name', async () => {
  const token = server.links.get('park-east') ?? ''
  const raised = await fetch(`${server.url}/api/forms/emergency/submissions`, submission(token, emergencyRequest()))
  expect(raised.status).toBe(201)
  const release = await fetch(
    `${server.url}/api/forms/info-release/submissions`,
    submission(token, {
      title: '闭园通知',
      channel: 'wechat',
      content: '东园公园临时闭园。',
      requesterName: '黄磊',
      requesterPhone: '13800138000',
    }),
  )
  expect(release.status).toBe(201)
  const releaseId = ((await release.json()) as { id: string }).id
  const mine = () => fetch(`${server.url}/api/emergencies`, { headers: { authorization: `Bearer ${token}` } })
  const [emergency] = await eventually(async () => {
    const list = (await (await mine()).json()) as { id: string }[]
    return list.length > 0 ? list : undefined
  })
  const id = emergency?.id ?? ''

  // Each run starts a CLI process: what does not depend on another runs alongside it.
  const [unnamed, unnamedRelease, acked, rejected] = await Promise.all([
    runAdmin(['emergency', 'ack', '--id', id], env()),
    runAdmin(['release', 'approve', '--id', releaseId], env()),
    runAdmin(['emergency', 'ack', '--id', id, '--by', '值班员 刘洋', '--json'], env()),
    runAdmin(['release', 'reject', '--id', releaseId, '--by', '办公室 周敏', '--comment', '请核实'], env()),
  ])
  const resolved = await runAdmin(['emergency', 'resolve', '--id', id, '--by', '组长 陈静'], env())

  expect(unnamed.code).toBe(2)
  expect(unnamed.stderr).toContain('missing --by')
  expect(acked.code, acked.stderr).toBe(0)
  expect(JSON.parse(acked.stdout)).toMatchObject({ id, status: 'acknowledged', acknowledgedBy: '值班员 刘洋' })
  expect(resolved.stdout.trim()).toBe(`${id}\tresolved\t组长 陈静`)
  expect(unnamedRelease.code).toBe(2)
  expect(rejected.stdout.trim()).toBe(`${releaseId}\trejected\t办公室 周敏`)
  expect(await (await mine()).json()).toEqual([
    expect.objectContaining({ id, status: 'resolved', acknowledgedBy: '值班员 刘洋', resolvedBy: '组长 陈静' }),
  ])
}, 120_000)
