// Leaders (领导小组): each has a link of their own that opens the read-only dashboard. Like unit
// and approver links, the token is printed once and only its SHA-256 is kept; rotating it stops
// the old link at once.
import { type LinkHolderStore, linkHolders } from '../link-holders.ts'

/** Leaders are holders of their own link (link-holders.ts). */
export type LeaderStore = LinkHolderStore

/** A leader or a leader's input the office got wrong: the message says what is allowed. */
export class LeaderInputError extends Error {
  override name = 'LeaderInputError'
}

export class LeaderNotFoundError extends Error {
  override name = 'LeaderNotFoundError'
}

const leaders = linkHolders('leader', {
  inputError: (message) => new LeaderInputError(message),
  notFound: (message) => new LeaderNotFoundError(message),
})

export const addLeader = leaders.add
export const rotateLeader = leaders.rotate
export const revokeLeader = leaders.revoke
/** The leader a token belongs to; undefined for any other token. */
export const leaderForToken = leaders.forToken
