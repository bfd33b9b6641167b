// The alert worker's channel lanes (emergencies/worker.ts, ChannelLanes), for the one
// long-lived process that has them: a Lambda instance stops with its pass, so its passes wait
// for every channel.
import type { ChannelLanes } from '#commons/emergencies/worker.ts'

export function createChannelLanes(waitMs: number, freed?: () => void): ChannelLanes & { idle(): Promise<void> } {
  const busy = new Map<string, Promise<void>>()
  return {
    waitMs,
    busy,
    ...(freed ? { freed } : {}),
    /** resolves when no channel is at work any more */
    async idle() {
      while (busy.size > 0) await Promise.all(busy.values())
    },
  }
}
