// The office's unit, approver, leader and deadline pages as plain HTML form posts (no JavaScript, no
// browser checks): sign-in required, same-origin only, refusals change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, type Harness, startHarness } from '../../testkit/harness.ts'

let h: Harness
const origin = 'http://localhost'

beforeAll(async () => {
  h = await startHarness({ approvals: true })
})
afterAll(() => h.close())

const signedIn = { authorization: `Bearer ${ADMIN_TOKEN}` }
const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = { origin, ...signedIn }) =>
  h.app.request(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  })

describe('office pages', () => {
  it('send the signed-out to the sign-in, and refuse a post from another site', async () => {
    for (const path of ['/office/units', '/office/units/new', '/office/approvers', '/office/leaders', '/office/deadlines']) {
      const res = await h.app.request(`${origin}${path}`)
      expect(res.status, path).toBe(303)
      expect(res.headers.get('location')).toContain('/admin/login')
    }
    const forged = await post('/office/units/new', { id: 'forged', name: '伪造' }, { origin: 'https://evil.example', ...signedIn })
    expect(forged.status).toBe(403)
    expect(await h.stores.units.get('forged')).toBeUndefined()
  })

  it('add a unit and show its link once, never storing it', async () => {
    const res = await post('/office/units/new', {
      id: 'plain',
      name: '普通单位',
      type: 'section',
      contactName: '',
      contactPhone: '',
      webhook: '',
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const html = await res.text()
    const token = /\/u\/(plain\.[A-Za-z0-9_-]+)/.exec(html)?.[1] ?? ''
    expect((await h.app.request(`/api/forms`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200)
    expect(JSON.stringify(await h.stores.units.get('plain'))).not.toContain(token.split('.')[1])
    expect(await h.stores.units.get('plain')).toMatchObject({ type: 'section', forms: ['daily-health', 'emergency', 'info-release'] })
  })

  it('keep what was typed and change nothing on a refusal, in the language asked for', async () => {
    const res = await post('/office/units/new?lang=en', { id: 'Bad Id', name: '坏单位' })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('Unit id: lowercase letters, digits')
    expect(html).toContain('value="Bad Id"')
    expect(await h.stores.units.list()).not.toContainEqual(expect.objectContaining({ name: '坏单位' }))

    const unconfirmed = await post('/office/units/plain/retire', {})
    expect(unconfirmed.status).toBe(422)
    expect(await unconfirmed.text()).toContain('请勾选确认')
    expect((await h.stores.units.get('plain'))?.retiredAt).toBeUndefined()

    const badTime = await post('/office/deadlines', { 'daily-health': '25:00', 'wildlife-daily': '08:00', 'site-daily': '10:00' })
    expect(badTime.status).toBe(422)
    expect(await badTime.text()).toContain('请填写 24 小时制时间')
    expect(await h.stores.settings.get('deadline#wildlife-daily')).toBeUndefined() // nothing saved

    const approver = await post('/office/approvers', { id: 'pr', name: '' })
    expect(approver.status).toBe(422)
    expect(await approver.text()).toContain('姓名：请填写 1–100 个字符')
  })

  it('give a leader a link shown once, and stop it at once on revoke', async () => {
    const added = await post('/office/leaders', { id: 'zhang', name: '张组长' })
    expect(added.status).toBe(201)
    expect(added.headers.get('cache-control')).toBe('no-store')
    const html = await added.text()
    expect(html).toContain('张组长 的简报链接')
    const token = /http:\/\/forms\.test\/l\/(leader\.zhang\.[A-Za-z0-9_-]+)/.exec(html)?.[1] ?? ''
    expect((await h.app.request(`/l/${token}`)).status).toBe(200)

    const listed = await (await h.app.request(`${origin}/office/leaders`, { headers: signedIn })).text()
    expect(listed).toContain('张组长')
    expect(listed).not.toContain(token)

    const badId = await post('/office/leaders', { id: 'zhang', name: '另一位' })
    expect(badId.status).toBe(422)
    expect(await badId.text()).toContain('领导ID：只能用小写字母')

    expect((await post('/office/leaders/zhang/revoke', {})).status).toBe(303)
    expect((await h.app.request(`/l/${token}`)).status).toBe(404)
    expect(await (await h.app.request(`${origin}/office/leaders`, { headers: signedIn })).text()).toMatch(/起撤销/)
    expect((await post('/office/leaders/nobody/revoke', {})).status).toBe(404)
  })

  it('retire a unit when confirmed, and answer 404 for a unit that is not there', async () => {
    const retired = await post('/office/units/plain/retire', { confirm: 'yes' })
    expect(retired.status).toBe(303)
    expect((await h.stores.units.get('plain'))?.retiredAt).toBeDefined()
    const rotate = await post('/office/units/plain/rotate', {})
    expect(rotate.status).toBe(422)
    expect(await rotate.text()).toContain('已停用')
    expect((await h.app.request(`${origin}/office/units/nobody`, { headers: signedIn })).status).toBe(404)
  })

  it('offer the office sign-in from /, in the browser’s language', async () => {
    const zh = await (await h.app.request('/')).text()
    expect(zh).toContain('<a class="button" href="/office">办公室登录</a>')
    const en = await (await h.app.request('/', { headers: { 'accept-language': 'en-US,en;q=0.9' } })).text()
    expect(en).toContain('Office sign-in')
    expect(/<main[^>]*>(.*)<\/main>/s.exec(en)?.[1]).not.toMatch(/[\u4e00-\u9fff]/) // only the language switch says 中文
  })
})
