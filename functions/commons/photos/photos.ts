// Photos of a report: a unit asks for an upload slot (a presigned POST straight to storage), the
// phone sends the image there, and the submission names the upload keys. The server believes a key
// only when it is this unit's and the stored bytes are an image.
import { randomUUID } from 'node:crypto'
import type { Clock } from '../clock.ts'
import type { FormDefinition } from '../forms/definition.ts'
import type { Issue, Values } from '../forms/validation.ts'
import { type Lang, wordsOf } from '../i18n.ts'
import type { RefusalCounter } from '../store.ts'

export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const
export type PhotoType = (typeof PHOTO_TYPES)[number]

/**
 * What one photo may weigh. The pages send ≤ 1,600 px JPEGs of a few hundred KB; the limit leaves
 * room for API clients and stays under what a Lambda answer carries (6 MB, base64) when it is shown.
 */
export const MAX_PHOTO_BYTES = 4 * 1024 * 1024
/** How long an upload slot can be used. */
const UPLOAD_TTL_MS = 15 * 60_000

/** `<unit id>/<32 hex>`: the unit's own prefix, then a random name. */
export const UPLOAD_KEY = /^[a-z][a-z0-9-]{0,39}\/[0-9a-f]{32}$/

/** A form target: POST multipart/form-data with every entry of `fields`, then the file as `file`, to `url`. */
interface UploadTarget {
  url: string
  fields: Record<string, string>
}

interface UploadSlot extends UploadTarget {
  key: string
  expiresAt: string
}

/** Where photos are kept: S3 on AWS, files under DATA_DIR locally (adapters/). */
export interface PhotoStorage {
  /** a signed, expiring POST target for one object of `contentType`, at most `maxBytes` long */
  presignPost(upload: { key: string; contentType: PhotoType; maxBytes: number; expiresAt: Date }): Promise<UploadTarget>
  /** the object's bytes (at most `limit` of them when given), or undefined when nothing was uploaded under the key */
  read(key: string, limit?: number): Promise<Uint8Array | undefined>
}

/** The answer of an upload target that is not S3's (the local server's, adapters/local-photos.ts). */
export type ReceiveOutcome = { ok: true; key: string } | { ok: false; status: 400 | 403; message: string }

/** The local server's own upload target: stores the POST when its signed policy allows it. */
export type UploadReceiver = (form: { get(name: string): unknown }) => Promise<ReceiveOutcome>

const w = wordsOf({
  contentType: { zh: '照片格式应为 JPEG、PNG 或 WebP', en: 'Photos must be JPEG, PNG or WebP' },
  size: { zh: '照片大小应在 1 字节到 {n} MB 之间', en: 'A photo must be between 1 byte and {n} MB' },
  unknownKey: { zh: '照片编号无效', en: 'Not a photo upload key' },
  foreignKey: { zh: '该照片不属于本单位', en: 'That photo was not uploaded by this unit' },
  notUploaded: { zh: '照片尚未上传完成，请重新上传', en: 'That photo has not been uploaded yet; upload it again' },
  notImage: { zh: '上传的文件不是图片（JPEG、PNG 或 WebP）', en: 'The uploaded file is not an image (JPEG, PNG or WebP)' },
  noStorage: { zh: '本系统未配置照片存储', en: 'Photo storage is not configured here' },
  tooMany: {
    zh: '本单位每小时最多上传 {n} 张照片，请 {m} 分钟后再试',
    en: 'A unit may upload {n} photos an hour: try again in {m} minutes',
  },
})

/** The image type the bytes really are (their magic numbers), whatever anyone said. */
export function imageTypeOf(bytes: Uint8Array): PhotoType | undefined {
  const at = (i: number, ...expected: number[]) => expected.every((b, j) => bytes[i + j] === b)
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg'
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png'
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp'
  return undefined
}

/** Bytes enough to tell the image types apart. */
const SNIFF_BYTES = 12

/**
 * Upload slots one unit may take in an hour: a report takes a few photos, and a retried upload
 * reuses its slot. It bounds what one unit's token can put in storage (4 MiB a slot).
 */
export const UPLOAD_SLOTS_PER_HOUR = 30
const HOUR_MS = 3_600_000

export type SlotOutcome =
  | { ok: true; slot: UploadSlot }
  | { ok: false; issues: Issue[] }
  | { ok: false; tooMany: { retryAfterS: number; message: string } }

/** `POST /api/uploads`: an upload slot for one photo of this unit. */
export async function createUploadSlot(
  deps: { storage: PhotoStorage; clock: Clock; counter: RefusalCounter },
  unitId: string,
  request: { contentType?: unknown; size?: unknown },
  lang: Lang,
): Promise<SlotOutcome> {
  const issues: Issue[] = []
  const contentType = PHOTO_TYPES.find((type) => type === request.contentType)
  if (!contentType) issues.push({ path: 'contentType', message: w(lang, 'contentType') })
  const size = request.size
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_PHOTO_BYTES)
    issues.push({ path: 'size', message: w(lang, 'size', { n: MAX_PHOTO_BYTES / 1024 / 1024 }) })
  if (!contentType || issues.length > 0) return { ok: false, issues }
  // counted in the table, in fixed hours, so every instance counts together
  const now = deps.clock.now().getTime()
  const hour = Math.floor(now / HOUR_MS)
  const [taken = 0] = await deps.counter.add([`uploads:${unitId}`], { id: `UPLOADS#${hour}`, endsAt: new Date((hour + 1) * HOUR_MS) })
  if (taken > UPLOAD_SLOTS_PER_HOUR) {
    const retryAfterS = Math.ceil(((hour + 1) * HOUR_MS - now) / 1000)
    return {
      ok: false,
      tooMany: { retryAfterS, message: w(lang, 'tooMany', { n: UPLOAD_SLOTS_PER_HOUR, m: Math.ceil(retryAfterS / 60) }) },
    }
  }
  const key = `${unitId}/${randomUUID().replaceAll('-', '')}`
  const expiresAt = new Date(deps.clock.now().getTime() + UPLOAD_TTL_MS)
  // The slot takes the size announced, not more: the policy's content-length-range is exact at the top.
  const target = await deps.storage.presignPost({ key, contentType, maxBytes: size as number, expiresAt })
  return { ok: true, slot: { key, ...target, expiresAt: expiresAt.toISOString() } }
}

/** The upload keys a submission names, per photo field. */
const photoKeys = (form: FormDefinition, values: Values) =>
  form.fields.flatMap((field) =>
    field.type === 'photo' && Array.isArray(values[field.id])
      ? (values[field.id] as string[]).map((key, i) => ({ path: `${field.id}.${i}`, key }))
      : [],
  )

/**
 * The photos of a valid submission, checked where they are stored: each key must be this unit's,
 * uploaded, and an image. A record is stored only when every photo it names is there.
 */
export async function photoIssues(
  storage: PhotoStorage | undefined,
  form: FormDefinition,
  unitId: string,
  values: Values,
  lang: Lang,
): Promise<Issue[]> {
  const keys = photoKeys(form, values)
  if (keys.length === 0) return []
  if (!storage) return keys.map(({ path }) => ({ path, message: w(lang, 'noStorage') }))
  const checked = await Promise.all(
    keys.map(async ({ path, key }): Promise<Issue | undefined> => {
      if (!UPLOAD_KEY.test(key)) return { path, message: w(lang, 'unknownKey') }
      // Another unit's key is refused before storage is asked: nothing says whether it exists.
      if (!key.startsWith(`${unitId}/`)) return { path, message: w(lang, 'foreignKey') }
      const head = await storage.read(key, SNIFF_BYTES)
      if (!head) return { path, message: w(lang, 'notUploaded') }
      return imageTypeOf(head) ? undefined : { path, message: w(lang, 'notImage') }
    }),
  )
  return checked.filter((issue): issue is Issue => issue !== undefined)
}

/** The sheet's and exports' link to a photo: an app page that opens for the office's session only (web/photos.ts). */
export const photoLinks = (publicUrl: string) => ({ photo: (key: string) => `${publicUrl}/photos/${key}` })
