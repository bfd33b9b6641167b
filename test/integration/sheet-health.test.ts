/**
 * The mirror never fails silently: the sheet's health over the admin API, and the office's
 * notices of kind `sheet` when the sheet (Google's or Feishu's) refuses writes or records wait
 * too long — one for the problem, one for the recovery — over a real webhook receiver.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseWebhookList } from '#commons/channels/webhook-config.ts'
import { type DailyCycleDeps, runDailyCycle } from '#commons/daily/cycle.ts'
import { createNoticeSender } from '#commons/daily/notice-sender.ts'
import { silentLogger } from '#commons/log.ts'
import type { SheetHealth } from '#commons/sheet/health.ts'
import { type MirrorDeps, mirrorPass } from '#commons/sheet/mirror.ts'
import { healthReport, submission } from '../../testkit/fixtures.ts'
import { ADMIN_TOKEN, type Harness, startHarness, TIME_ZONE } from '../../testkit/harness.ts'
import { type SheetUnderTest, sheetsUnderTest } from '../../testkit/sheet-sinks.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../../testkit/webhook-receiver.ts'

const ALERT_AFTER_S = 600

let h: Harness
let sheet: SheetUnderTest
let receiver: WebhookReceiver

afterEach(async () => {
  await Promise.all([h.close(), sheet.close(), receiver.close()])
})

const mirrorDeps = (): MirrorDeps => ({
  ...h.stores,
  forms: h.forms,
  timeZone: TIME_ZONE,
  log: silentLogger,
  sink: sheet.sink(),
})

/** what the office is told to do, per sheet */
const fixes = {
  Google: { refused: '共享', missing: 'SHEET_ID' },
  Feishu: { refused: '协作者', missing: 'FEISHU_SHEET_TOKEN' },
}

/** the daily cycle as the schedule runs it, with the office's channel on the receiver */
const cycleDeps = (): DailyCycleDeps => ({
  ...h.stores,
  forms: h.forms,
  timeZone: TIME_ZONE,
  reminderLeadMinutes: 0,
  sender: createNoticeSender({
    fetch,
    clock: h.clock,
    log: silentLogger,
    targets: { office: parseWebhookList(`json=${receiver.url}/office`), leaders: [] },
  }),
  unitLink: () => 'http://forms.test/u/x',
  sheet: { records: h.stores.records, settings: h.stores.settings, alertAfterS: ALERT_AFTER_S, officeLink: 'http://forms.test/office' },
})

const sheetNotices = () =>
  receiver.requests
    .filter((r) => r.path === '/office')
    .map((r) => ({
      body: r.body as { id: string; kind: string; state: string; title: string; lines: string[]; link: string },
      key: r.headers['idempotency-key'],
    }))
    .filter((n) => n.body.kind === 'sheet')

async function health(): Promise<SheetHealth> {
  const res = await h.app.request('/api/admin/sheet/health', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  expect(res.status).toBe(200)
  return (await res.json()) as SheetHealth
}

async function report(unitId: string): Promise<void> {
  const token = await h.unit(unitId, ['daily-health'])
  const res = await h.app.request('/api/forms/daily-health/submissions', submission(token, healthReport()))
  expect(res.status).toBe(201)
}

describe.each(sheetsUnderTest)('the $name sheet', ({ start }) => {
  beforeEach(async () => {
    ;[h, sheet, receiver] = await Promise.all([startHarness(), start(), startWebhookReceiver()])
  })

  describe('the sheet health', () => {
    it('answers only the admin', async () => {
      const res = await h.app.request('/api/admin/sheet/health')
      expect(res.status).toBe(401)
    })

    it('shows what waits, since when, the last write and the last error', async () => {
      expect(await health()).toEqual({ pending: 0, oldestPendingS: 0, lastWriteAt: null, lastError: null })
      await report('office')
      h.clock.advance(90_000)
      sheet.failNext(1, { kind: 'refused' })

      await expect(mirrorPass(mirrorDeps(), { now: h.clock.now() })).rejects.toThrow(/marks stay/)

      expect(await health()).toEqual({ pending: 1, oldestPendingS: 90, lastWriteAt: null, lastError: expect.stringMatching(/^HTTP 403: /) })
      await mirrorPass(mirrorDeps(), { now: h.clock.now() })
      expect(await health()).toEqual({ pending: 0, oldestPendingS: 0, lastWriteAt: h.clock.now().toISOString(), lastError: null })
    })
  })

  describe('the office is told', () => {
    it('once when the sheet refuses writes (403), naming the fix, and once when it has caught up', async () => {
      await report('office')
      sheet.failNext(1, { kind: 'refused' })
      await expect(mirrorPass(mirrorDeps(), { now: h.clock.now() })).rejects.toThrow()

      await runDailyCycle(cycleDeps(), h.clock.now())
      h.clock.advance(60_000)
      await runDailyCycle(cycleDeps(), h.clock.now())

      const [problem, ...more] = sheetNotices()
      expect(more).toEqual([])
      expect(problem?.body).toEqual({
        id: expect.stringMatching(/^sheet:problem:/),
        kind: 'sheet',
        state: 'problem',
        title: expect.stringContaining('表格'),
        lines: expect.arrayContaining([expect.stringContaining(fixes[sheet.name].refused)]),
        link: 'http://forms.test/office',
      })
      expect(problem?.key).toBe(problem?.body.id)

      await mirrorPass(mirrorDeps(), { now: h.clock.now() })
      await runDailyCycle(cycleDeps(), h.clock.now())
      await runDailyCycle(cycleDeps(), h.clock.now())

      expect(sheetNotices().map((n) => n.body.state)).toEqual(['problem', 'recovered'])
      expect(sheetNotices()[1]?.body.id).toBe(problem?.body.id.replace('problem', 'recovered'))
    })

    it('names the sheet setting when the sheet is not there (404)', async () => {
      await report('office')
      sheet.failNext(1, { kind: 'missing' })
      await expect(mirrorPass(mirrorDeps(), { now: h.clock.now() })).rejects.toThrow()
      await runDailyCycle(cycleDeps(), h.clock.now())
      expect(sheetNotices()[0]?.body.lines.join('\n')).toContain(fixes[sheet.name].missing)
    })

    it('when a record has waited longer than MIRROR_ALERT_AFTER_S, not before', async () => {
      await report('office')
      h.clock.advance(ALERT_AFTER_S * 1000)
      await runDailyCycle(cycleDeps(), h.clock.now())
      expect(sheetNotices()).toEqual([])

      h.clock.advance(1000)
      await runDailyCycle(cycleDeps(), h.clock.now())
      expect(sheetNotices().map((n) => n.body.state)).toEqual(['problem'])
      expect(sheetNotices()[0]?.body.lines[0]).toMatch(/^1 条记录等待写入/)

      await mirrorPass(mirrorDeps(), { now: h.clock.now() })
      await runDailyCycle(cycleDeps(), h.clock.now())
      expect(sheetNotices().map((n) => n.body.state)).toEqual(['problem', 'recovered'])
    })

    it('again, with new ids, when the sheet fails a second time', async () => {
      await report('office')
      for (const round of [1, 2]) {
        sheet.failNext(1, { kind: 'refused' })
        await expect(mirrorPass(mirrorDeps(), { now: h.clock.now(), refresh: true })).rejects.toThrow()
        await runDailyCycle(cycleDeps(), h.clock.now())
        await mirrorPass(mirrorDeps(), { now: h.clock.now(), refresh: true })
        await runDailyCycle(cycleDeps(), h.clock.now())
        h.clock.advance(60_000)
        expect(sheetNotices(), `round ${round}`).toHaveLength(round * 2)
      }
      expect(new Set(sheetNotices().map((n) => n.body.id)).size).toBe(4)
    })
  })
})
