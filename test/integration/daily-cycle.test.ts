import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NOTICE_MAX_TEXT_BYTES } from '#commons/channels/notice.ts'
import { parseWebhookList } from '#commons/channels/webhook-config.ts'
import { type DailyCycleDeps, runDailyCycle } from '#commons/daily/cycle.ts'
import { createNoticeSender } from '#commons/daily/notice-sender.ts'
import { silentLogger } from '#commons/log.ts'
import { addUnit } from '#commons/units/roster.ts'
import { signUnitToken } from '#commons/units/tokens.ts'
import { healthReport, submission } from '../../testkit/fixtures.ts'
import { type Harness, LINK_KEY, startHarness, TIME_ZONE } from '../../testkit/harness.ts'
import { hostileName, inertProblems, robotView } from '../../testkit/robot-view.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../../testkit/webhook-receiver.ts'

let h: Harness
let receiver: WebhookReceiver

/** A fresh set of deps, as a restarted process would build them: only the database is shared. */
function cycleDeps(leaders = `dingtalk=${receiver.url}/robot/send?access_token=leaders&secret=SECleaders`): DailyCycleDeps {
  return {
    ...h.stores,
    forms: h.forms,
    timeZone: TIME_ZONE,
    notices: h.stores.notices,
    reminderLeadMinutes: 60,
    sender: createNoticeSender({
      fetch,
      clock: h.clock,
      log: silentLogger,
      targets: {
        office: parseWebhookList(`json=${receiver.url}/office`),
        leaders: parseWebhookList(leaders),
      },
    }),
    unitLink: (unit, expiresAt) => `http://forms.test/u/${signUnitToken(unit.id, unit.tokenHash, expiresAt, LINK_KEY)}`,
  }
}

const at = (localTime: string, date = '2026-11-28') => {
  h.clock.set(`${date}T${localTime}:00+08:00`)
  return h.clock.now()
}
const bodies = (path: string) => receiver.requests.filter((r) => r.path === path).map((r) => r.body as Record<string, unknown>)

beforeAll(async () => {
  h = await startHarness({ now: '2026-11-28T00:00:00+08:00' })
  receiver = await startWebhookReceiver()
  for (const id of ['alpha', 'bravo', 'charlie']) await h.unit(id, ['daily-health'])
  // delta has its own group robot: its reminder goes there, not to the office
  await h.stores.units.create({
    id: 'delta',
    name: '单位 delta',
    forms: ['daily-health'],
    tokenHash: '0'.repeat(64),
    createdAt: '2026-11-01T00:00:00Z',
    webhook: `json=${receiver.url}/delta`,
  })
})
afterAll(async () => {
  await receiver.close()
  await h.close()
})

describe('a whole day of the daily report mechanism', () => {
  it('is quiet before the reminder window', async () => {
    expect(await runDailyCycle(cycleDeps(), at('08:30'))).toEqual({ reminders: 0, summaries: 0, failed: 0 })
    expect(receiver.requests).toHaveLength(0)
  })

  it('reminds every unit still missing, once, on its own channel, with a link that opens its forms', async () => {
    await h.unit('foxtrot', ['emergency']) // owes no daily form: never reminded
    await h.app.request('/api/forms/daily-health/submissions', submission(await tokenOf('alpha'), healthReport()))
    const result = await runDailyCycle(cycleDeps(), at('09:00'))
    expect(result).toEqual({ reminders: 3, summaries: 0, failed: 0 })
    // bravo and charlie have no robot of their own: one office message names both, each with its link.
    const office = bodies('/office')
    expect(office).toHaveLength(1)
    expect(office[0]).toMatchObject({
      id: expect.stringMatching(/^reminders:2026-11-28:daily-health:/),
      title: expect.stringContaining('2 个单位尚未填报'),
    })
    const lines = office[0]?.lines as string[]
    const links = lines.flatMap((line) => line.match(/http:\/\/forms\.test\/u\/\S+/g) ?? [])
    expect(lines.filter((line) => /^单位 (bravo|charlie)：http/.test(line))).toHaveLength(2)
    expect(bodies('/delta').map((b) => b.id)).toEqual(['reminder:2026-11-28:daily-health:delta'])
    for (const link of links) {
      expect(link).toMatch(/^http:\/\/forms\.test\/u\/(bravo|charlie)\.x\d+\./)
      const page = await h.app.request(link.replace('http://forms.test', ''))
      expect(page.status, await page.clone().text()).toBe(200)
    }
  })

  it('sends nothing twice when run again, or after a restart in the middle of the window', async () => {
    const before = receiver.requests.length
    await runDailyCycle(cycleDeps(), at('09:10'))
    await runDailyCycle(cycleDeps(), at('09:40')) // a "restarted process": new sender, same database
    expect(receiver.requests.length).toBe(before)
  })

  it('retries a reminder whose channel failed, and only that one', async () => {
    await h.unit('echo', ['daily-health'])
    receiver.failNext(1, 503)
    expect(await runDailyCycle(cycleDeps(), at('09:45'))).toMatchObject({ reminders: 0, failed: 1 })
    expect(await runDailyCycle(cycleDeps(), at('09:46'))).toMatchObject({ reminders: 1, failed: 0 })
    expect(bodies('/office').filter((b) => b.id === 'reminder:2026-11-28:daily-health:echo')).toHaveLength(2) // the failed try and the retry
  })

  it('sends the leaders one summary at the deadline with the reporting rate, missing units and totals', async () => {
    await h.app.request(
      '/api/forms/daily-health/submissions',
      submission(await tokenOf('bravo'), healthReport({ feverOrRespiratory: 2, notes: '两人发热，已就医' })),
    )
    expect(await runDailyCycle(cycleDeps(), at('10:00'))).toMatchObject({ summaries: 1 })
    expect(await runDailyCycle(cycleDeps(), at('10:05'))).toMatchObject({ summaries: 0 })
    const summaries = receiver.requests.filter((r) => r.path === '/robot/send')
    expect(summaries).toHaveLength(1)
    expect(summaries[0]?.query).toMatchObject({ access_token: 'leaders', timestamp: expect.any(String), sign: expect.any(String) })
    const text = String((summaries[0]!.body as { markdown: { text: string } }).markdown.text)
    expect(text).toContain('已报 2/5') // alpha on time, bravo after its reminder but before the deadline
    expect(text).toContain('发热或呼吸道症状：2')
    expect(text).toContain('未报（3）：单位 charlie；单位 delta；单位 echo')
  })

  it('counts a report after the deadline as late, and sends no more reminders that day', async () => {
    const before = receiver.requests.length
    at('11:30')
    const res = await h.app.request('/api/forms/daily-health/submissions', submission(await tokenOf('charlie'), healthReport()))
    expect(res.status).toBe(201)
    expect(await runDailyCycle(cycleDeps(), at('11:31'))).toEqual({ reminders: 0, summaries: 0, failed: 0 })
    expect(receiver.requests.length).toBe(before)
    const status = (await (
      await h.app.request('/api/status?date=2026-11-28', { headers: { authorization: 'Bearer test-admin-token-0123456789' } })
    ).json()) as {
      forms: { units: { unitId: string; status: string }[] }[]
    }
    expect(status.forms[0]?.units.find((u) => u.unitId === 'charlie')?.status).toBe('late')
  })

  it('rolls over at midnight in Asia/Shanghai, not UTC', async () => {
    // 07:59 UTC on the 29th is 15:59 local; 16:00 UTC on the 28th is already 00:00 on the 29th locally.
    at('00:00', '2026-11-29')
    const res = await h.app.request('/api/forms/daily-health/submissions', submission(await tokenOf('alpha'), healthReport()))
    expect(await res.json()).toMatchObject({ date: '2026-11-29' })
    expect(await runDailyCycle(cycleDeps(), at('09:00', '2026-11-29'))).toMatchObject({ reminders: 4 })
    expect(JSON.stringify(bodies('/office').filter((b) => String(b.id).includes(':2026-11-29:')))).not.toContain('/u/alpha.')
  })

  it('sends a notice again only to the channel that failed, never twice to one that took it', async () => {
    const flaky = await startWebhookReceiver() // a second receiver: its failure cannot land on the other
    try {
      flaky.failNext(1, 503)
      const leaders = `json=${receiver.url}/leaders,json=${flaky.url}/leaders`
      expect(await runDailyCycle(cycleDeps(leaders), at('10:00', '2026-11-29'))).toMatchObject({ summaries: 0, failed: 1 })
      expect(await runDailyCycle(cycleDeps(leaders), at('10:01', '2026-11-29'))).toMatchObject({ summaries: 1, failed: 0 })
      expect(await runDailyCycle(cycleDeps(leaders), at('10:02', '2026-11-29'))).toMatchObject({ summaries: 0, failed: 0 })
      const summary = 'summary:2026-11-29:daily-health'
      expect(flaky.requests.map((r) => (r.body as { id: string }).id)).toEqual([summary, summary]) // refused, then taken
      expect(bodies('/leaders').map((b) => b.id)).toEqual([summary]) // once, though the notice went out twice
    } finally {
      await flaky.close()
    }
  })

  it('merges many office reminders into few messages that each fit a robot whole, every unit named once', async () => {
    at('09:00', '2026-11-30')
    const ids = Array.from({ length: 40 }, (_, i) => `crowd-${String(i).padStart(2, '0')}`)
    for (const id of ids) await h.unit(id, ['daily-health'])
    const before = bodies('/office').length
    receiver.failNext(2, 503) // delta's own reminder and the first office message fail: their units alone are tried again
    const first = await runDailyCycle(cycleDeps(), at('09:01', '2026-11-30'))
    const second = await runDailyCycle(cycleDeps(), at('09:02', '2026-11-30'))
    expect(first.reminders + first.failed).toBe(ids.length + 5) // with alpha, bravo, charlie, echo and delta (its own robot)
    expect(second.reminders).toBe(first.failed)
    expect(first.failed).toBeGreaterThan(0)
    expect(await runDailyCycle(cycleDeps(), at('09:03', '2026-11-30'))).toMatchObject({ reminders: 0, failed: 0 })

    const sent = receiver.requests.filter((r) => r.path === '/office').slice(before)
    const bodiesSent = sent.map((r) => r.body as { id: string; title: string; lines: string[] })
    // The first was refused; its retry is the same message with the same id, sent last.
    const [refused, ...delivered] = bodiesSent
    expect(delivered.at(-1)?.id).toBe(refused?.id)
    expect(sent.length).toBeLessThan(12) // 44 units, not 44 messages
    const named = delivered.flatMap((b) => b.lines.flatMap((line) => line.match(/^单位 ([\w-]+)：http/)?.[1] ?? []))
    expect(named.sort()).toEqual([...ids, 'alpha', 'bravo', 'charlie', 'echo'].sort())
    for (const body of delivered) {
      expect(body.title).toContain(`${body.lines.filter((l) => l.includes('：http')).length} 个单位尚未填报`)
      const text = [body.title, ...body.lines].join('\n')
      expect(Buffer.byteLength(text), 'would be cut: a link would be lost').toBeLessThanOrEqual(NOTICE_MAX_TEXT_BYTES)
    }
  })

  it('reminds a retired unit no more, from the day it was retired', async () => {
    at('08:00', '2026-12-01')
    const retired = await h.app.request('/api/admin/units/alpha/retire', {
      method: 'POST',
      headers: { authorization: 'Bearer test-admin-token-0123456789' },
    })
    expect(retired.status).toBe(200)
    const before = receiver.requests.length
    expect((await runDailyCycle(cycleDeps(), at('09:00', '2026-12-01'))).reminders).toBeGreaterThan(0) // the others are
    const sent = JSON.stringify(receiver.requests.slice(before).map((r) => r.body))
    expect(sent).toContain('单位 bravo')
    expect(sent).not.toContain('单位 alpha')
  })
})

async function tokenOf(unitId: string): Promise<string> {
  // Tests know the units only by id: rotate to learn a working token.
  const res = await h.app.request(`/api/admin/units/${unitId}/rotate`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-admin-token-0123456789' },
  })
  return ((await res.json()) as { token: string }).token
}

describe('hostile words in reminders and summaries', () => {
  it('reach every robot as inert text: one line per field, only the system’s links, no live mention', async () => {
    const day = await startHarness({ now: '2026-11-28T00:00:00+08:00' })
    const robots = await startWebhookReceiver()
    try {
      const on = (who: string) =>
        [
          `wecom=${robots.url}/cgi-bin/webhook/send?key=${who}`,
          `dingtalk=${robots.url}/robot/send?access_token=${who}`,
          `feishu=${robots.url}/open-apis/bot/v2/hook/${who}`,
          `slack=${robots.url}/services/T0/B0/${who}`,
        ].join(',')
      const contact = (marker: string) => ({ name: hostileName(marker), phone: '13800000000' })
      await addUnit(day.stores.units, day.forms, day.clock, {
        id: 'own',
        name: hostileName('甲'),
        forms: ['daily-health'],
        webhook: on('own'),
      })
      for (const [id, marker] of [
        ['via-office-1', '乙'],
        ['via-office-2', '丙'],
      ] as const) {
        await addUnit(day.stores.units, day.forms, day.clock, {
          id,
          name: hostileName(marker),
          forms: ['daily-health'],
          contact: contact('丁'),
        })
      }
      const links: string[] = []
      const deps: DailyCycleDeps = {
        ...day.stores,
        forms: day.forms,
        timeZone: TIME_ZONE,
        notices: day.stores.notices,
        reminderLeadMinutes: 60,
        sender: createNoticeSender({
          fetch,
          clock: day.clock,
          log: silentLogger,
          targets: { office: parseWebhookList(on('office')), leaders: parseWebhookList(on('leaders')) },
        }),
        unitLink: (unit, expiresAt) => {
          const link = `http://forms.test/u/${signUnitToken(unit.id, unit.tokenHash, expiresAt, LINK_KEY)}`
          links.push(link)
          return link
        },
      }
      day.clock.set('2026-11-28T09:00:00+08:00')
      await runDailyCycle(deps, day.clock.now())
      day.clock.set('2026-11-28T10:00:00+08:00')
      await runDailyCycle(deps, day.clock.now())
      const views = (who: string) => robots.requests.filter((r) => r.rawQuery.includes(who) || r.path.endsWith(who)).map(robotView)
      const linkOf = (id: string) => links.filter((l) => l.includes(`/u/${id}.`))
      expect(views('own')).toHaveLength(4)
      for (const view of views('own')) expect(inertProblems(view, [...new Set(linkOf('own'))], ['甲'])).toEqual([])
      expect(views('office')).toHaveLength(4)
      for (const view of views('office')) {
        expect(inertProblems(view, [...new Set([...linkOf('via-office-1'), ...linkOf('via-office-2')])], ['乙', '丙'])).toEqual([])
      }
      expect(views('leaders')).toHaveLength(4)
      for (const view of views('leaders')) expect(inertProblems(view, [], ['甲', '乙', '丙', '丁'])).toEqual([])
    } finally {
      await robots.close()
      await day.close()
    }
  })
})
