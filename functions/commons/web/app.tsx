// The one Hono app: JSON API, unit pages and health check, with Hono's own middleware for
// secure headers, CSRF (Origin / Sec-Fetch-Site) and body limits.
import { Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { HTTPException } from 'hono/http-exception'
import { secureHeaders } from 'hono/secure-headers'
import { isStoreUnavailable, UNAVAILABLE_MESSAGE, UNAVAILABLE_RETRY_AFTER_S } from '../unavailable.ts'
import { createAdminSession } from './admin-session.ts'
import { apiError, createApi } from './api.ts'
import { createApprovalApi } from './approval-api.ts'
import { createApproverPages, createOfficeApprovalPages, createUnitApprovalPages } from './approvals.tsx'
import { serveClientScript } from './client-bundle.ts'
import type { AppDeps, AppEnv } from './deps.ts'
import { createEmergencyPages } from './emergencies.tsx'
import { createEmergencyApi } from './emergency-api.ts'
import { GUESSING_LIMIT, GUESSING_WINDOW_MS, guessingGuard } from './guessing-guard.ts'
import { Page } from './layout.tsx'
import { createOfficePages } from './office.tsx'
import { createPages } from './pages.tsx'

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    }),
  )
  const guard = guessingGuard({
    limit: deps.guessing?.limit ?? GUESSING_LIMIT,
    windowMs: deps.guessing?.windowMs ?? GUESSING_WINDOW_MS,
    now: () => deps.clock.now().getTime(),
    addressOf: (c) => deps.clientAddress?.(c),
    log: deps.log,
  })
  // Every route that takes a token, a signed link or the admin token.
  for (const path of ['/api/*', '/u/*', '/a/*', '/ack/*', '/admin/*', '/office/*', '/emergencies/*']) app.use(path, guard)
  app.get('/healthz', (c) => c.json({ ok: true }))
  app.get('/assets/:file', (c) => serveClientScript(c, deps.log))
  app.get('/', (c) =>
    c.html(
      <Page title="Sentinel Forms" lang="zh" path="/">
        <h1>防控信息报送 · Sentinel Forms</h1>
        <p>请使用本单位的专用链接打开填报页面。Open your unit's own link to report.</p>
      </Page>,
    ),
  )
  app.route('/api', createApi(deps))
  app.use('/u/*', csrf())
  app.route('/u/:token', createPages(deps))
  if (deps.approvals) {
    const { store, changed } = deps.approvals
    app.route('/api', createApprovalApi(deps, store, changed))
    app.route('/u/:token/info-releases', createUnitApprovalPages(deps, store, changed))
    app.use('/a/*', csrf())
    app.route('/a/:token', createApproverPages(deps, store, changed))
    app.use('/office/info-releases/*', csrf())
    app.route('/office/info-releases', createOfficeApprovalPages(deps, store, changed))
  }
  if (deps.alerts) {
    app.route('/api/emergencies', createEmergencyApi(deps, deps.alerts))
    const { board, ack } = createEmergencyPages(deps, deps.alerts)
    app.route('/emergencies', board)
    app.route('/ack', ack)
  }
  app.use('/admin/*', csrf())
  app.route('/admin', createAdminSession(deps))
  app.route('/office', createOfficePages(deps))

  app.notFound((c) => (c.req.path.startsWith('/api/') ? apiError(c, 404, 'not_found', 'no such resource') : c.text('Not found', 404)))
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse()
    const isApi = c.req.path.startsWith('/api/')
    // The route's pattern, never the path: paths carry unit tokens and signed links.
    const where = { route: c.req.routePath, method: c.req.method, error }
    if (isStoreUnavailable(error)) {
      // Pages as well as the API: the database out of reach is the caller's to retry, not a 500.
      deps.log.warn('database unavailable', where)
      c.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_S))
      return isApi
        ? apiError(c, 503, 'unavailable', UNAVAILABLE_MESSAGE)
        : c.text(
            '系统暂时无法访问数据库，请稍后重试（已填写的内容不会丢失）。 The database cannot be reached just now; please retry in a few seconds.',
            503,
          )
    }
    // Clients never see the detail; the log has it.
    deps.log.error('request failed', where)
    return isApi
      ? apiError(c, 500, 'internal', 'internal error; nothing you sent was lost if you got no 2xx, retry with the same Idempotency-Key')
      : c.text('Internal error / 系统错误，请稍后重试', 500)
  })
  return app
}
