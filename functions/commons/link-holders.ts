// People who hold a link of their own: approvers (information releases) and leaders (the
// dashboard). As with units, the token is shown once and only its SHA-256 is kept; a new link
// stops the old one at once, and a revoked holder's link is refused. Tokens read
// `<kind>.<id>.<secret>`, never mistaken for a unit's `<unitId>.<secret>` or another kind's.
import type { Clock } from './clock.ts'
import { UNIT_ID } from './units/roster.ts'
import { hashSecret, newSecret, secretMatches } from './units/tokens.ts'

export interface LinkHolder {
  id: string
  name: string
  /** SHA-256 of the token's secret part */
  tokenHash: string
  createdAt: string
  rotatedAt?: string
  /** from then on the holder's link and token are refused */
  revokedAt?: string
}

export interface LinkHolderStore {
  get(id: string): Promise<LinkHolder | undefined>
  /** false when the id is taken */
  create(holder: LinkHolder): Promise<boolean>
  /** by id */
  list(): Promise<LinkHolder[]>
  /** replaces the token hash and lifts a revocation; false when there is no such holder */
  replaceToken(id: string, tokenHash: string, at: string): Promise<boolean>
  /** false when there is no such holder */
  revoke(id: string, at: string): Promise<boolean>
}

export interface IssuedLink {
  holder: LinkHolder
  token: string
}

/** The rules for one kind of holder; `inputError` and `notFound` make that kind's named errors. */
export function linkHolders(
  kind: 'approver' | 'leader',
  errors: { inputError: (message: string) => Error; notFound: (message: string) => Error },
) {
  const pattern = new RegExp(`^${kind}\\.([a-z0-9][a-z0-9-]{0,39})\\.([A-Za-z0-9_-]{16,100})$`)
  const tokenOf = (id: string, secret: string) => `${kind}.${id}.${secret}`
  return {
    async add(store: LinkHolderStore, clock: Clock, input: { id: string; name: string }): Promise<IssuedLink> {
      if (!UNIT_ID.test(input.id)) throw errors.inputError(`${kind} id: lowercase letters, digits and "-", at most 40`)
      const name = input.name.trim()
      if (name === '' || name.length > 100) throw errors.inputError(`${kind} name: 1 to 100 characters`)
      const secret = newSecret()
      const holder: LinkHolder = { id: input.id, name, tokenHash: hashSecret(secret), createdAt: clock.now().toISOString() }
      if (!(await store.create(holder))) throw errors.inputError(`${kind} ${input.id} exists already`)
      return { holder, token: tokenOf(input.id, secret) }
    },

    /** A new link (a lost phone, a leak): the old one stops working; a revoked holder is let in again. */
    async rotate(store: LinkHolderStore, clock: Clock, id: string): Promise<IssuedLink> {
      const secret = newSecret()
      if (!(await store.replaceToken(id, hashSecret(secret), clock.now().toISOString()))) throw errors.notFound(`no ${kind} ${id}`)
      return { holder: (await store.get(id)) as LinkHolder, token: tokenOf(id, secret) }
    },

    /** From now on the link and token are refused; what the holder did stays recorded. */
    async revoke(store: LinkHolderStore, clock: Clock, id: string): Promise<LinkHolder> {
      if (!(await store.revoke(id, clock.now().toISOString()))) throw errors.notFound(`no ${kind} ${id}`)
      return (await store.get(id)) as LinkHolder
    },

    /** The holder a token belongs to; undefined for any other token, or a revoked holder's. */
    async forToken(store: LinkHolderStore, token: string): Promise<LinkHolder | undefined> {
      const match = pattern.exec(token)
      if (!match) return undefined
      const holder = await store.get(match[1] as string)
      return holder && !holder.revokedAt && secretMatches(match[2] as string, holder.tokenHash) ? holder : undefined
    },
  }
}
