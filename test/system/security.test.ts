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

/** A GET from a chosen local address (fetch cannot pick its source address). */
function getFrom(
  localAddress: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(path, server.url.replace('localhost', '127.0.0.1'))
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { localAddress, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.once('error', reject)
    req.end()
  })
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
  it('locks out the guessing address, its right tokens included, and no other', async () => {
    // Successes are never counted: a busy unit is not throttled.
    // (The other tests' refusals came from 127.0.0.1; the guesser here is 127.0.0.3.)
    const guesser = '127.0.0.3'
    for (let i = 0; i < 30; i++) expect((await getFrom(guesser, `/u/${east}`)).status).toBe(200)
    const guesses: number[] = []
    for (let i = 0; i < 19; i++) guesses.push((await getFrom(guesser, `/u/park-east.guess${i}aaaaaaaaaaaaaaaaaaaa`)).status)
    guesses.push((await getFrom(guesser, '/api/forms', bearer('park-east.guess-bearer'))).status)
    expect(new Set(guesses.slice(0, 19))).toEqual(new Set([404]))
    expect(guesses[19]).toBe(401)
    const refused = await getFrom(guesser, '/api/forms', bearer(east))
    expect(refused.status).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'rate_limited' })
    expect((await getFrom(guesser, `/u/${east}`)).status).toBe(429)
    // Another address is served as before.
    expect((await getFrom('127.0.0.4', `/u/${east}`)).status).toBe(200)
    expect((await getFrom('127.0.0.4', '/api/forms', bearer(west))).status).toBe(200)
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
