// Hostile use of the real `npm start` process: token guessing, writing as another unit, admin
// routes without the admin token, cross-origin form posts, the headers, and what reaches the log.

import { mkdtemp, rm } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emergencyRequest, healthReport, newKey, submission } from '../../testkit/fixtures.ts'
import { eventually, type ServerProcess, startServerProcess } from '../../testkit/server-process.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../../testkit/webhook-receiver.ts'

const ADMIN_TOKEN = 'security-admin-token-0123456789'
const LINK_KEY = 'security-link-key-0123456789abcdef'
const ROBOT_TOKEN = 'robotaccesstoken0123456789'
const ROBOT_SECRET = 'SECrobotsigningsecret0123456789'

let dataDir: string
let server: ServerProcess
let receiver: WebhookReceiver
let east: string
let west: string

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sentinel-security-'))
  receiver = await startWebhookReceiver()
  server = await startServerProcess({
    DATA_DIR: dataDir,
    // Every address of 127/8 reaches the server, so a second client can come from 127.0.0.2.
    HOST: '0.0.0.0',
    ADMIN_TOKEN,
    LINK_KEY,
    // A robot that always fails: its failures are logged, its credentials must not be.
    ALERT_WEBHOOKS: `dingtalk=${receiver.url}/robot/send?access_token=${ROBOT_TOKEN}&secret=${ROBOT_SECRET}`,
  })
  east = server.links.get('park-east') ?? ''
  west = server.links.get('park-west') ?? ''
  receiver.failNext(1000, 500)
}, 60_000)

afterAll(async () => {
  await server?.kill('SIGKILL')
  await receiver?.close()
  await rm(dataDir, { recursive: true, force: true })
})

const api = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, init)
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** A request (GET unless told) from a chosen local address (fetch cannot pick its source address). */
function getFrom(
  localAddress: string,
  path: string,
  headers: Record<string, string> = {},
  { method = 'GET', body }: { method?: string; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(path, server.url.replace('localhost', '127.0.0.1'))
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { localAddress, headers, method }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.once('error', reject)
    req.end(body)
  })
}

/** A form post from a chosen local address. */
function postFrom(localAddress: string, path: string, body: string, headers: Record<string, string> = {}) {
  return getFrom(localAddress, path, { 'content-type': 'application/x-www-form-urlencoded', ...headers }, { method: 'POST', body })
}

/** Signs the office in from a chosen address; returns the session's Cookie header. */
async function signIn(localAddress: string): Promise<string> {
  const res = await postFrom(localAddress, '/admin/login', new URLSearchParams({ token: ADMIN_TOKEN, next: '/office' }).toString(), {
    origin: server.url.replace('localhost', '127.0.0.1'),
  })
  expect(res.status).toBe(303)
  const setCookie = res.headers['set-cookie']
  return String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0] ?? ''
}

describe('admin routes', () => {
  it('refuse without the admin token, and refuse a unit token', async () => {
    for (const [path, init] of [
      ['/api/status', {}],
      ['/api/admin/units', {}],
      ['/api/admin/export?form=daily-health&date=2026-11-28', {}],
      ['/api/admin/units', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"x","name":"x"}' }],
      // A unit's token lists only its own emergencies (§4b, tested in alerts.test.ts); it never acknowledges.
      ['/api/emergencies/em-00000000000000000000/ack', { method: 'POST', body: '{"by":"x"}' }],
      ['/api/info-releases', {}],
    ] as const) {
      expect((await api(path, init)).status, path).toBe(401)
      expect((await api(path, { ...init, headers: { ...('headers' in init ? init.headers : {}), ...bearer(east) } })).status, path).toBe(
        401,
      )
    }
    expect((await api('/api/admin/units', { headers: bearer(ADMIN_TOKEN) })).status).toBe(200)
  })

  it('send a browser without the admin cookie to the sign-in form', async () => {
    for (const path of ['/office', '/emergencies', '/emergencies/outbox']) {
      const res = await api(path, { redirect: 'manual' })
      expect(res.status, path).toBe(303)
      expect(res.headers.get('location')).toMatch(/^\/admin\/login\?next=/)
    }
  })
})

describe('a unit', () => {
  it('writes only as itself: the token decides the unit, whatever the body says', async () => {
    const res = await api('/api/forms/daily-health/submissions', submission(east, { ...healthReport(), unitId: 'park-west' }))
    expect([201, 422]).toContain(res.status)
    const csv = await (await api(`/api/admin/export?form=daily-health&date=${today()}`, { headers: bearer(ADMIN_TOKEN) })).text()
    expect(csv).not.toContain('park-west')
  })

  it('cannot read another unit’s record, nor get its answer back by reusing its Idempotency-Key', async () => {
    const key = newKey()
    const west1 = await api('/api/forms/emergency/submissions', submission(west, emergencyRequest({ description: '西园的请求' }), key))
    expect(west1.status).toBe(201)
    const westReceipt = (await west1.json()) as { id: string; unitId: string }
    const east1 = await api('/api/forms/emergency/submissions', submission(east, emergencyRequest({ description: '东园的请求' }), key))
    expect(east1.status).toBe(201)
    const eastReceipt = (await east1.json()) as { id: string; unitId: string }
    expect(eastReceipt).toMatchObject({ unitId: 'park-east' })
    expect(eastReceipt.id).not.toBe(westReceipt.id)
    expect((await api(`/u/${east}/records/${westReceipt.id}`)).status).toBe(404)
    const own = await api(`/u/${west}/records/${westReceipt.id}`)
    expect(own.status).toBe(200)
    expect(await own.text()).toContain('西园的请求')
  })
})

describe('form posts', () => {
  it('from another origin are refused before anything is read', async () => {
    const body = new URLSearchParams({ staffTotal: '40' })
    const crossOrigin = await api(`/u/${east}/forms/daily-health`, { method: 'POST', body, headers: { origin: 'https://evil.example' } })
    expect(crossOrigin.status).toBe(403)
    const crossSite = await api(`/u/${east}/forms/daily-health`, { method: 'POST', body, headers: { 'sec-fetch-site': 'cross-site' } })
    expect(crossSite.status).toBe(403)
    // The same post from the page's own origin is read (and here refused for its missing fields).
    const sameOrigin = await api(`/u/${east}/forms/daily-health`, { method: 'POST', body, headers: { origin: server.url } })
    expect(sameOrigin.status).toBe(422)
  })
})

describe('bodies over 64 KiB', () => {
  it('are refused with 413 whether their length is declared or streamed in chunks; a chunked submission in bounds is stored', async () => {
    const big = JSON.stringify(emergencyRequest({ description: '洪'.repeat(30_000) })) // 90 KB in UTF-8
    /** The same bytes without a Content-Length: fetch sends a stream chunked. */
    const chunked = (text: string): RequestInit =>
      ({
        body: new Blob([text]).stream(),
        duplex: 'half',
      }) as RequestInit
    const declared = await api('/api/forms/emergency/submissions', { ...submission(east, big), body: big })
    expect(declared.status).toBe(413)
    expect(await declared.json()).toMatchObject({ error: 'too_large' })
    const streamed = await api('/api/forms/emergency/submissions', { ...submission(east, big), ...chunked(big) })
    expect(streamed.status).toBe(413)
    expect(await streamed.json()).toMatchObject({ error: 'too_large' })

    const inBounds = await api('/api/forms/emergency/submissions', {
      ...submission(east, {}),
      ...chunked(JSON.stringify(emergencyRequest({ description: '分块送达的请求' }))),
    })
    expect(inBounds.status, await inBounds.clone().text()).toBe(201)
    const receipt = (await inBounds.json()) as { id: string }
    const stored = await api(`/u/${east}/records/${receipt.id}`)
    expect(await stored.text()).toContain('分块送达的请求')
  })
})

describe('a huge body on any route', () => {
  it('is refused with 413 at once, before it is read: the sign-in, sign-out, pages and API alike', async () => {
    // Only the headers are sent, declaring 100 MB: a server that read the body first would hang here.
    const declare = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(new URL(path, server.url.replace('localhost', '127.0.0.1')), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(100 * 1024 * 1024) },
        })
        req.once('response', (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
          req.destroy()
        })
        req.once('error', reject)
        req.flushHeaders()
      })
    for (const path of [
      '/admin/login',
      '/admin/logout',
      `/u/${east}/forms/daily-health`,
      '/office/info-releases/requests/x',
      '/ack/x',
      '/no/such/route',
    ]) {
      expect(await declare(path), path).toBe(413)
    }
  })
})

describe('headers', () => {
  it('are set on pages and on the API', async () => {
    for (const path of [`/u/${east}`, '/api/forms', '/admin/login']) {
      const res = await api(path, { headers: bearer(east) })
      expect(res.headers.get('content-security-policy'), path).toContain("default-src 'self'")
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'")
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff')
      expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN')
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer')
      expect(res.headers.get('strict-transport-security'), path).toMatch(/max-age=\d+/)
    }
  })
})

describe('token guessing', () => {
  // Each test guesses from its own addresses and at its own unit, so the counts do not meet.
  const repeat = async (n: number, request: () => Promise<{ status: number }>) => {
    const statuses: number[] = []
    for (let i = 0; i < n; i++) statuses.push((await request()).status)
    return statuses
  }

  it('cannot be turned against the office: cross-site refusals and unknown paths are not counted, a valid token or session is never refused', async () => {
    // What any web page can make an office browser send from the office's NAT address.
    const office = '127.0.0.5'
    const session = await signIn(office)
    const crossSite = { 'sec-fetch-site': 'cross-site' }
    expect(new Set(await repeat(25, () => getFrom(office, '/no/such/page')))).toEqual(new Set([404]))
    expect(new Set(await repeat(25, () => getFrom(office, `/u/${east}/`, crossSite)))).toEqual(new Set([200]))
    expect(new Set(await repeat(25, () => postFrom(office, `/u/${east}/forms/daily-health`, 'staffTotal=1', crossSite)))).toEqual(
      new Set([403]),
    )
    // Twenty-five forged <img> links to a unit page: throttled, as guesses...
    const forged = await repeat(25, () => getFrom(office, '/u/office.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', crossSite))
    expect(forged.slice(0, 20)).toEqual(Array(20).fill(404))
    expect(new Set(forged.slice(20))).toEqual(new Set([429]))
    // ...while the office, its units and the admin API are served as before.
    expect((await getFrom(office, '/office', { cookie: session })).status).toBe(200)
    expect((await getFrom(office, '/emergencies', { cookie: session })).status).toBe(200)
    expect((await getFrom(office, `/u/${east}`)).status).toBe(200)
    expect((await getFrom(office, '/api/forms', bearer(west))).status).toBe(200)
    expect((await getFrom(office, '/api/admin/units', bearer(ADMIN_TOKEN))).status).toBe(200)
  })

  it('throttles a guesser per address and per the unit it guesses at, and believes no X-Forwarded-For it was not told to', async () => {
    const guesser = '127.0.0.6'
    const statuses = await repeat(22, () =>
      getFrom(guesser, `/api/forms`, {
        ...bearer(`resources.guess${Math.random().toString(36).slice(2)}aaaaaaaaaaaa`),
        'x-forwarded-for': `10.0.0.${Math.floor(Math.random() * 250)}`,
      }),
    )
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401))
    const refused = await getFrom(guesser, '/api/forms', bearer('personnel.guess-bearer-aaaaaaaaaaaa'))
    expect(refused.status).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'rate_limited' })
    // Its right token still works: it is not locked out of what it may do.
    expect((await getFrom(guesser, '/api/forms', bearer(east))).status).toBe(200)
    // A guess at the same unit from a fresh address is throttled too; another unit's from there is not.
    expect((await getFrom('127.0.0.7', '/u/resources.another-guess-aaaaaaaaaaaa')).status).toBe(429)
    expect((await getFrom('127.0.0.7', '/u/personnel.another-guess-aaaaaaaaaaaa')).status).toBe(404)
  })
})

describe('the office session', () => {
  it('is a random id, not the admin token: never an API bearer, ended at sign-out, new at every sign-in', async () => {
    const cookie = await signIn('127.0.0.1')
    const id = cookie.split('=')[1] ?? ''
    expect(id).not.toContain(ADMIN_TOKEN)
    expect(id.length).toBeGreaterThanOrEqual(32)
    expect((await api('/office', { headers: { cookie }, redirect: 'manual' })).status).toBe(200)
    expect((await api('/api/admin/units', { headers: bearer(id) })).status).toBe(401)
    expect((await api('/api/admin/units', { headers: { cookie } })).status).toBe(401)
    expect(await signIn('127.0.0.1')).not.toBe(cookie)

    const out = await api('/admin/logout', { method: 'POST', headers: { cookie, origin: server.url }, redirect: 'manual' })
    expect(out.status).toBe(303)
    const after = await api('/office', { headers: { cookie }, redirect: 'manual' })
    expect(after.status).toBe(303)
    expect(after.headers.get('location')).toMatch(/^\/admin\/login/)
  })

  it('keeps pages with personal data out of caches', async () => {
    const cookie = await signIn('127.0.0.1')
    for (const [path, headers] of [
      [`/u/${east}`, {}],
      ['/office', { cookie }],
      ['/emergencies', { cookie }],
      ['/api/forms', bearer(east)],
    ] as const) {
      expect((await api(path, { headers })).headers.get('cache-control'), path).toBe('no-store')
    }
  })
})

describe('the log', () => {
  it('never carries a token, a signed link or a robot credential', async () => {
    // An emergency puts an acknowledge link into the outbox and failing robot deliveries into the log.
    expect((await api('/api/forms/emergency/submissions', submission(west, emergencyRequest()))).status).toBe(201)
    await eventually(async () => (/alert delivery failed/.test(server.output()) ? true : undefined))
    await eventually(async () => (/"message":"alert"/.test(server.output()) ? true : undefined))
    // The start banner prints the admin token and the demo links for the operator; the log is what follows.
    const log = server.output().split(/\n\n/).slice(1).join('\n\n')
    expect(log).toMatch(/"level":"warn"/)
    const secrets = [ADMIN_TOKEN, LINK_KEY, ROBOT_TOKEN, ROBOT_SECRET, ...[...server.links.values()].map((t) => t.split('.')[1] ?? t)]
    for (const secret of secrets) expect(log).not.toContain(secret)
    expect(log).not.toMatch(/\/ack\/[A-Za-z0-9_.-]{20,}/)
  })
})

function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
}
