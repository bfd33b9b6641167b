// One-tap acknowledge links: `<emergencyId>.<expiry>.<HMAC>`, no login. The link travels through
// chat groups, so it is signed (a guessed or altered one is refused) and expires.
import { createHmac, timingSafeEqual } from 'node:crypto'

const signature = (emergencyId: string, exp: number, key: string) =>
  createHmac('sha256', key).update(`ack.${emergencyId}.${exp}`).digest('base64url')

export function signAckToken(emergencyId: string, expiresAt: Date, key: string): string {
  const exp = Math.floor(expiresAt.getTime() / 1000)
  return `${emergencyId}.${exp}.${signature(emergencyId, exp, key)}`
}

export type AckTokenCheck = { ok: true; emergencyId: string } | { ok: false; reason: 'malformed' | 'forged' | 'expired' }

/**
 * Constant-time check; the signature is checked before the expiry so a forged link learns nothing.
 * The expiry is canonical (no leading zero), so each link has one spelling.
 */
export function checkAckToken(token: string, key: string, now: Date): AckTokenCheck {
  const match = /^(em-[a-f0-9]{20})\.([1-9]\d{8,10})\.([A-Za-z0-9_-]{43})$/.exec(token)
  if (!match) return { ok: false, reason: 'malformed' }
  const [, emergencyId, expText, presented] = match as unknown as [string, string, string, string]
  const exp = Number(expText)
  const expected = Buffer.from(signature(emergencyId, exp, key))
  const given = Buffer.from(presented)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'forged' }
  if (exp * 1000 < now.getTime()) return { ok: false, reason: 'expired' }
  return { ok: true, emergencyId }
}

export const ackUrl = (publicUrl: string, token: string) => `${publicUrl}/ack/${token}`
