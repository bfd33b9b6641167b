// The local server's photo storage: files under DATA_DIR/photos, and the server as their upload target.
import { join } from 'node:path'
import { localPhotoStorage } from '#commons/adapters/local-photos.ts'
import type { Clock } from '#commons/clock.ts'
import type { PhotoDeps } from '#commons/web/deps.ts'
import { LOCAL_UPLOAD_PATH } from '#commons/web/photos.ts'

/** Upload slots are signed with the link key (domain-separated): changing it voids only slots not yet used. */
export function localPhotos(dataDir: string, publicUrl: string, linkKey: string, clock: Clock): PhotoDeps {
  const storage = localPhotoStorage({
    dir: join(dataDir, 'photos'),
    uploadUrl: `${publicUrl}${LOCAL_UPLOAD_PATH}`,
    signingKey: linkKey,
    now: () => clock.now(),
  })
  return { storage, receive: storage.receive }
}
