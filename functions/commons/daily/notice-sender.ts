// Delivers the daily cycle's notices: a unit's reminder to its own channel (else the office's),
// summaries to the leaders' channel; every notice also goes to the log (the local outbox).

import type { FetchFn } from '../channels/deliver.ts'
import { deliverNotice, deliverToTheRest } from '../channels/notice.ts'
import { parseWebhookList, type WebhookTarget } from '../channels/webhook-config.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../log.ts'
import type { Notice, NoticeSender } from './cycle.ts'

export interface NoticeTargets {
  office: WebhookTarget[]
  leaders: WebhookTarget[]
}

export function createNoticeSender(deps: { fetch: FetchFn; clock: Clock; targets: NoticeTargets; log: Logger }): NoticeSender {
  function targetsFor(notice: Notice): WebhookTarget[] {
    const { audience } = notice
    if (audience.kind === 'leaders') return deps.targets.leaders
    if (audience.kind === 'office') return deps.targets.office
    try {
      const own = parseWebhookList(audience.unit.webhook, `unit ${audience.unit.id} webhook`)
      return own.length > 0 ? own : deps.targets.office
    } catch (error) {
      deps.log.warn('unit webhook unusable; using the office channel', { unitId: audience.unit.id, error })
      return deps.targets.office
    }
  }

  return {
    async send(notice, reached = []) {
      const targets = targetsFor(notice)
      // The log line is the local outbox: the notice is visible even with no channel configured.
      deps.log.info('notice', {
        id: notice.id,
        audience: notice.audience.kind === 'unit' ? `unit ${notice.audience.unit.id}` : notice.audience.kind,
        personal: { title: notice.title },
        targets: targets.filter((t) => !reached.includes(t.label)).map((t) => t.label),
      })
      const chat = {
        id: notice.id,
        kind: notice.id.split(':')[0] ?? 'notice',
        title: notice.title,
        lines: notice.lines,
        ...(notice.link ? { link: { label: '填报链接', url: notice.link } } : {}),
      }
      const now = deps.clock.now()
      const { delivered, failed } = await deliverToTheRest(targets, reached, (target) => deliverNotice(deps.fetch, target, chat, { now }))
      return { deliveredTo: delivered, failures: failed.map(({ target, result }) => `${target.label}: ${result.error}`) }
    },
  }
}
