// Signed links have one spelling: an expiry with a leading zero is the same number, so it is refused.
import { describe, expect, it } from 'vitest'
import { checkAckToken, signAckToken } from '#commons/emergencies/ack-link.ts'
import { signedUnitTokenValid, signUnitToken, splitSignedUnitToken } from '#commons/units/tokens.ts'

const KEY = 'k'.repeat(32)
const NOW = new Date('2026-11-30T00:00:00Z')
const LATER = new Date('2026-12-01T00:00:00Z')
/** The same link with its expiry written with a leading zero. */
const padded = (token: string, marker: string) => token.replace(new RegExp(`\\.${marker}(\\d+)\\.`), `.${marker}0$1.`)

describe('a reminder link', () => {
  it('is accepted as signed, and refused with a leading zero in its expiry', () => {
    const token = signUnitToken('park-east', 'a'.repeat(64), LATER, KEY)
    const parts = splitSignedUnitToken(token)
    expect(parts && signedUnitTokenValid(parts, 'a'.repeat(64), KEY, NOW)).toBe(true)
    expect(splitSignedUnitToken(padded(token, 'x'))).toBeUndefined()
  })
})

describe('an acknowledge link', () => {
  it('is accepted as signed, and refused with a leading zero in its expiry', () => {
    const token = signAckToken('em-0123456789abcdef0123', LATER, KEY)
    expect(checkAckToken(token, KEY, NOW)).toEqual({ ok: true, emergencyId: 'em-0123456789abcdef0123' })
    expect(checkAckToken(padded(token, ''), KEY, NOW)).toEqual({ ok: false, reason: 'malformed' })
  })
})
