// Who sent a request to the local server: the socket's peer, unless that peer is a reverse proxy
// named in TRUST_PROXY, whose X-Forwarded-For and X-Forwarded-Proto are then believed. Without
// TRUST_PROXY those headers are ignored: anyone can send them.

import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'
import type { ClientInfo } from '#commons/web/deps.ts'

/** `::ffff:127.0.0.1` is 127.0.0.1. */
const plain = (address: string) => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '')

export function localClient(trustedProxies: string[]): (c: Context) => ClientInfo {
  const trusted = new Set(trustedProxies.map(plain))
  return (c) => {
    // Requests made in-process (tests, app.request) have no socket.
    if (!c.env) return { tls: false }
    const peer = plain(getConnInfo(c).remote.address ?? '')
    if (!trusted.has(peer)) return { address: peer || undefined, tls: false }
    // The right-most address that is not one of our proxies is the one our proxies saw.
    const forwarded = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((item) => plain(item.trim()))
      .filter((item) => item !== '')
    const address = forwarded.reverse().find((item) => !trusted.has(item)) ?? peer
    const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase()
    return { address, tls: proto === 'https' }
  }
}
