// An approver's link can be replaced (a lost phone) or revoked (someone leaves): the old token stops
// working at once, on the API and on the approver's page, and decisions already made stay recorded.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '#commons/log.ts'
import { parseLocalConfig } from '../../functions/local/config.ts'
import { createLocalSystem, type LocalSystem } from '../../functions/local/system.ts'

let dataDir: string
let system: LocalSystem

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sentinel-approvers-'))
  system = await createLocalSystem(parseLocalConfig({ DATA_DIR: dataDir, DEMO: 'off' }), {
    log: silentLogger,
    publicUrl: 'http://forms.test',
    workers: false,
  })
})
afterAll(async () => {
  await system?.close()
  await rm(dataDir, { recursive: true, force: true })
})

const admin = (path: string, body?: unknown) =>
  system.app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${system.adminToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
const asApprover = (token: string) => system.app.request('/api/info-releases', { headers: { authorization: `Bearer ${token}` } })

describe('an approver’s link', () => {
  it('is replaced by rotate: the old token is refused, the new one works', async () => {
    const added = (await (await admin('/api/admin/approvers', { id: 'lead-zhang', name: '张主任' })).json()) as { token: string }
    expect((await asApprover(added.token)).status).toBe(200)

    const rotated = await admin('/api/admin/approvers/lead-zhang/rotate')
    expect(rotated.status).toBe(200)
    const fresh = (await rotated.json()) as { token: string; link: string }
    expect(fresh.link).toBe(`http://forms.test/a/${fresh.token}`)
    expect((await asApprover(added.token)).status).toBe(401)
    expect((await system.app.request(`/a/${added.token}`)).status).toBe(404)
    expect((await asApprover(fresh.token)).status).toBe(200)
  })

  it('stops working when revoked, and is listed as revoked', async () => {
    const added = (await (await admin('/api/admin/approvers', { id: 'lead-li', name: '李科长' })).json()) as { token: string }
    const revoked = await admin('/api/admin/approvers/lead-li/revoke')
    expect(revoked.status).toBe(200)
    expect(await revoked.json()).toMatchObject({ id: 'lead-li', revokedAt: expect.any(String) })
    expect((await asApprover(added.token)).status).toBe(401)
    expect((await system.app.request(`/a/${added.token}`)).status).toBe(404)
    const listed = (await (
      await system.app.request('/api/admin/approvers', { headers: { authorization: `Bearer ${system.adminToken}` } })
    ).json()) as { id: string; revokedAt?: string }[]
    expect(listed.find((a) => a.id === 'lead-li')?.revokedAt).toBeDefined()
    expect((await admin('/api/admin/approvers/nobody/revoke')).status).toBe(404)
  })
})
