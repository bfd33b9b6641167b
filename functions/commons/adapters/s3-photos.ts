// The S3 edge of photo storage: presigned POSTs whose policy holds the object to its key, its
// Content-Type and its size, and ranged reads. The client is created once by the caller and passed in.
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3'
import { createPresignedPost } from '@aws-sdk/s3-presigned-post'
import type { PhotoStorage } from '../photos/photos.ts'
import type { PhotoDeps } from '../web/deps.ts'

function s3PhotoStorage(client: S3Client, bucket: string, now: () => Date = () => new Date()): PhotoStorage {
  return {
    async presignPost({ key, contentType, maxBytes, expiresAt }) {
      const { url, fields } = await createPresignedPost(client, {
        Bucket: bucket,
        Key: key,
        Fields: { 'Content-Type': contentType },
        Conditions: [
          ['content-length-range', 1, maxBytes],
          ['eq', '$Content-Type', contentType],
        ],
        Expires: Math.max(1, Math.round((expiresAt.getTime() - now().getTime()) / 1000)),
      })
      return { url, fields }
    },
    async read(key, limit) {
      try {
        const object = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, ...(limit ? { Range: `bytes=0-${limit - 1}` } : {}) }),
        )
        return object.Body ? await object.Body.transformToByteArray() : new Uint8Array()
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined
        throw error
      }
    },
  }
}

/** Photo storage on AWS: the pages post straight to the bucket, whose origin their CSP allows (signed locally, no call). */
export async function s3Photos(client: S3Client, bucket: string): Promise<PhotoDeps> {
  const storage = s3PhotoStorage(client, bucket)
  const probe = await storage.presignPost({
    key: 'probe',
    contentType: 'image/jpeg',
    maxBytes: 1,
    expiresAt: new Date(Date.now() + 60_000),
  })
  return { storage, uploadOrigin: new URL(probe.url).origin }
}
