// Photos and location through the real app, dynalite and the workbook: an upload slot, the upload
// to the local server's signed target, the submission naming the key, the sheet's links, and every
// refusal (wrong type, too large, unknown, foreign, not uploaded, not an image, expired, forged).
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UPLOAD_SLOTS_PER_HOUR } from '#commons/photos/photos.ts'
import { emergencyRequest, submission } from '../../testkit/fixtures.ts'
import { ADMIN_TOKEN, dataRows, type Harness, officeCookie, startHarness } from '../../testkit/harness.ts'

let h: Harness
let park: string
let other: string

beforeAll(async () => {
  h = await startHarness()
  park = await h.unit('park-east', ['wildlife-daily', 'emergency'])
  other = await h.unit('park-west', ['emergency'])
})
afterAll(() => h.close())

/** A 1×1 PNG: real image bytes. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')

interface Slot {
  key: string
  url: string
  fields: Record<string, string>
  expiresAt: string
}

async function slotFor(token: string, body: unknown, lang = 'zh'): Promise<Response> {
  return h.app.request(`/api/uploads?lang=${lang}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}

/** Sends the file to the slot's target as a browser's multipart form would. */
async function upload(slot: Slot, bytes: Uint8Array, fields: Record<string, string> = slot.fields): Promise<Response> {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  form.append('file', new Blob([new Uint8Array(bytes)]), 'photo')
  expect(slot.url.startsWith('http://forms.test/')).toBe(true)
  return h.app.request(slot.url.replace('http://forms.test', ''), { method: 'POST', body: form })
}

async function uploaded(token: string, bytes: Uint8Array = PNG, contentType = 'image/png'): Promise<string> {
  const res = await slotFor(token, { contentType, size: bytes.length })
  expect(res.status).toBe(201)
  const slot = (await res.json()) as Slot
  expect((await upload(slot, bytes)).status).toBe(204)
  return slot.key
}

const issuesOf = async (res: Response) => ((await res.json()) as { issues: { path: string; message: string }[] }).issues

describe('an upload slot', () => {
  it('is a presigned POST for this unit: key under its prefix, the target, its fields and expiry', async () => {
    const res = await slotFor(park, { contentType: 'image/jpeg', size: 300_000 })
    expect(res.status).toBe(201)
    const slot = (await res.json()) as Slot
    expect(slot.key).toMatch(/^park-east\/[0-9a-f]{32}$/)
    expect(slot.url).toBe('http://forms.test/uploads')
    expect(slot.fields).toMatchObject({ key: slot.key, 'Content-Type': 'image/jpeg' })
    expect(Date.parse(slot.expiresAt) - h.clock.now().getTime()).toBe(15 * 60_000)
  })

  it('refuses another type, a size of 0 or over 4 MB, and a missing token, in the caller’s language', async () => {
    const gif = await slotFor(park, { contentType: 'image/gif', size: 100 })
    expect(gif.status).toBe(422)
    expect(await issuesOf(gif)).toEqual([{ path: 'contentType', message: '照片格式应为 JPEG、PNG 或 WebP' }])
    const big = await slotFor(park, { contentType: 'image/jpeg', size: 4 * 1024 * 1024 + 1 }, 'en')
    expect(await issuesOf(big)).toEqual([{ path: 'size', message: 'A photo must be between 1 byte and 4 MB' }])
    expect((await slotFor(park, { contentType: 'image/jpeg', size: 0 })).status).toBe(422)
    const anonymous = await h.app.request('/api/uploads', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"contentType":"image/jpeg","size":10}',
    })
    expect(anonymous.status).toBe(401)
  })
})

describe('a unit’s upload slots', () => {
  it('stop at UPLOAD_SLOTS_PER_HOUR in an hour, with Retry-After, for that unit alone', async () => {
    const busy = await h.unit('busy-park', ['emergency'])
    for (let i = 0; i < UPLOAD_SLOTS_PER_HOUR; i++) {
      expect((await slotFor(busy, { contentType: 'image/jpeg', size: 1000 })).status).toBe(201)
    }
    const refused = await slotFor(busy, { contentType: 'image/jpeg', size: 1000 })
    expect(refused.status).toBe(429)
    // the harness's clock stands at 10:00:00 in Shanghai: the hour ends in 60 minutes
    expect(refused.headers.get('retry-after')).toBe('3600')
    expect(await refused.json()).toEqual({
      error: 'rate_limited',
      message: '本单位每小时最多上传 30 张照片，请 60 分钟后再试',
      retryAfterS: 3600,
    })
    expect((await slotFor(other, { contentType: 'image/jpeg', size: 1000 })).status).toBe(201)
  })
})

describe('the local upload target', () => {
  it('stores the file readable by this user alone', async () => {
    const key = await uploaded(park)
    const file = await stat(join(h.dataDir, 'photos', ...key.split('/')))
    expect(file.mode & 0o777).toBe(0o600)
    expect(file.size).toBe(PNG.length)
  })

  it('refuses a file larger than the slot, a forged policy, another key or type, and an expired slot', async () => {
    const slot = (await (await slotFor(park, { contentType: 'image/png', size: 10 })).json()) as Slot
    const tooLarge = await upload(slot, PNG)
    expect(tooLarge.status).toBe(400)
    expect(await tooLarge.text()).toContain('exceeds the maximum allowed size')

    const fair = (await (await slotFor(park, { contentType: 'image/png', size: PNG.length })).json()) as Slot
    const forgedPolicy = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(fair.fields.policy ?? '', 'base64url').toString()), maxBytes: 10_000_000 }),
    ).toString('base64url')
    expect((await upload(fair, PNG, { ...fair.fields, policy: forgedPolicy })).status).toBe(403)
    expect((await upload(fair, PNG, { ...fair.fields, key: 'park-west/0123456789abcdef0123456789abcdef' })).status).toBe(403)
    expect((await upload(fair, PNG, { ...fair.fields, 'Content-Type': 'text/html' })).status).toBe(403)

    h.clock.advance(15 * 60_000 + 1)
    try {
      const expired = await upload(fair, PNG)
      expect(expired.status).toBe(403)
      expect(await expired.text()).toContain('Policy expired')
    } finally {
      h.clock.advance(-(15 * 60_000 + 1))
    }
    expect((await upload(fair, PNG)).status).toBe(204)
  })
})

describe('a submission with photos and a position', () => {
  it('is stored when every photo is there; the sheet links each photo and maps the position', async () => {
    const keys = [await uploaded(park), await uploaded(park)]
    const body = emergencyRequest({ photos: keys, position: { lat: 39.904211, lng: 116.407395, accuracy: 12.4 } })
    const res = await h.app.request('/api/forms/emergency/submissions', submission(park, body))
    expect(res.status).toBe(201)
    await h.mirror()
    const rows = await dataRows(join(h.dataDir, 'leaders.xlsx'), '应急请求')
    const row = rows.find((r) => r.includes('park-east')) ?? []
    expect(row).toContain(keys.map((key) => `http://forms.test/photos/${key}`).join('\n'))
    expect(row).toContain(
      '39.904211, 116.407395 ±12 m\nhttps://uri.amap.com/marker?position=116.407395,39.904211&coordinate=wgs84&callnative=0',
    )
  })

  it('opens a photo for the office’s session and the unit that took it, for no one else', async () => {
    const key = await uploaded(park)
    const anonymous = await h.app.request(`/photos/${key}`)
    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.get('location')).toContain('/admin/login')
    const cookie = await officeCookie(h.app)
    const office = await h.app.request(`/photos/${key}`, { headers: { cookie } })
    expect(office.status).toBe(200)
    expect(office.headers.get('content-type')).toBe('image/png')
    expect(office.headers.get('cache-control')).toBe('private, max-age=3600')
    expect(Buffer.from(await office.arrayBuffer())).toEqual(PNG)
    expect((await h.app.request(`/u/${park}/photos/${key}`)).status).toBe(200)
    expect((await h.app.request(`/u/${other}/photos/${key}`)).status).toBe(404)
    expect((await h.app.request('/photos/park-east/0123456789abcdef0123456789abcdef', { headers: { cookie } })).status).toBe(404)
  })

  it('opens for a leader in the browser that opened their dashboard link, until the link is rotated', async () => {
    const key = await uploaded(park)
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }
    const added = await h.app.request('/api/admin/leaders', { method: 'POST', headers: admin, body: '{"id":"zhang","name":"张组长"}' })
    const { token } = (await added.json()) as { token: string }
    const dashboard = await h.app.request(`/l/${token}`)
    expect(dashboard.status).toBe(200)
    const cookie = (dashboard.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    expect(dashboard.headers.get('set-cookie')).toMatch(/Path=\/photos\/; HttpOnly; SameSite=Lax/)
    expect((await h.app.request(`/photos/${key}`, { headers: { cookie } })).status).toBe(200)
    expect((await h.app.request(`/photos/${key}`, { headers: { cookie: 'sf_leader=leader.zhang.forged' } })).status).toBe(303)
    expect((await h.app.request('/l/leader.zhang.forged')).headers.get('set-cookie')).toBeNull()
    await h.app.request('/api/admin/leaders/zhang/rotate', { method: 'POST', headers: admin })
    expect((await h.app.request(`/photos/${key}`, { headers: { cookie } })).status).toBe(303)
  })

  it('is refused, naming the photo, when a key is malformed, another unit’s, not uploaded or not an image; nothing is stored', async () => {
    const theirs = await uploaded(other)
    const notImage = await uploaded(park, new TextEncoder().encode('<html>not a photo</html>'), 'image/jpeg')
    const cases: [unknown[], string][] = [
      [['../../etc/passwd'], '照片编号无效，请重新上传照片'],
      [[theirs], '该照片不属于本单位'],
      [['park-east/0123456789abcdef0123456789abcdef'], '照片尚未上传完成，请重新上传'],
      [[notImage], '上传的文件不是图片（JPEG、PNG 或 WebP）'],
    ]
    const before = (await h.stores.records.currentOfAll()).length
    for (const [photos, message] of cases) {
      const res = await h.app.request('/api/forms/emergency/submissions', submission(park, emergencyRequest({ photos })))
      expect(res.status).toBe(422)
      expect((await issuesOf(res))[0]?.message).toBe(message)
    }
    const tooMany = await h.app.request(
      '/api/forms/emergency/submissions',
      submission(
        park,
        emergencyRequest({ photos: [await uploaded(park), await uploaded(park), await uploaded(park), await uploaded(park)] }),
      ),
    )
    expect(await issuesOf(tooMany)).toEqual([{ path: 'photos', message: '最多 3 项' }])
    expect((await h.stores.records.currentOfAll()).length).toBe(before)
  })

  it('refuses a position out of range, field by field', async () => {
    const res = await h.app.request(
      '/api/forms/emergency/submissions?lang=en',
      submission(park, emergencyRequest({ position: { lat: 91, lng: 'east', accuracy: -1 } })),
    )
    expect(res.status).toBe(422)
    expect(await issuesOf(res)).toEqual([
      { path: 'position.lat', message: 'Coordinates are numbers from -90 to 90' },
      { path: 'position.lng', message: 'Coordinates are numbers from -180 to 180' },
      { path: 'position.accuracy', message: 'Accuracy is a number of metres, 0 or more' },
    ])
  })

  it('is described by GET /api/forms', async () => {
    const forms = (await (await h.app.request('/api/forms', { headers: { authorization: `Bearer ${park}` } })).json()) as {
      id: string
      fields: Record<string, unknown>[]
    }[]
    const emergency = forms.find((f) => f.id === 'emergency')?.fields ?? []
    expect(emergency.find((f) => f.id === 'photos')).toMatchObject({
      type: 'photo',
      required: false,
      maxItems: 3,
      contentTypes: ['image/jpeg', 'image/png', 'image/webp'],
      upload: 'POST /api/uploads',
    })
    expect(emergency.find((f) => f.id === 'position')).toMatchObject({ type: 'location', required: false })
    const wildlife = forms.find((f) => f.id === 'wildlife-daily')?.fields ?? []
    expect(wildlife.find((f) => f.id === 'abnormalPhotos')).toMatchObject({ type: 'photo', maxItems: 3 })
  })
})
