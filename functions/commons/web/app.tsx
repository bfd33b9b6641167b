// The one Hono app: JSON API, unit pages and health check, with Hono's own middleware for
// secure headers, CSRF (Origin / Sec-Fetch-Site) and body limits.

import { Hono, type MiddlewareHandler } from 'hono'
import { csrf } from 'hono/csrf'
import { secureHeaders } from 'hono/secure-headers'
import { createApi, MAX_BODY_BYTES } from './api.ts'
import { createApprovalApi } from './approval-api.ts'
import { createApproverPages, createOfficeApprovalPages, createUnitApprovalPages } from './approvals.tsx'
import { unitLinkPage } from './auth.tsx'
import { serveClientScript } from './client-bundle.ts'
import { createDashboardPages, createLeaderApi } from './dashboard.tsx'
import { type AppDeps, type AppEnv, clientOf } from './deps.ts'
import { createEmergencyPages } from './emergencies.tsx'
import { createEmergencyApi } from './emergency-api.ts'
import { apiError, errorHandler, limitBody } from './errors.tsx'
import { GUESSING_LIMIT, GUESSING_WINDOW_MS, guessingGuard, provideGuard } from './guessing-guard.ts'
import { chooseLanguage, rememberLanguage } from './language.ts'
import { Page } from './layout.tsx'
import { createOfficePages } from './office.tsx'
import { createOfficeSession } from './office-session.ts'
import { createPages } from './pages.tsx'
import { createPhotoRoutes, LOCAL_UPLOAD_PATH } from './photos.ts'
import { SERVICE_WORKER_PATH, serveServiceWorker } from './service-worker.ts'

const skipFor =
  (path: string, middleware: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> =>
  (c, next) =>
    c.req.path === path ? next() : middleware(c, next)

export function createApp(deps: AppDeps): Hono<AppEnv> {
  // A trailing slash (`/u/<token>/`, as people type or paste links) is the same page.
  const app = new Hono<AppEnv>({ strict: false })
  app.use(
    chooseLanguage,
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        // blob: the photos a page resized on the phone, shown before they are uploaded
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'", ...(deps.photos?.uploadOrigin ? [deps.photos.uploadOrigin] : [])],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    }),
  )
  if (deps.allowedHosts) {
    const allowed = new Set(deps.allowedHosts)
    app.use(async (c, next) => {
      if (c.req.path === '/healthz' || allowed.has((c.req.header('host') ?? '').toLowerCase())) return next()
      return c.text('Unknown host', 421)
    })
  }
  app.use(
    provideGuard(
      guessingGuard({
        limit: deps.guessing?.limit ?? GUESSING_LIMIT,
        windowMs: deps.guessing?.windowMs ?? GUESSING_WINDOW_MS,
        now: () => deps.clock.now().getTime(),
        addressOf: (c) => clientOf(deps, c).address,
        counter: deps.stores.refusals,
        log: deps.log,
      }),
    ),
    // Every body, whatever the route: refused past the limit before it is read (the local upload
    // target has its own, a photo's).
    skipFor(LOCAL_UPLOAD_PATH, limitBody(MAX_BODY_BYTES)),
    // Pages and answers carry personal data or tokens in their links: never kept by a browser or proxy.
    async (c, next) => {
      await next()
      if (!c.req.path.startsWith('/assets/') && !c.res.headers.has('cache-control')) c.header('Cache-Control', 'no-store')
    },
  )
  app.get('/healthz', (c) => c.json({ ok: true }))
  app.get('/assets/:file', (c) => serveClientScript(c, deps.log))
  app.get(SERVICE_WORKER_PATH, serveServiceWorker)
  app.get('/', (c) => {
    const lang = c.get('lang')
    return c.html(
      <Page title={lang === 'zh' ? '防控信息报送' : 'Sentinel Forms'} lang={lang} path="/">
        <h1>{lang === 'zh' ? '防控信息报送' : 'Sentinel Forms'}</h1>
        <p>{lang === 'zh' ? '基层单位：请使用本单位的专用链接打开填报页面。' : "Units: open your unit's own link to report."}</p>
        <p>
          <a class="button" href="/office">
            {lang === 'zh' ? '办公室登录' : 'Office sign-in'}
          </a>
        </p>
      </Page>,
    )
  })
  if (deps.photos) app.route('/', createPhotoRoutes(deps, deps.photos))
  app.route('/api', createApi(deps))
  app.use('/u/*', csrf(), rememberLanguage)
  // The office's pages keep a language picked by `?lang=` too (its navigation links carry none).
  app.use('/office', rememberLanguage)
  app.use('/office/*', rememberLanguage)
  app.use('/u/:token/*', unitLinkPage(deps))
  app.route('/u/:token', createPages(deps))
  if (deps.approvals) {
    app.route('/api', createApprovalApi(deps, deps.approvals))
    app.route('/u/:token/info-releases', createUnitApprovalPages(deps, deps.approvals))
    app.use('/a/*', csrf())
    app.route('/a/:token', createApproverPages(deps, deps.approvals))
    app.use('/office/info-releases/*', csrf())
    app.route('/office/info-releases', createOfficeApprovalPages(deps, deps.approvals))
  }
  if (deps.alerts) {
    app.route('/api/emergencies', createEmergencyApi(deps, deps.alerts))
    const { board, ack } = createEmergencyPages(deps, deps.alerts)
    app.route('/emergencies', board)
    app.route('/ack', ack)
  }
  app.use('/admin/*', csrf())
  app.route('/admin', createOfficeSession(deps))
  app.route('/office', createOfficePages(deps))
  if (deps.leaders) app.route('/api/admin/leaders', createLeaderApi(deps, deps.leaders))
  app.route('/', createDashboardPages(deps, deps.leaders))

  app.notFound((c) => (c.req.path.startsWith('/api/') ? apiError(c, 404, 'not_found', 'no such resource') : c.text('Not found', 404)))
  app.onError(errorHandler(deps.log))
  return app
}
