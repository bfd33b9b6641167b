// Information-release pages. Plain HTML forms: they work with JavaScript off, and the app's CSRF
// middleware (Origin / Sec-Fetch-Site) guards every post.
//   /a/<approver token>                          approvers: pending requests, approve / reject
//   /office/info-releases                        the same for the office, behind the admin sign-in
//                                                (the admin token never goes into a URL)
//   /u/<unit token>/info-releases/<id>/resubmit  a unit corrects a rejected request
// and <UnitInfoReleases>, the unit's requests and their decisions, for the unit home page.
import { randomUUID } from 'node:crypto'
import { type Context, Hono } from 'hono'
import {
  AlreadyDecidedError,
  ApprovalConflictError,
  ApprovalInputError,
  type Decider,
  decide,
  listRequests,
  MAX_COMMENT_CHARS,
  OFFICE_DECIDER,
  resubmit,
} from '../approvals/requests.ts'
import { localDateTime } from '../clock.ts'
import { checkName } from '../decided-by.ts'
import type { FormDefinition } from '../forms/definition.ts'
import type { FormRaw } from '../forms/field-types.ts'
import type { Issue } from '../forms/validation.ts'
import { type Lang, wordsOf } from '../i18n.ts'
import type { RecordVersion, Unit } from '../model.ts'
import type { ApprovalState } from '../store.ts'
import { approvalDepsOf } from './approval-api.ts'
import { type ApproverEnv, approverLinkPage, officeSession, type UnitPageEnv } from './auth.tsx'
import type { AppDeps, Approvals } from './deps.ts'
import { limitBody } from './errors.tsx'
import { prefilled, readFormPost } from './form-post.ts'
import { FormPage } from './form-view.tsx'
import { rememberLanguage } from './language.ts'
import { ErrorPage, Page, StoredValues } from './layout.tsx'
import { NameField, rememberedName, rememberName } from './name-field.tsx'

const words = {
  approvals: { zh: '信息发布审批', en: 'Information release approval' },
  pending: { zh: '待审批', en: 'Pending' },
  approved: { zh: '已批准', en: 'Approved' },
  rejected: { zh: '未通过', en: 'Rejected' },
  nonePending: { zh: '没有待审批的申请。', en: 'Nothing is waiting for approval.' },
  recent: { zh: '最近的审批', en: 'Recent decisions' },
  approve: { zh: '批准', en: 'Approve' },
  reject: { zh: '不予批准', en: 'Reject' },
  comment: { zh: '审批意见', en: 'Comment' },
  chooseDecision: { zh: '请选择批准或不予批准', en: 'Choose approve or reject' },
  commentHint: { zh: '不予批准时必填，申请单位会看到', en: 'Required when rejecting; the requesting unit sees it' },
  signedInAs: { zh: '审批人', en: 'Approver' },
  office: { zh: '领导小组办公室', en: 'The office' },
  version: { zh: '第 {v} 版', en: 'version {v}' },
  submittedAt: { zh: '提交时间', en: 'Submitted' },
  decidedBy: { zh: '{name} 于 {at}', en: '{name} on {at}' },
  done: { zh: '已记录审批结果。', en: 'Your decision is recorded.' },
  alreadyDecided: { zh: '该申请已被审批，未作更改。', en: 'This request was decided already; nothing changed.' },
  stale: { zh: '申请已有新版本，请重新查看后再审批。', en: 'A newer version arrived; read it again before deciding.' },
  notFound: { zh: '未找到', en: 'Not found' },
  myRequests: { zh: '信息发布申请', en: 'Information release requests' },
  newRequest: { zh: '提交信息发布申请', en: 'Request an information release' },
  noRequests: { zh: '暂无申请。', en: 'No requests yet.' },
  resubmit: { zh: '修改后重新提交', en: 'Correct and submit again' },
  resubmitTitle: { zh: '重新提交信息发布申请', en: 'Submit the request again' },
  notRejected: { zh: '只有未通过的申请可以重新提交。', en: 'Only a rejected request can be submitted again.' },
} satisfies Record<string, Record<Lang, string>>

const w = wordsOf(words)

const statusTag = (status: ApprovalState['status']) => (status === 'rejected' ? 'tag tag-missing' : 'tag')

function Decision({ state, lang, timeZone }: { state: ApprovalState; lang: Lang; timeZone: string }) {
  if (state.status === 'pending') return <span class={statusTag(state.status)}>{w(lang, 'pending')}</span>
  return (
    <>
      <span class={statusTag(state.status)}>{w(lang, state.status)}</span>{' '}
      <span class="meta">{w(lang, 'decidedBy', { name: state.byName, at: localDateTime(new Date(state.at), timeZone) })}</span>
      {state.comment && <div style="white-space:pre-wrap">{state.comment}</div>}
    </>
  )
}

interface ApproverPageProps {
  deps: AppDeps
  form: FormDefinition
  decider: Decider
  base: string
  lang: Lang
  pending: { state: ApprovalState; current: RecordVersion | undefined }[]
  recent: ApprovalState[]
  unitNames: Map<string, string>
  /** the name the office's name fields start with (the approver's own link names the approver) */
  name: string
  notice?: string
  problem?: { recordId: string; field: 'by' | 'comment'; message: string }
}

function ApproverPage({ deps, form, decider, base, lang, pending, recent, unitNames, name, notice, problem }: ApproverPageProps) {
  const at = (iso: string) => localDateTime(new Date(iso), deps.timeZone)
  return (
    <Page title={w(lang, 'approvals')} lang={lang} path={base} office={base.startsWith('/office')}>
      <p class="meta">
        {w(lang, 'signedInAs')} {decider.name || w(lang, 'office')}
      </p>
      <h1>{w(lang, 'approvals')}</h1>
      {notice && (
        <div class="panel" role="status">
          {notice}
        </div>
      )}
      <h2>
        {w(lang, 'pending')} ({pending.length})
      </h2>
      {pending.length === 0 && <p>{w(lang, 'nonePending')}</p>}
      {pending.map(({ state, current }) => {
        const id = `r-${state.recordId.replace(/[^A-Za-z0-9_-]/g, '_')}`
        const mine = problem?.recordId === state.recordId ? problem : undefined
        const issue = mine?.field === 'comment' ? mine.message : undefined
        return (
          <section id={id} style="border-top:4px solid #0b0c0c;margin-top:1.5rem">
            <h3>{state.title}</h3>
            <p class="meta">
              {unitNames.get(state.unitId) ?? state.unitId} · {w(lang, 'version', { v: state.version })} · {w(lang, 'submittedAt')}{' '}
              {current ? at(current.receivedAt) : ''}
            </p>
            {current && <StoredValues form={form} record={current} lang={lang} photoBase="" />}
            <form method="post" action={`${base}/requests/${encodeURIComponent(state.recordId)}`} style="margin-top:1rem">
              <input type="hidden" name="version" value={String(state.version)} />
              {decider.name === '' && (
                <NameField id={`${id}-by`} lang={lang} value={name} error={mine?.field === 'by' ? mine.message : undefined} />
              )}
              <div class={issue ? 'field invalid' : 'field'}>
                <label class="label" for={`${id}-comment`}>
                  {w(lang, 'comment')}
                </label>
                <p class="hint">{w(lang, 'commentHint')}</p>
                {issue && <p class="error-message">{issue}</p>}
                <textarea class="input" id={`${id}-comment`} name="comment" rows={2} maxlength={MAX_COMMENT_CHARS}></textarea>
              </div>
              <p>
                <button class="button" type="submit" name="decision" value="approved">
                  {w(lang, 'approve')}
                </button>{' '}
                <button class="button button-danger" type="submit" name="decision" value="rejected">
                  {w(lang, 'reject')}
                </button>
              </p>
            </form>
          </section>
        )
      })}
      {recent.length > 0 && (
        <>
          <h2>{w(lang, 'recent')}</h2>
          <ul class="forms">
            {recent.map((state) => (
              <li>
                <strong>{state.title}</strong> · {unitNames.get(state.unitId) ?? state.unitId} · {w(lang, 'version', { v: state.version })}
                <div>
                  <Decision state={state} lang={lang} timeZone={deps.timeZone} />
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </Page>
  )
}

const RECENT = 20

/** The approvers' pages, mounted at `/a/:token`: an approver's own link. */
export function createApproverPages(deps: AppDeps, approvals: Approvals): Hono<ApproverEnv> {
  const pages = new Hono<ApproverEnv>()
  pages.use(rememberLanguage, approverLinkPage(approvals.store))
  return addDecisionPages(pages, deps, approvals)
}

/** The same pages for the office, mounted at `/office/info-releases` (admin sign-in cookie). */
export function createOfficeApprovalPages(deps: AppDeps, approvals: Approvals): Hono<ApproverEnv> {
  const pages = new Hono<ApproverEnv>()
  pages.use(rememberLanguage, officeSession(deps))
  pages.use(async (c, next) => {
    c.set('decider', OFFICE_DECIDER)
    c.set('base', '/office/info-releases')
    await next()
  })
  return addDecisionPages(pages, deps, approvals)
}

function addDecisionPages(pages: Hono<ApproverEnv>, deps: AppDeps, approvals: Approvals): Hono<ApproverEnv> {
  const domain = approvalDepsOf(deps, approvals)
  const { form } = approvals

  async function render(c: Context<ApproverEnv>, status: 200 | 409 | 422, extra: Pick<ApproverPageProps, 'notice' | 'problem'> = {}) {
    const states = await listRequests(domain)
    const pendingStates = states.filter((s) => s.status === 'pending')
    const currents = await Promise.all(pendingStates.map(async (s) => (await deps.stores.records.versions(s.recordId)).at(-1)))
    const recent = states
      .filter((s) => s.status !== 'pending')
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, RECENT)
    const unitNames = new Map((await deps.stores.units.list()).map((u) => [u.id, u.name]))
    return c.html(
      <ApproverPage
        deps={deps}
        form={form}
        decider={c.get('decider')}
        base={c.get('base')}
        lang={c.get('lang')}
        pending={pendingStates.map((state, i) => ({ state, current: currents[i] }))}
        recent={recent}
        unitNames={unitNames}
        name={rememberedName(c)}
        {...extra}
      />,
      status,
    )
  }

  pages.get('/', (c) => render(c, 200, c.req.query('decided') !== undefined ? { notice: w(c.get('lang'), 'done') } : {}))

  pages.post('/requests/:id', limitBody(16 * 1024), async (c) => {
    const lang = c.get('lang')
    const recordId = c.req.param('id')
    const posted = await c.req.parseBody()
    const decision = posted.decision === 'approved' || posted.decision === 'rejected' ? posted.decision : undefined
    const version = Number(posted.version)
    const comment = typeof posted.comment === 'string' ? posted.comment : ''
    if (!decision) return render(c, 422, { problem: { recordId, field: 'comment', message: w(lang, 'chooseDecision') } })
    const decider = c.get('decider')
    // The office's token names no one: the person deciding gives a name, as on the board.
    const name = decider.name === '' ? checkName(posted.by, lang) : undefined
    if (name && !name.ok) return render(c, 422, { problem: { recordId, field: 'by', message: name.message } })
    if (name?.ok) rememberName(c, name.name)
    try {
      const by = name?.ok ? { by: name.name } : {}
      await decide(domain, { recordId, decision, comment, decider, ...by, ...(Number.isInteger(version) ? { version } : {}) })
    } catch (error) {
      if (error instanceof ApprovalInputError) {
        const message = decision === 'rejected' && comment.trim() === '' ? w(lang, 'commentHint') : error.message
        return render(c, 422, { problem: { recordId, field: 'comment', message } })
      }
      if (error instanceof AlreadyDecidedError) return render(c, 409, { notice: w(lang, 'alreadyDecided') })
      if (error instanceof ApprovalConflictError) return render(c, 409, { notice: w(lang, 'stale') })
      // An unknown request is the app's 404 page (errors.tsx); the cases above the page tells itself.
      throw error
    }
    return c.redirect(`${c.get('base')}?decided=${encodeURIComponent(recordId)}`, 303)
  })

  return pages
}

/**
 * A unit's information-release requests and their decisions, newest first, for the unit home
 * page: `<UnitInfoReleases approvals={deps.approvals} timeZone={deps.timeZone} unit={unit} base={base} lang={lang} />`.
 */
export async function UnitInfoReleases(props: { approvals: Approvals; timeZone: string; unit: Unit; base: string; lang: Lang }) {
  const { approvals, timeZone, unit, base, lang } = props
  const { store, form } = approvals
  if (!unit.forms.includes(form.id)) return null
  const states = (await store.ofUnit(unit.id)).sort((a, b) => b.firstReceivedAt.localeCompare(a.firstReceivedAt))
  return (
    <section>
      <h2>{w(lang, 'myRequests')}</h2>
      <p>
        <a href={`${base}/forms/${form.id}`}>{w(lang, 'newRequest')}</a>
      </p>
      {states.length === 0 && <p class="meta">{w(lang, 'noRequests')}</p>}
      <ul class="forms">
        {states.map((state) => (
          <li>
            <a href={`${base}/records/${encodeURIComponent(state.recordId)}`}>
              <strong>{state.title}</strong>
            </a>{' '}
            <span class="meta">{w(lang, 'version', { v: state.version })}</span>
            <div>
              <Decision state={state} lang={lang} timeZone={timeZone} />
            </div>
            {state.status === 'rejected' && (
              <a href={`${base}/info-releases/${encodeURIComponent(state.recordId)}/resubmit`}>{w(lang, 'resubmit')}</a>
            )}
          </li>
        ))}
      </ul>
    </section>
  )
}

/** A unit's pages for its rejected requests, mounted at `/u/:token/info-releases` behind the app's unit-link check. */
export function createUnitApprovalPages(deps: AppDeps, approvals: Approvals): Hono<UnitPageEnv> {
  const pages = new Hono<UnitPageEnv>()
  const domain = approvalDepsOf(deps, approvals)

  const formFor = (unit: Unit) => (unit.forms.includes(approvals.form.id) ? approvals.form : undefined)
  const page = (c: Context<UnitPageEnv>, form: FormDefinition, raw: FormRaw, issues: Issue[], key: string) => (
    <FormPage
      form={form}
      heading={w(c.get('lang'), 'resubmitTitle')}
      meta={c.get('unit').name}
      path={c.req.path}
      back={c.get('base')}
      lang={c.get('lang')}
      raw={raw}
      issues={issues}
      idempotencyKey={key}
    />
  )
  const message = (c: Context<UnitPageEnv>, key: 'notFound' | 'notRejected', status: 404 | 409) =>
    c.html(<ErrorPage lang={c.get('lang')} message={w(c.get('lang'), key)} path={c.req.path} />, status)

  pages.get('/:id/resubmit', async (c) => {
    const unit = c.get('unit')
    const form = formFor(unit)
    const versions = await deps.stores.records.versions(c.req.param('id'))
    const current = versions.at(-1)
    if (!form || !current || current.unitId !== unit.id || current.formId !== form.id) return message(c, 'notFound', 404)
    const raw = prefilled(form, current.values)
    return c.html(page(c, form, raw, [], randomUUID()))
  })

  pages.post('/:id/resubmit', async (c) => {
    const unit = c.get('unit')
    const form = formFor(unit)
    if (!form) return message(c, 'notFound', 404)
    const { raw, body, idempotencyKey: key } = await readFormPost(c, form)
    try {
      const outcome = await resubmit(domain, { unit, recordId: c.req.param('id'), body, idempotencyKey: key, lang: c.get('lang') })
      if (outcome.kind === 'invalid') return c.html(page(c, form, raw, outcome.issues, key), 422)
      return c.redirect(`${c.get('base')}/records/${encodeURIComponent(outcome.receipt.id)}?v=${outcome.receipt.version}`, 303)
    } catch (error) {
      // Only here does a conflict mean the request is not (or no longer) the rejected one.
      if (error instanceof ApprovalConflictError) return message(c, 'notRejected', 409)
      throw error
    }
  })

  return pages
}
