// Leaders (领导小组): each has a link of their own that opens the read-only dashboard. Like unit
// and approver links, the token is printed once and only its SHA-256 is kept; rotating it stops
// the old link at once.
import type { Clock } from '../clock.ts'
import { UNIT_ID } from '../units/roster.ts'
import { hashSecret, newSecret, secretMatches } from '../units/tokens.ts'

export interface Leader {
  id: string
  name: string
  tokenHash: string
  createdAt: string
  rotatedAt?: string
}

export interface LeaderStore {
  get(id: string): Promise<Leader | undefined>
  /** false when the id is taken */
  create(leader: Leader): Promise<boolean>
  list(): Promise<Leader[]>
  /** false when there is no such leader */
  replaceToken(id: string, tokenHash: string, at: string): Promise<boolean>
}

/** A leader or a leader's input the office got wrong: the message says what is allowed. */
export class LeaderInputError extends Error {
  override name = 'LeaderInputError'
}

/** Leader tokens read `leader.<id>.<secret>`: never mistaken for a unit's or an approver's. */
const LEADER_TOKEN = /^leader\.([a-z0-9][a-z0-9-]{0,39})\.([A-Za-z0-9_-]{16,100})$/

const tokenOf = (id: string, secret: string) => `leader.${id}.${secret}`

export async function addLeader(
  store: LeaderStore,
  clock: Clock,
  input: { id: string; name: string },
): Promise<{ leader: Leader; token: string }> {
  if (!UNIT_ID.test(input.id)) throw new LeaderInputError('leader id: lowercase letters, digits and "-", at most 40')
  const name = input.name.trim()
  if (name === '' || name.length > 100) throw new LeaderInputError('leader name: 1 to 100 characters')
  const secret = newSecret()
  const leader: Leader = { id: input.id, name, tokenHash: hashSecret(secret), createdAt: clock.now().toISOString() }
  if (!(await store.create(leader))) throw new LeaderInputError(`leader ${input.id} exists already`)
  return { leader, token: tokenOf(input.id, secret) }
}

/** A new link for the leader; the old one stops working. Undefined when there is no such leader. */
export async function rotateLeader(store: LeaderStore, clock: Clock, id: string): Promise<{ leader: Leader; token: string } | undefined> {
  const secret = newSecret()
  const at = clock.now().toISOString()
  if (!(await store.replaceToken(id, hashSecret(secret), at))) return undefined
  const leader = await store.get(id)
  return leader && { leader, token: tokenOf(id, secret) }
}

/** The leader a token belongs to; undefined for any other token. */
export async function leaderForToken(store: LeaderStore, token: string): Promise<Leader | undefined> {
  const match = LEADER_TOKEN.exec(token)
  if (!match) return undefined
  const leader = await store.get(match[1] as string)
  return leader && secretMatches(match[2] as string, leader.tokenHash) ? leader : undefined
}
