// The office's settings pages: information-release approvers (/office/approvers; a new approver's
// link is shown once, with its QR code) and the daily forms' deadlines (/office/deadlines).
import { type Context, Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { raw } from 'hono/html'
import { renderSVG } from 'uqr'
import { ApprovalInputError, addApprover, revokeApprover, rotateApprover } from '../approvals/requests.ts'
import { localDateTime } from '../clock.ts'
import { DeadlineInputError, deadlineOf, isDeadlineTime, setDeadline } from '../daily/deadlines.ts'
import { type Lang, wordsOf } from '../i18n.ts'
import type { IssuedLink } from '../link-holders.ts'
import type { AppDeps, AppEnv, Approvals } from './deps.ts'
import { limitBody } from './errors.tsx'
import { Page } from './layout.tsx'

const w = wordsOf({
  approvers: { zh: '审批人', en: 'Approvers' },
  approversIntro: {
    zh: '审批人用自己的链接审批各单位的信息发布申请。',
    en: "Approvers decide the units' information-release requests from their own link.",
  },
  noApprovers: { zh: '还没有审批人。', en: 'There is no approver yet.' },
  addApprover: { zh: '添加审批人', en: 'Add an approver' },
  id: { zh: '审批人ID', en: 'Approver id' },
  idHint: { zh: '小写字母、数字和“-”，最多 40 个', en: 'Lowercase letters, digits and "-", at most 40' },
  name: { zh: '姓名', en: 'Name' },
  added: { zh: '添加时间', en: 'Added' },
  status: { zh: '状态', en: 'Status' },
  active: { zh: '在用', en: 'Active' },
  revokedOn: { zh: '{date} 起撤销', en: 'Revoked from {date}' },
  actions: { zh: '操作', en: 'Actions' },
  rotate: { zh: '生成新链接', en: 'New link' },
  rotateLabel: { zh: '为 {name} 生成新链接（旧链接立即失效）', en: 'New link for {name} (the old one stops working)' },
  revoke: { zh: '撤销', en: 'Revoke' },
  revokeLabel: { zh: '撤销 {name} 的审批权限（链接立即失效）', en: "Revoke {name}'s link (it stops working at once)" },
  add: { zh: '添加并生成链接', en: 'Add and make the link' },
  errors: { zh: '请更正以下问题', en: 'There is a problem' },
  onceTitle: { zh: '{name} 的审批链接', en: 'Approval link of {name}' },
  onceNotice: {
    zh: '链接只显示这一次，系统不保存。请现在复制或扫码，交给审批人本人。',
    en: 'The link is shown this once and not kept. Copy it or scan it now and give it to the approver in person.',
  },
  qr: { zh: '二维码：{name} 的审批链接', en: 'QR code: approval link of {name}' },
  back: { zh: '返回审批人列表', en: 'Back to the approvers' },
  deadlines: { zh: '截止时间', en: 'Deadlines' },
  deadlinesIntro: {
    zh: '每天各日报的截止时间（24 小时制，{zone}）。截止前未报的单位会收到提醒。',
    en: 'When each daily report is due every day (24-hour, {zone}). Units still missing are reminded before it.',
  },
  save: { zh: '保存', en: 'Save' },
  saved: { zh: '已保存。', en: 'Saved.' },
  badTime: { zh: '请填写 24 小时制时间，如 09:30', en: 'Enter a 24-hour time such as 09:30' },
  badId: {
    zh: '只能用小写字母、数字和“-”，最多 40 个；且不能与已有审批人重复',
    en: 'Lowercase letters, digits and "-", at most 40, not used by another approver',
  },
  badName: { zh: '请填写 1–100 个字符', en: 'Enter 1 to 100 characters' },
} satisfies Record<string, Record<Lang, string>>)

function Summary({ lang, problems }: { lang: Lang; problems: { anchor: string; text: string }[] }) {
  if (problems.length === 0) return null
  return (
    <div class="error-summary" role="alert" tabindex={-1} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{w(lang, 'errors')}</h2>
      <ul>
        {problems.map((p) => (
          <li>
            <a href={`#${p.anchor}`}>{p.text}</a>
          </li>
        ))}
      </ul>
    </div>
  )
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '')

export function createApproverPages(deps: AppDeps, approvals: Approvals): Hono<AppEnv> {
  const pages = new Hono<AppEnv>()
  pages.use(csrf())

  async function list(c: Context<AppEnv>, values = { id: '', name: '' }, problem?: 'id' | 'name') {
    const lang = c.get('lang')
    const approvers = (await approvals.store.approvers.list()).sort((a, b) => a.id.localeCompare(b.id))
    const fieldClass = (f: 'id' | 'name') => (problem === f ? 'field invalid' : 'field')
    const message = problem === 'name' ? w(lang, 'badName') : w(lang, 'badId')
    return c.html(
      <Page title={w(lang, 'approvers')} lang={lang} path="/office/approvers" office>
        <h1>{w(lang, 'approvers')}</h1>
        <Summary
          lang={lang}
          problems={problem ? [{ anchor: problem, text: `${w(lang, problem)}${lang === 'zh' ? '：' : ': '}${message}` }] : []}
        />
        <p>{w(lang, 'approversIntro')}</p>
        {approvers.length === 0 ? (
          <p>{w(lang, 'noApprovers')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{w(lang, 'name')}</th>
                <th scope="col">{w(lang, 'status')}</th>
                <th scope="col">{w(lang, 'actions')}</th>
              </tr>
            </thead>
            <tbody>
              {approvers.map((a) => (
                <tr>
                  <td>
                    {a.name}
                    <div class="meta">
                      {a.id} · {w(lang, 'added')} {localDateTime(new Date(a.createdAt), deps.timeZone).slice(0, 10)}
                    </div>
                  </td>
                  <td>
                    {a.revokedAt ? (
                      <span class="tag tag-missing">
                        {w(lang, 'revokedOn', { date: localDateTime(new Date(a.revokedAt), deps.timeZone).slice(0, 10) })}
                      </span>
                    ) : (
                      <span class="tag">{w(lang, 'active')}</span>
                    )}
                  </td>
                  <td>
                    {/* a rotation also lets a revoked approver in again */}
                    <form method="post" action={`/office/approvers/${a.id}/rotate`}>
                      <button class="button" type="submit" aria-label={w(lang, 'rotateLabel', { name: a.name })}>
                        {w(lang, 'rotate')}
                      </button>
                    </form>
                    {!a.revokedAt && (
                      <form method="post" action={`/office/approvers/${a.id}/revoke`} style="margin-top:.4rem">
                        <button class="button button-danger" type="submit" aria-label={w(lang, 'revokeLabel', { name: a.name })}>
                          {w(lang, 'revoke')}
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2>{w(lang, 'addApprover')}</h2>
        <form method="post" action="/office/approvers" novalidate>
          <div class={fieldClass('id')}>
            <label class="label" for="id">
              {w(lang, 'id')}
            </label>
            <p class="hint" id="id-hint">
              {w(lang, 'idHint')}
            </p>
            {problem === 'id' && (
              <p class="error-message" id="id-error">
                {message}
              </p>
            )}
            <input
              class="input"
              id="id"
              name="id"
              value={values.id}
              autocomplete="off"
              autocapitalize="none"
              aria-describedby={problem === 'id' ? 'id-hint id-error' : 'id-hint'}
              aria-invalid={problem === 'id' ? 'true' : undefined}
            />
          </div>
          <div class={fieldClass('name')}>
            <label class="label" for="name">
              {w(lang, 'name')}
            </label>
            {problem === 'name' && (
              <p class="error-message" id="name-error">
                {message}
              </p>
            )}
            <input
              class="input"
              id="name"
              name="name"
              value={values.name}
              autocomplete="off"
              aria-describedby={problem === 'name' ? 'name-error' : undefined}
              aria-invalid={problem === 'name' ? 'true' : undefined}
            />
          </div>
          <button class="button" type="submit">
            {w(lang, 'add')}
          </button>
        </form>
      </Page>,
      problem ? 422 : 200,
    )
  }

  /** The link shown once, with its QR code: it is not kept anywhere. */
  function onceAnswer(c: Context<AppEnv>, { holder: approver, token }: IssuedLink, status: 200 | 201) {
    const lang = c.get('lang')
    const link = `${deps.publicUrl}/a/${token}`
    c.header('cache-control', 'no-store')
    c.header('referrer-policy', 'no-referrer')
    return c.html(
      <Page title={w(lang, 'onceTitle', { name: approver.name })} lang={lang} path="/office/approvers" office>
        <h1>{w(lang, 'onceTitle', { name: approver.name })}</h1>
        <div class="panel" role="status">
          <p>{w(lang, 'onceNotice')}</p>
        </div>
        <p id="approver-link" style="word-break:break-all;font-family:ui-monospace,monospace;background:#f3f2f1;padding:.5rem">
          {link}
        </p>
        <div style="max-width:16rem" role="img" aria-label={w(lang, 'qr', { name: approver.name })}>
          {raw(renderSVG(link, { ecc: 'M', border: 2, pixelSize: 8 }).replace('<svg ', '<svg style="width:100%;height:auto" '))}
        </div>
        <p>
          <a href="/office/approvers">{w(lang, 'back')}</a>
        </p>
      </Page>,
      status,
    )
  }

  pages.get('/', (c) => list(c))
  pages.post('/:id/rotate', limitBody(4096), async (c) =>
    onceAnswer(c, await rotateApprover(approvals.store, deps.clock, c.req.param('id')), 200),
  )
  pages.post('/:id/revoke', limitBody(4096), async (c) => {
    await revokeApprover(approvals.store, deps.clock, c.req.param('id'))
    return c.redirect('/office/approvers', 303)
  })
  pages.post('/', limitBody(4096), async (c) => {
    const body = await c.req.parseBody()
    const values = { id: text(body.id), name: text(body.name) }
    try {
      return onceAnswer(c, await addApprover(approvals.store, deps.clock, values), 201)
    } catch (error) {
      // addApprover's messages start with the field they are about.
      if (error instanceof ApprovalInputError) return list(c, values, error.message.startsWith('approver name') ? 'name' : 'id')
      throw error
    }
  })
  return pages
}

export function createDeadlinePages(deps: AppDeps): Hono<AppEnv> {
  const pages = new Hono<AppEnv>()
  pages.use(csrf())
  const daily = () => deps.forms.all.filter((f) => f.kind === 'daily')

  async function page(c: Context<AppEnv>, typed: Record<string, string> = {}, refused: string[] = [], saved = false) {
    const lang = c.get('lang')
    const forms = daily()
    const current = await Promise.all(forms.map((f) => deadlineOf(deps.stores.settings, f.id)))
    return c.html(
      <Page title={w(lang, 'deadlines')} lang={lang} path="/office/deadlines" office>
        <h1>{w(lang, 'deadlines')}</h1>
        <Summary
          lang={lang}
          problems={refused.map((id) => ({
            anchor: `time-${id}`,
            text: `${deps.forms.get(id)?.title[lang] ?? id}${lang === 'zh' ? '：' : ': '}${w(lang, 'badTime')}`,
          }))}
        />
        {saved && (
          <div class="panel" role="status">
            {w(lang, 'saved')}
          </div>
        )}
        <p>{w(lang, 'deadlinesIntro', { zone: deps.timeZone })}</p>
        <form method="post" action="/office/deadlines" novalidate>
          {forms.map((form, i) => {
            const bad = refused.includes(form.id)
            return (
              <div class={bad ? 'field invalid' : 'field'}>
                <label class="label" for={`time-${form.id}`}>
                  {form.title[lang]}
                </label>
                {bad && (
                  <p class="error-message" id={`time-${form.id}-error`}>
                    {w(lang, 'badTime')}
                  </p>
                )}
                <input
                  class="input"
                  style="max-width:9rem"
                  type="time"
                  id={`time-${form.id}`}
                  name={form.id}
                  value={typed[form.id] ?? current[i]}
                  aria-invalid={bad ? 'true' : undefined}
                  aria-describedby={bad ? `time-${form.id}-error` : undefined}
                />
              </div>
            )
          })}
          <button class="button" type="submit">
            {w(lang, 'save')}
          </button>
        </form>
      </Page>,
      refused.length > 0 ? 422 : 200,
    )
  }

  pages.get('/', (c) => page(c, {}, [], c.req.query('saved') !== undefined))
  pages.post('/', limitBody(4096), async (c) => {
    const body = await c.req.parseBody()
    const typed = Object.fromEntries(daily().map((f) => [f.id, text(body[f.id])]))
    // Every time checked before any is saved: a refusal changes nothing.
    const refused = daily()
      .filter((f) => !isDeadlineTime(typed[f.id] ?? ''))
      .map((f) => f.id)
    if (refused.length > 0) return page(c, typed, refused)
    for (const form of daily()) {
      try {
        await setDeadline(deps.stores.settings, form, typed[form.id] ?? '')
      } catch (error) {
        if (error instanceof DeadlineInputError) return page(c, typed, [form.id])
        throw error
      }
    }
    return c.redirect('/office/deadlines?saved', 303)
  })
  return pages
}
