// The forms as the office publishes them: numbered versions in the database over the built-in
// definitions in `forms/` (each one's version 1). The catalog is the current registry: every
// part reads forms through it, so a publish reaches the pages, the API, validation and the sheet
// without a deploy. Locally a publish takes effect at once; each Lambda instance reads the
// current versions again when its copy is older than `maxAgeMs` (lambda/runtime.ts).
import type { Clock } from '../clock.ts'
import type { Logger } from '../log.ts'
import { FormDefinition, type FormDefinitionInput } from './definition.ts'
import { evolutionIssues, nextSheetColumns } from './evolution.ts'
import { checkDefinition, createRegistry, type DefinitionIssue, FormDefinitionError, type FormRegistry } from './registry.ts'

/** One published version as stored: the whole checked definition, who published it and when. */
export interface PublishedForm {
  formId: string
  version: number
  definition: Record<string, unknown>
  publishedBy: string
  publishedAt: string
  /** a rollback: the version whose definition this one brings back */
  rolledBackTo?: number
}

export interface FormVersionStore {
  /** one conditional write; false when that version of the form exists already */
  put(published: PublishedForm): Promise<boolean>
  /** every published version of one form, oldest first */
  versions(formId: string): Promise<PublishedForm[]>
  /** the newest published version of every form that has one */
  latest(): Promise<PublishedForm[]>
}

/** A version as `form versions` lists it (the definition left out). */
export type VersionInfo = Omit<PublishedForm, 'definition'> & { builtIn: boolean }

type Preview = { ok: true; form: FormDefinition; previous?: FormDefinition } | { ok: false; issues: DefinitionIssue[] }

export type PublishOutcome = { ok: true; id: string; version: number } | { ok: false; issues: DefinitionIssue[] }

export interface FormCatalog extends FormRegistry {
  /** reads the published versions now */
  refresh(): Promise<void>
  /** reads them when this copy is older than the catalog's lifetime */
  fresh(): Promise<void>
  /**
   * The definition a submission is checked against: the version its page showed (`opened`) while
   * that version was superseded less than the grace period ago, otherwise the current one.
   */
  opened(formId: string, opened: number | undefined): Promise<FormDefinition | undefined>
  /** what publishing `input` would make: the new version and the one it follows, or every issue */
  preview(input: unknown): Promise<Preview>
  /** checks and stores a new version (or a new form); nothing is stored when there are issues */
  publish(input: unknown, by: string): Promise<PublishOutcome>
  /** publishes an earlier version's definition again (by default the one before the current) */
  rollback(formId: string, by: string, to?: number): Promise<PublishOutcome>
  /** every version of a form, oldest first; undefined for an unknown form */
  history(formId: string): Promise<VersionInfo[] | undefined>
}

/** How long after a publish a page opened on the version before still lands against it: as long as a report may be late. */
const GRACE_MS = 7 * 24 * 3600_000
/** On AWS: a publish reaches every instance within this long. */
const CATALOG_MAX_AGE_MS = 30_000

class UnknownFormError extends Error {
  override name = 'UnknownFormError'
}

interface CatalogOptions {
  builtIn: readonly FormDefinitionInput[]
  store: FormVersionStore
  clock: Clock
  log: Logger
  /** how long a copy of the published versions serves before `fresh()` reads them again */
  maxAgeMs?: number
}

const BUILT_IN_BY = 'forms/'

export async function createFormCatalog(options: CatalogOptions): Promise<FormCatalog> {
  const { store, clock, log, maxAgeMs = CATALOG_MAX_AGE_MS } = options
  // The files fail loudly, as they always did: they are the code's own.
  const builtIn = createRegistry(options.builtIn)
  let current: FormRegistry = builtIn
  let loadedAt = Number.NEGATIVE_INFINITY
  /** parsed earlier versions (immutable once written), by `formId@version` */
  const earlier = new Map<string, { form: FormDefinition; supersededAt?: string }>()

  /** The built-in forms with the newest published version of each over them. */
  function registryOf(latest: PublishedForm[]): FormRegistry {
    const byId = new Map(builtIn.all.map((f) => [f.id, f as FormDefinitionInput]))
    for (const published of latest) {
      const parsed = FormDefinition.safeParse(published.definition)
      // a version this code can no longer read keeps the one before it in service, loudly
      if (parsed.success) byId.set(published.formId, parsed.data)
      else
        log.error('a published form no longer parses; serving the one before it', { formId: published.formId, version: published.version })
    }
    return createRegistry([...byId.values()])
  }

  async function refresh(): Promise<void> {
    const started = Date.now()
    try {
      current = registryOf(await store.latest())
      loadedAt = started
    } catch (error) {
      // The last good copy serves on; the next request tries again.
      log.error('reading the published forms failed; the last copy serves', { error })
    }
  }

  async function history(formId: string): Promise<PublishedForm[] | undefined> {
    const published = await store.versions(formId)
    const base = builtIn.get(formId)
    const first: PublishedForm[] = base
      ? [{ formId, version: 1, definition: base as unknown as Record<string, unknown>, publishedBy: BUILT_IN_BY, publishedAt: '' }]
      : []
    const all = [...first, ...published.filter((p) => !base || p.version > 1)]
    return all.length === 0 ? undefined : all
  }

  async function preview(input: unknown): Promise<Preview> {
    const checked = checkDefinition(input)
    if (!checked.ok) return checked
    const id = checked.form.id
    const versions = (await history(id)) ?? []
    const last = versions.at(-1)
    const previous = last ? FormDefinition.parse(last.definition) : undefined
    const next = FormDefinition.parse({
      ...checked.form,
      version: (last?.version ?? 0) + 1,
      ...(previous ? { sheetColumns: nextSheetColumns(previous, checked.form) } : { sheetColumns: undefined }),
    })
    const issues = previous ? evolutionIssues(previous, next) : []
    if (issues.length > 0) return { ok: false, issues }
    try {
      createRegistry([...current.all.filter((f) => f.id !== id), next])
    } catch (error) {
      if (error instanceof FormDefinitionError) return { ok: false, issues: [{ path: [], message: error.message }] }
      throw error
    }
    return { ok: true, form: next, ...(previous ? { previous } : {}) }
  }

  async function publish(input: unknown, by: string, rolledBackTo?: number): Promise<PublishOutcome> {
    const prepared = await preview(input)
    if (!prepared.ok) return prepared
    const next = prepared.form
    const id = next.id
    const stored = await store.put({
      formId: id,
      version: next.version,
      definition: JSON.parse(JSON.stringify(next)) as Record<string, unknown>,
      publishedBy: by,
      publishedAt: clock.now().toISOString(),
      ...(rolledBackTo !== undefined ? { rolledBackTo } : {}),
    })
    if (!stored)
      return {
        ok: false,
        issues: [{ path: [], message: `someone published version ${next.version} of ${id} just now: look again and retry` }],
      }
    await refresh()
    return { ok: true, id, version: next.version }
  }

  return {
    get all() {
      return current.all
    },
    get: (id) => current.get(id),
    approvalForm: () => current.approvalForm(),
    emergencyForm: () => current.emergencyForm(),
    refresh,
    async fresh() {
      if (Date.now() - loadedAt >= maxAgeMs) await refresh()
    },
    async opened(formId, opened) {
      const form = current.get(formId)
      if (!form || opened === undefined || opened >= form.version || opened < 1) return form
      const key = `${formId}@${opened}`
      let known = earlier.get(key)
      if (!known) {
        const versions = (await history(formId)) ?? []
        const at = versions.findIndex((v) => v.version === opened)
        const found = versions[at]
        if (!found) return form
        const supersededAt = versions[at + 1]?.publishedAt
        known = { form: FormDefinition.parse(found.definition), ...(supersededAt ? { supersededAt } : {}) }
        earlier.set(key, known)
      }
      const within = known.supersededAt !== undefined && clock.now().getTime() - Date.parse(known.supersededAt) <= GRACE_MS
      return within ? known.form : form
    },
    preview,
    publish: (input, by) => publish(input, by),
    async rollback(formId, by, to) {
      const versions = await history(formId)
      const last = versions?.at(-1)
      if (!versions || !last) throw new UnknownFormError(`no form "${formId}"`)
      const target = versions.find((v) => v.version === (to ?? last.version - 1))
      if (!target || target === last)
        return { ok: false, issues: [{ path: [], message: `${formId} has no version ${to ?? last.version - 1} to go back to` }] }
      // Fields and options added since stay, retired: a rollback never removes a column or a value.
      const back = FormDefinition.parse(target.definition)
      const now = FormDefinition.parse(last.definition)
      const fields = back.fields.map((field) => {
        const later = now.fields.find((f) => f.id === field.id)
        if (field.type !== 'select' || later?.type !== 'select') return field
        const kept = new Set(field.options.map((o) => o.value))
        return {
          ...field,
          options: [...field.options, ...later.options.filter((o) => !kept.has(o.value)).map((o) => ({ ...o, retired: true }))],
        }
      })
      const added = now.fields.filter((f) => !back.fields.some((b) => b.id === f.id)).map((f) => ({ ...f, retired: true }))
      return publish({ ...back, fields: [...fields, ...added] }, by, target.version)
    },
    async history(formId) {
      return (await history(formId))?.map(({ definition: _definition, ...info }) => ({
        ...info,
        builtIn: info.version === 1 && builtIn.get(formId) !== undefined,
      }))
    },
  }
}
