// Bearer tokens: random, stored only as a hash, compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

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
