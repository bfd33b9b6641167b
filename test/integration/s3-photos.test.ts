// The S3 adapter against a local S3 that checks POST policies as AWS documents them
// (testkit/s3-server.ts): the slot's policy holds the upload to its key, type and size, and the
// server's reads find a photo, its first bytes, or nothing.
import { S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { s3Photos } from '#commons/adapters/s3-photos.ts'
import type { PhotoDeps } from '#commons/web/deps.ts'
import { type S3Server, startS3Server } from '../../testkit/s3-server.ts'

const credentials = { accessKeyId: 'AKIATESTPHOTOS000000', secretAccessKey: 'test-secret-photos-0123456789abcdef' }
let s3: S3Server
let photos: PhotoDeps

beforeAll(async () => {
  s3 = await startS3Server(credentials)
  const client = new S3Client({ endpoint: s3.url, forcePathStyle: true, region: 'cn-north-1', credentials })
  photos = await s3Photos(client, 'sentinel-photos')
})
afterAll(() => s3.close())

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...new Array(60).fill(7)])

async function post(target: { url: string; fields: Record<string, string> }, bytes: Uint8Array, fields = target.fields) {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  form.append('file', new Blob([new Uint8Array(bytes)]), 'photo.jpg')
  return fetch(target.url, { method: 'POST', body: form })
}

const slot = (key: string, maxBytes = JPEG.length) =>
  photos.storage.presignPost({ key, contentType: 'image/jpeg', maxBytes, expiresAt: new Date(Date.now() + 60_000) })

describe('photos on S3', () => {
  it('takes the upload its policy allows, and reads it whole or its first bytes', async () => {
    expect(photos.uploadOrigin).toBe(s3.url)
    const target = await slot('park-east/00000000000000000000000000000001')
    expect((await post(target, JPEG)).status).toBe(204)
    expect(s3.objects.get('sentinel-photos/park-east/00000000000000000000000000000001')?.contentType).toBe('image/jpeg')
    expect(await photos.storage.read('park-east/00000000000000000000000000000001')).toEqual(JPEG)
    expect(await photos.storage.read('park-east/00000000000000000000000000000001', 12)).toEqual(JPEG.slice(0, 12))
    expect(await photos.storage.read('park-east/0000000000000000000000000000ffff')).toBeUndefined()
  })

  it('refuses a larger file, another type, another key and a forged signature, as S3 does', async () => {
    const target = await slot('park-east/00000000000000000000000000000002', 10)
    const large = await post(target, JPEG)
    expect(large.status).toBe(400)
    expect(await large.text()).toContain('<Code>EntityTooLarge</Code>')
    const fair = await slot('park-east/00000000000000000000000000000003')
    const html = await post(fair, JPEG, { ...fair.fields, 'Content-Type': 'text/html' })
    expect(html.status).toBe(403)
    expect(await html.text()).toContain('Policy Condition failed: ["eq", "$Content-Type", "image/jpeg"]')
    const elsewhere = await post(fair, JPEG, { ...fair.fields, key: 'park-west/00000000000000000000000000000003' })
    expect(elsewhere.status).toBe(403)
    const forged = await post(fair, JPEG, { ...fair.fields, 'X-Amz-Signature': '0'.repeat(64) })
    expect(await forged.text()).toContain('<Code>SignatureDoesNotMatch</Code>')
    const extra = await post(fair, JPEG, { ...fair.fields, acl: 'public-read' })
    expect(await extra.text()).toContain('Extra input fields: acl')
    expect(s3.objects.has('sentinel-photos/park-west/00000000000000000000000000000003')).toBe(false)
    expect((await post(fair, JPEG)).status).toBe(204)
  })
})
