// Information-release approval on one machine: a worker that registers new requests and
// delivers notices (woken by writes, plus the periodic sweep).
import { approvalPass } from '#commons/approvals/notices.ts'
import { approvalWorkerDeps } from '#commons/wiring/approval-worker.ts'
import type { Edge } from '#commons/wiring/edge.ts'
import type { LocalConfig } from './config.ts'
import { type Pump, startPump } from './pump.ts'

export interface LocalApprovals {
  pump: Pump
  /** wake the worker: a request or a decision was stored */
  changed(): void
}

export function startApprovals(
  config: LocalConfig,
  edge: Edge,
  parts: {
    publicUrl: string
    workers: boolean /** a new request is registered: the sheet's 信息发布 tab follows */
    registered: () => void
  },
): LocalApprovals {
  const deps = approvalWorkerDeps(edge, config, { approverTargets: config.APPROVER_WEBHOOKS, publicUrl: parts.publicUrl })
  const pass = async () => {
    if (!deps) return { more: false }
    const result = await approvalPass(deps)
    if (result.registered > 0) parts.registered()
    return result
  }
  const pump = startPump(pass, {
    name: 'approvals',
    debounceMs: 100,
    sweepMs: parts.workers ? config.SWEEP_INTERVAL_S * 1000 : 2 ** 31 - 1,
    log: edge.log,
  })
  if (parts.workers) pump.wake()
  return {
    pump,
    changed: () => {
      if (parts.workers) pump.wake()
    },
  }
}
