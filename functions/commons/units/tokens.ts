// Bearer tokens: random, stored only as a hash, compared in constant time.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** 192 random bits, URL-safe. */
export const newSecret = (): string => randomBytes(24).toString('base64url')

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex')

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex')
  const stored = Buffer.from(storedHash, 'hex')
  return presented.length === stored.length && timingSafeEqual(presented, stored)
}

/** Unit tokens read `<unitId>.<secret>`: the id finds the unit, the secret proves it. */
export function splitUnitToken(token: string): { unitId: string; secret: string } | undefined {
  const match = /^([a-z0-9][a-z0-9-]{0,39})\.([A-Za-z0-9_-]{16,100})$/.exec(token)
  return match ? { unitId: match[1] as string, secret: match[2] as string } : undefined
}

/**
 * A unit link that expires, for reminders: the unit's real token is only ever known as a hash,
 * so a reminder carries `<unitId>.x<expiry>.<HMAC>` instead. Rotating the unit's token (its hash
 * is signed too) or the key revokes every such link at once.
 */
export function signUnitToken(unitId: string, tokenHash: string, expiresAt: Date, key: string): string {
  const exp = Math.floor(expiresAt.getTime() / 1000)
  return `${unitId}.x${exp}.${linkSignature(unitId, exp, tokenHash, key)}`
}

function linkSignature(unitId: string, exp: number, tokenHash: string, key: string): string {
  return createHmac('sha256', key).update(`${unitId}.${exp}.${tokenHash}`).digest('base64url')
}

/** The expiry is canonical (no leading zero), so each link has one spelling. */
export function splitSignedUnitToken(token: string): { unitId: string; exp: number; signature: string } | undefined {
  const match = /^([a-z0-9][a-z0-9-]{0,39})\.x([1-9]\d{8,10})\.([A-Za-z0-9_-]{43})$/.exec(token)
  return match ? { unitId: match[1] as string, exp: Number(match[2]), signature: match[3] as string } : undefined
}

/** Constant-time check of a signed link; false when expired or forged. */
export function signedUnitTokenValid(
  parts: { unitId: string; exp: number; signature: string },
  tokenHash: string,
  key: string,
  now: Date,
): boolean {
  if (parts.exp * 1000 < now.getTime()) return false
  const expected = Buffer.from(linkSignature(parts.unitId, parts.exp, tokenHash, key))
  const presented = Buffer.from(parts.signature)
  return expected.length === presented.length && timingSafeEqual(expected, presented)
}
