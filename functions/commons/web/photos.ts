// Photo routes: the unit's upload slot (POST /api/uploads), the local server's upload target, and
// the photos themselves, for the office's session (the sheet's links) and for the unit that took them.
import { Hono, type MiddlewareHandler } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import * as z from 'zod'
import { leaderForToken } from '../leaders/leaders.ts'
import { createUploadSlot, imageTypeOf, MAX_PHOTO_BYTES, UPLOAD_KEY } from '../photos/photos.ts'
import { officeSession, unitBearer, unitLinkPage } from './auth.tsx'
import { type AppDeps, type AppEnv, clientOf, type PhotoDeps } from './deps.ts'
import { limitBody } from './errors.tsx'
import { jsonBody } from './json-body.ts'

/** Where the local server takes uploads (the `url` of every local slot). */
export const LOCAL_UPLOAD_PATH = '/uploads'

/** A leader's dashboard token, for the photo routes only. */
const LEADER_COOKIE = 'sf_leader'

const SlotBody = z.object({ contentType: z.unknown(), size: z.unknown() })

/** One photo's bytes with its real type; 404 when there is none or it is not an image. */
async function photoAnswer(photos: PhotoDeps, key: string): Promise<Response> {
  const bytes = UPLOAD_KEY.test(key) ? await photos.storage.read(key) : undefined
  const type = bytes && imageTypeOf(bytes)
  if (!bytes || !type) return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } })
  return new Response(new Uint8Array(bytes), {
    headers: {
      'content-type': type,
      'content-disposition': 'inline',
      // Personal data: kept by this browser only, for a while (thumbnails and the photo are the same bytes).
      'cache-control': 'private, max-age=3600',
    },
  })
}

/** Mounted on the app (web/app.tsx) when photos are configured. */
export function createPhotoRoutes(deps: AppDeps, photos: PhotoDeps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>({ strict: false })

  routes.post(
    '/api/uploads',
    unitBearer(deps),
    jsonBody(SlotBody, { hint: 'send {"contentType": "image/jpeg", "size": <bytes>}', notJson: 'invalid' }),
    async (c) => {
      const outcome = await createUploadSlot(
        { storage: photos.storage, clock: deps.clock, counter: deps.stores.refusals },
        c.get('unit').id,
        c.req.valid('json'),
        c.get('lang'),
      )
      if (!outcome.ok && 'tooMany' in outcome) {
        const { retryAfterS, message } = outcome.tooMany
        return c.json({ error: 'rate_limited', message, retryAfterS }, 429, { 'retry-after': String(retryAfterS) })
      }
      if (!outcome.ok) return c.json({ error: 'validation', issues: outcome.issues }, 422)
      return c.json(outcome.slot, 201)
    },
  )

  const receive = photos.receive
  if (receive) {
    // The signed policy is the credential here, as on S3: no token, no cookie, no CSRF check.
    routes.post(LOCAL_UPLOAD_PATH, limitBody(MAX_PHOTO_BYTES + 64 * 1024), async (c) => {
      const form = await c.req.formData().catch(() => undefined)
      if (!form) return c.text('POST requires multipart/form-data', 400)
      const outcome = await receive(form)
      return outcome.ok ? c.body(null, 204) : c.text(outcome.message, outcome.status)
    })
  }

  // The sheet's links are for the office and the leaders. A leader has no session: opening their
  // dashboard link leaves its token in a cookie that only the photo routes receive (Lax: a link
  // from the sheet is a top-level navigation, so it is sent).
  const leaders = deps.leaders
  if (leaders) {
    routes.use('/l/:token', async (c, next) => {
      await next()
      if (c.res.status !== 200) return
      setCookie(c, LEADER_COOKIE, c.req.param('token'), {
        path: '/photos/',
        httpOnly: true,
        sameSite: 'Lax',
        secure: clientOf(deps, c).tls,
        maxAge: 30 * 86_400,
      })
    })
  }
  const office = officeSession(deps)
  const officeOrLeader: MiddlewareHandler<AppEnv> = async (c, next) => {
    const token = getCookie(c, LEADER_COOKIE)
    if (leaders && token && (await leaderForToken(leaders, token))) return next()
    return office(c, next)
  }
  routes.get('/photos/:unit/:name', officeOrLeader, (c) => photoAnswer(photos, `${c.req.param('unit')}/${c.req.param('name')}`))
  // A unit sees its own photos (its record page, a correction), never another unit's.
  routes.get('/u/:token/photos/:unit/:name', unitLinkPage(deps), (c) =>
    c.req.param('unit') === c.get('unit').id
      ? photoAnswer(photos, `${c.req.param('unit')}/${c.req.param('name')}`)
      : c.text('Not found', 404),
  )
  return routes
}
