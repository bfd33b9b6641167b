// A retired unit owes reports up to the day before it was retired, that day counted in the
// organisation's time zone, not UTC's.
import { describe, expect, it } from 'vitest'
import type { Unit } from '#commons/model.ts'
import { owesOn } from '#commons/units/roster.ts'

const unit = (retiredAt?: string): Unit => ({
  id: 'u',
  name: '单位',
  forms: ['daily-health'],
  tokenHash: '0'.repeat(64),
  createdAt: '2026-11-01T00:00:00.000Z',
  ...(retiredAt ? { retiredAt } : {}),
})

describe('owesOn', () => {
  it('owes every day while active', () => {
    expect(owesOn(unit(), '2026-11-28', 'Asia/Shanghai')).toBe(true)
  })

  it('stops on the local day of retirement, which may be the next UTC day', () => {
    // 2026-11-27T17:30Z is 01:30 on the 28th in Shanghai
    const retired = unit('2026-11-27T17:30:00.000Z')
    expect(owesOn(retired, '2026-11-27', 'Asia/Shanghai')).toBe(true)
    expect(owesOn(retired, '2026-11-28', 'Asia/Shanghai')).toBe(false)
    expect(owesOn(retired, '2026-11-29', 'Asia/Shanghai')).toBe(false)
    // the same instant in London is still the 27th
    expect(owesOn(retired, '2026-11-27', 'Europe/London')).toBe(false)
    expect(owesOn(retired, '2026-11-26', 'Europe/London')).toBe(true)
  })
})
