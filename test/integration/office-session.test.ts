// The office's sign-in sessions against the real app and dynalite, and who the local server
// believes a client is (a real socket, with and without a trusted reverse proxy).

import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashSecret } from '#commons/units/tokens.ts'
import { createApp } from '#commons/web/app.tsx'
import { localClient } from '../../functions/local/client-info.ts'
import { ADMIN_TOKEN, type Harness, officeCookie, startHarness } from '../../testkit/harness.ts'

let h: Harness

beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h?.close())

const signIn = (url: string, token = ADMIN_TOKEN) =>
  h.app.request(`${url}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
    body: new URLSearchParams({ token, next: '/office' }).toString(),
  })

describe('an office session', () => {
  it('is Secure and __Host- over TLS, plain over HTTP', async () => {
    const tls = (await signIn('https://forms.test')).headers.get('set-cookie') ?? ''
    expect(tls).toMatch(/^__Host-sentinel_session=[A-Za-z0-9_-]{32,};/)
    expect(tls).toMatch(/; Secure/)
    expect(tls).toMatch(/; HttpOnly/)
    expect(tls).toMatch(/; SameSite=Strict/)
    const cookie = tls.split(';')[0] ?? ''
    expect((await h.app.request('https://forms.test/office', { headers: { cookie } })).status).toBe(200)

    const plain = (await signIn('http://localhost')).headers.get('set-cookie') ?? ''
    expect(plain).toMatch(/^sentinel_session=/)
    expect(plain).not.toMatch(/Secure/)
  })

  it('ends after twelve hours, and at once for every browser when the admin token changes', async () => {
    const cookie = await officeCookie(h.app)
    const office = (app = h.app) => app.request('http://localhost/office', { headers: { cookie } })
    expect((await office()).status).toBe(200)

    // The same database, a new admin token: the old sessions are worth nothing.
    const rotated = createApp({
      forms: h.forms,
      stores: h.stores,
      clock: h.clock,
      timeZone: 'Asia/Shanghai',
      adminTokenHash: hashSecret('a-new-admin-token-0123456789'),
      linkKey: 'k'.repeat(32),
      publicUrl: 'http://forms.test',
      log: (await import('#commons/log.ts')).silentLogger,
      rebuildSheet: async () => ({ rows: 0 }),
    })
    expect((await office(rotated)).status).toBe(303)

    h.clock.advance(12 * 3600_000 + 1000)
    const expired = await office()
    expect(expired.status).toBe(303)
    expect(expired.headers.get('location')).toBe('/admin/login?next=%2Foffice')
  })

  it('is never opened by a wrong token, and a planted session id is not promoted at sign-in', async () => {
    expect((await signIn('http://localhost', 'wrong-token-wrong-token')).status).toBe(401)
    const planted = 'sentinel_session=planted-id-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
    const login = await h.app.request('http://localhost/admin/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost', cookie: planted },
      body: new URLSearchParams({ token: ADMIN_TOKEN }).toString(),
    })
    expect(login.headers.get('set-cookie')).not.toContain('planted-id')
    expect((await h.app.request('http://localhost/office', { headers: { cookie: planted } })).status).toBe(303)
  })
})

describe('the local server’s view of a client', () => {
  /** A real server that answers with what localClient makes of each request. */
  async function echoServer(trusted: string[]) {
    const app = new Hono()
    const clientOf = localClient(trusted)
    app.get('/', (c) => c.json(clientOf(c)))
    const server = serve({ fetch: app.fetch, port: 0, hostname: '0.0.0.0' })
    await new Promise<void>((resolve) => server.once('listening', resolve))
    const port = (server.address() as AddressInfo).port
    const ask = (localAddress: string, headers: Record<string, string>) =>
      new Promise<{ address?: string; tls: boolean }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/', localAddress, headers }, (res) => {
          let body = ''
          res.on('data', (chunk) => (body += chunk))
          res.once('end', () => resolve(JSON.parse(body)))
        })
        req.once('error', reject)
        req.end()
      })
    return { ask, close: () => new Promise((resolve) => server.close(resolve)) }
  }

  it('believes X-Forwarded-For and X-Forwarded-Proto only from a proxy named in TRUST_PROXY', async () => {
    const echo = await echoServer(['127.0.0.9'])
    const forwarded = { 'x-forwarded-for': '203.0.113.7, 198.51.100.2', 'x-forwarded-proto': 'https' }
    try {
      // From the proxy: the right-most address it saw, and TLS as it says.
      expect(await echo.ask('127.0.0.9', forwarded)).toEqual({ address: '198.51.100.2', tls: true })
      expect(await echo.ask('127.0.0.9', {})).toEqual({ address: '127.0.0.9', tls: false })
      // From anyone else: the socket's peer, whatever the headers claim.
      expect(await echo.ask('127.0.0.8', forwarded)).toEqual({ address: '127.0.0.8', tls: false })
    } finally {
      await echo.close()
    }
  })
})
