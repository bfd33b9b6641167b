// The office's settings pages: the holders of their own links — information-release approvers
// (/office/approvers) and leaders (/office/leaders); a new link is shown once, with its QR
// code — and the daily forms' deadlines (/office/deadlines).
import { type Context, Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { raw } from 'hono/html'
import { renderSVG } from 'uqr'
import { localDateTime } from '../clock.ts'
import { DeadlineInputError, deadlineOf, isDeadlineTime, setDeadline } from '../daily/deadlines.ts'
import { type Lang, wordsOf } from '../i18n.ts'
import type { IssuedLink, LinkHolderStore } from '../link-holders.ts'
import type { AppDeps, AppEnv } from './deps.ts'
import { limitBody } from './errors.tsx'
import { Page } from './layout.tsx'

const w = wordsOf({
  name: { zh: '姓名', en: 'Name' },
  idHint: { zh: '小写字母、数字和“-”，最多 40 个', en: 'Lowercase letters, digits and "-", at most 40' },
  added: { zh: '添加时间', en: 'Added' },
  status: { zh: '状态', en: 'Status' },
  active: { zh: '在用', en: 'Active' },
  revokedOn: { zh: '{date} 起撤销', en: 'Revoked from {date}' },
  actions: { zh: '操作', en: 'Actions' },
  rotate: { zh: '生成新链接', en: 'New link' },
  rotateLabel: { zh: '为 {name} 生成新链接（旧链接立即失效）', en: 'New link for {name} (the old one stops working)' },
  revoke: { zh: '撤销', en: 'Revoke' },
  add: { zh: '添加并生成链接', en: 'Add and make the link' },
  errors: { zh: '请更正以下问题', en: 'There is a problem' },
  deadlines: { zh: '截止时间', en: 'Deadlines' },
  deadlinesIntro: {
    zh: '每天各日报的截止时间（24 小时制，{zone}）。截止前未报的单位会收到提醒。',
    en: 'When each daily report is due every day (24-hour, {zone}). Units still missing are reminded before it.',
  },
  save: { zh: '保存', en: 'Save' },
  saved: { zh: '已保存。', en: 'Saved.' },
  badTime: { zh: '请填写 24 小时制时间，如 09:30', en: 'Enter a 24-hour time such as 09:30' },
  badName: { zh: '请填写 1–100 个字符', en: 'Enter 1 to 100 characters' },
} satisfies Record<string, Record<Lang, string>>)

/** What the office calls each kind of link holder, and what their link opens. */
const holderWords = {
  approver: wordsOf({
    title: { zh: '审批人', en: 'Approvers' },
    intro: {
      zh: '审批人用自己的链接审批各单位的信息发布申请。',
      en: "Approvers decide the units' information-release requests from their own link.",
    },
    none: { zh: '还没有审批人。', en: 'There is no approver yet.' },
    addTitle: { zh: '添加审批人', en: 'Add an approver' },
    id: { zh: '审批人ID', en: 'Approver id' },
    revokeLabel: { zh: '撤销 {name} 的审批权限（链接立即失效）', en: "Revoke {name}'s link (it stops working at once)" },
    onceTitle: { zh: '{name} 的审批链接', en: 'Approval link of {name}' },
    onceNotice: {
      zh: '链接只显示这一次，系统不保存。请现在复制或扫码，交给审批人本人。',
      en: 'The link is shown this once and not kept. Copy it or scan it now and give it to the approver in person.',
    },
    qr: { zh: '二维码：{name} 的审批链接', en: 'QR code: approval link of {name}' },
    back: { zh: '返回审批人列表', en: 'Back to the approvers' },
    badId: {
      zh: '只能用小写字母、数字和“-”，最多 40 个；且不能与已有审批人重复',
      en: 'Lowercase letters, digits and "-", at most 40, not used by another approver',
    },
  } satisfies Record<string, Record<Lang, string>>),
  leader: wordsOf({
    title: { zh: '领导', en: 'Leaders' },
    intro: {
      zh: '领导用自己的链接查看只读的领导简报：今日报送、应急请求、待审批的信息发布和两周趋势。',
      en: "Leaders open the read-only dashboard from their own link: today's reports, emergencies, pending releases and two weeks' trends.",
    },
    none: { zh: '还没有领导链接。', en: 'There is no leader yet.' },
    addTitle: { zh: '添加领导', en: 'Add a leader' },
    id: { zh: '领导ID', en: 'Leader id' },
    revokeLabel: { zh: '撤销 {name} 的简报链接（立即失效）', en: "Revoke {name}'s link (it stops working at once)" },
    onceTitle: { zh: '{name} 的简报链接', en: 'Dashboard link of {name}' },
    onceNotice: {
      zh: '链接只显示这一次，系统不保存。请现在复制或扫码，交给领导本人。',
      en: 'The link is shown this once and not kept. Copy it or scan it now and give it to the leader in person.',
    },
    qr: { zh: '二维码：{name} 的简报链接', en: 'QR code: dashboard link of {name}' },
    back: { zh: '返回领导列表', en: 'Back to the leaders' },
    badId: {
      zh: '只能用小写字母、数字和“-”，最多 40 个；且不能与已有领导重复',
      en: 'Lowercase letters, digits and "-", at most 40, not used by another leader',
    },
  } satisfies Record<string, Record<Lang, string>>),
}

/** One kind of link holder as the office's pages manage it (approvers, leaders). */
export interface LinkHolderKind {
  kind: keyof typeof holderWords
  /** where the pages live, e.g. /office/approvers */
  path: string
  /** where a holder's link opens: `${linkPath}/${token}` */
  linkPath: string
  store: LinkHolderStore
  add(input: { id: string; name: string }): Promise<IssuedLink>
  rotate(id: string): Promise<IssuedLink>
  revoke(id: string): Promise<unknown>
  /** the error `add` throws for input the office got wrong (its message starts with the field) */
  isInputError(error: unknown): boolean
}

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

export function createLinkHolderPages(deps: AppDeps, holders: LinkHolderKind): Hono<AppEnv> {
  const pages = new Hono<AppEnv>()
  pages.use(csrf())
  const h = holderWords[holders.kind]

  async function list(c: Context<AppEnv>, values = { id: '', name: '' }, problem?: 'id' | 'name') {
    const lang = c.get('lang')
    const listed = (await holders.store.list()).sort((a, b) => a.id.localeCompare(b.id))
    const fieldClass = (f: 'id' | 'name') => (problem === f ? 'field invalid' : 'field')
    const message = problem === 'name' ? w(lang, 'badName') : h(lang, 'badId')
    return c.html(
      <Page title={h(lang, 'title')} lang={lang} path={holders.path} office>
        <h1>{h(lang, 'title')}</h1>
        <Summary
          lang={lang}
          problems={
            problem
              ? [{ anchor: problem, text: `${problem === 'id' ? h(lang, 'id') : w(lang, 'name')}${lang === 'zh' ? '：' : ': '}${message}` }]
              : []
          }
        />
        <p>{h(lang, 'intro')}</p>
        {listed.length === 0 ? (
          <p>{h(lang, 'none')}</p>
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
              {listed.map((a) => (
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
                    {/* a rotation also lets a revoked holder in again */}
                    <form method="post" action={`${holders.path}/${a.id}/rotate`}>
                      <button class="button" type="submit" aria-label={w(lang, 'rotateLabel', { name: a.name })}>
                        {w(lang, 'rotate')}
                      </button>
                    </form>
                    {!a.revokedAt && (
                      <form method="post" action={`${holders.path}/${a.id}/revoke`} style="margin-top:.4rem">
                        <button class="button button-danger" type="submit" aria-label={h(lang, 'revokeLabel', { name: a.name })}>
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
        <h2>{h(lang, 'addTitle')}</h2>
        <form method="post" action={holders.path} novalidate>
          <div class={fieldClass('id')}>
            <label class="label" for="id">
              {h(lang, 'id')}
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
  function onceAnswer(c: Context<AppEnv>, { holder, token }: IssuedLink, status: 200 | 201) {
    const lang = c.get('lang')
    const link = `${deps.publicUrl}${holders.linkPath}/${token}`
    c.header('cache-control', 'no-store')
    c.header('referrer-policy', 'no-referrer')
    return c.html(
      <Page title={h(lang, 'onceTitle', { name: holder.name })} lang={lang} path={holders.path} office>
        <h1>{h(lang, 'onceTitle', { name: holder.name })}</h1>
        <div class="panel" role="status">
          <p>{h(lang, 'onceNotice')}</p>
        </div>
        <p id="holder-link" style="word-break:break-all;font-family:ui-monospace,monospace;background:#f3f2f1;padding:.5rem">
          {link}
        </p>
        <div style="max-width:16rem" role="img" aria-label={h(lang, 'qr', { name: holder.name })}>
          {raw(renderSVG(link, { ecc: 'M', border: 2, pixelSize: 8 }).replace('<svg ', '<svg style="width:100%;height:auto" '))}
        </div>
        <p>
          <a href={holders.path}>{h(lang, 'back')}</a>
        </p>
      </Page>,
      status,
    )
  }

  pages.get('/', (c) => list(c))
  pages.post('/:id/rotate', limitBody(4096), async (c) => onceAnswer(c, await holders.rotate(c.req.param('id')), 200))
  pages.post('/:id/revoke', limitBody(4096), async (c) => {
    await holders.revoke(c.req.param('id'))
    return c.redirect(holders.path, 303)
  })
  pages.post('/', limitBody(4096), async (c) => {
    const body = await c.req.parseBody()
    const values = { id: text(body.id), name: text(body.name) }
    try {
      return onceAnswer(c, await holders.add(values), 201)
    } catch (error) {
      // the input errors' messages start with the field they are about
      if (holders.isInputError(error)) return list(c, values, (error as Error).message.startsWith(`${holders.kind} name`) ? 'name' : 'id')
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
