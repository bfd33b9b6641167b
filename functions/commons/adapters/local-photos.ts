// Photo storage of the local server: files under DATA_DIR/photos (0600), and the server itself
// plays S3's presigned-POST role: the form target is signed (HMAC) and expires, and holds the
// upload to its key, Content-Type and size as an S3 POST policy does.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { mkdir, open, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { PHOTO_TYPES, type PhotoStorage, type PhotoType, type ReceiveOutcome, UPLOAD_KEY, type UploadReceiver } from '../photos/photos.ts'

interface Policy {
  key: string
  contentType: PhotoType
  maxBytes: number
  expiresAt: string
}

export interface LocalPhotoStorage extends PhotoStorage {
  /** The POST to LOCAL_UPLOAD_PATH: stored when its signed policy allows it. */
  receive: UploadReceiver
}

const base64url = (text: string) => Buffer.from(text).toString('base64url')

/** `uploadUrl` is where the server takes the POST (web/photos.ts LOCAL_UPLOAD_PATH under the public address). */
export function localPhotoStorage(options: { dir: string; uploadUrl: string; signingKey: string; now: () => Date }): LocalPhotoStorage {
  const { dir, uploadUrl, signingKey, now } = options
  const sign = (policy: string) => createHmac('sha256', signingKey).update(`upload:${policy}`).digest('base64url')
  const pathOf = (key: string) => join(dir, ...key.split('/'))

  function verified(policy: string, signature: string): Policy | undefined {
    const expected = Buffer.from(sign(policy))
    const given = Buffer.from(signature)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined
    return JSON.parse(Buffer.from(policy, 'base64url').toString('utf8')) as Policy
  }

  return {
    async presignPost({ key, contentType, maxBytes, expiresAt }) {
      const policy = base64url(JSON.stringify({ key, contentType, maxBytes, expiresAt: expiresAt.toISOString() } satisfies Policy))
      return { url: uploadUrl, fields: { key, 'Content-Type': contentType, policy, signature: sign(policy) } }
    },

    async read(key, limit) {
      if (!UPLOAD_KEY.test(key)) return undefined
      const file = await open(pathOf(key), 'r').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined
        throw error
      })
      if (!file) return undefined
      try {
        if (limit === undefined) return new Uint8Array(await file.readFile())
        const buffer = Buffer.alloc(limit)
        const { bytesRead } = await file.read(buffer, 0, limit, 0)
        return new Uint8Array(buffer.subarray(0, bytesRead))
      } finally {
        await file.close()
      }
    },

    async receive(form) {
      const text = (name: string) => {
        const value = form.get(name)
        return typeof value === 'string' ? value : ''
      }
      const refused = (status: 400 | 403, message: string): ReceiveOutcome => ({ ok: false, status, message })
      const policy = verified(text('policy'), text('signature'))
      if (!policy) return refused(403, 'Invalid according to Policy: Policy Condition failed (signature)')
      if (Date.parse(policy.expiresAt) <= now().getTime()) return refused(403, 'Invalid according to Policy: Policy expired.')
      if (text('key') !== policy.key || !UPLOAD_KEY.test(policy.key))
        return refused(403, 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", …]')
      if (text('Content-Type') !== policy.contentType || !PHOTO_TYPES.includes(policy.contentType))
        return refused(403, 'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", …]')
      const file = form.get('file')
      if (!(file instanceof Blob)) return refused(400, 'Bucket POST must contain a field named file.')
      if (file.size < 1) return refused(400, 'Your proposed upload is smaller than the minimum allowed size')
      if (file.size > policy.maxBytes) return refused(400, 'Your proposed upload exceeds the maximum allowed size')
      const path = pathOf(policy.key)
      await mkdir(dirname(path), { recursive: true, mode: 0o700 })
      // Written whole, then renamed: a reader never sees half a photo.
      const partial = `${path}.part`
      await writeFile(partial, new Uint8Array(await file.arrayBuffer()), { mode: 0o600 })
      await rename(partial, path)
      return { ok: true, key: policy.key }
    },
  }
}
