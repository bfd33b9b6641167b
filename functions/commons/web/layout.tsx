// The HTML shell of every page: mobile-first, no external fonts, scripts or CDNs.

import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'
import type { Field, FormDefinition } from '../forms/definition.ts'
import { mapLink, positionText, specOf } from '../forms/field-types.ts'
import type { Lang } from '../i18n.ts'
import type { RecordVersion } from '../model.ts'

// Small enough to inline: one request per page, and it works on a weak signal.
const css = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#0b0c0c;background:#f3f2f1}
header{background:#0b0c0c;color:#fff;padding:.5rem 1rem;display:flex;align-items:center;gap:.8rem}
header strong{flex:1}
header a{color:#fff;padding:.4rem 0}
header a.sos{background:#d4351c;padding:.4rem .7rem;font-weight:700;text-decoration:none}
main{max-width:40rem;margin:0 auto;padding:1rem;background:#fff;min-height:100vh}
h1{font-size:1.5rem;line-height:1.25;margin:.2rem 0 1rem}
h2{font-size:1.2rem}
a{color:#1d70b8}
:focus-visible{outline:3px solid #fd0;outline-offset:0}
.meta{color:#505a5f;margin:0 0 1rem}
.vh{position:absolute!important;width:1px!important;height:1px!important;margin:0;padding:0;border:0;overflow:hidden;clip:rect(0 0 0 0)}
.field{margin:0 0 1.4rem;border:0;padding:0}
.field.invalid{border-left:4px solid #d4351c;padding-left:.8rem}
.label{display:block;font-weight:700;margin-bottom:.2rem;padding:0}
.hint{color:#505a5f;margin:0 0 .3rem}
.error-message{color:#d4351c;font-weight:700;margin:0 0 .3rem}
.input{width:100%;font:inherit;padding:.45rem;border:2px solid #0b0c0c;border-radius:0;min-height:2.75rem}
.input:focus{outline:3px solid #fd0;outline-offset:0;box-shadow:inset 0 0 0 2px}
.input-number{max-width:8rem}
.choices{display:flex;flex-direction:column;gap:.2rem}
.choices-inline{flex-direction:row;gap:1.5rem}
.choice{display:flex;align-items:center;gap:.5rem;min-height:2.75rem}
.choice input{width:1.5rem;height:1.5rem;margin:0}
.item-row{display:flex;gap:.5rem;margin-bottom:.4rem}
.button{display:inline-block;font:inherit;font-weight:700;padding:.6rem 1.2rem;min-height:2.75rem;border:0;background:#00703c;color:#fff;text-decoration:none;box-shadow:0 2px 0 #002d18;cursor:pointer}
.button:disabled{opacity:.6}
.button-danger{background:#d4351c;box-shadow:0 2px 0 #55150b}
.button-secondary{background:#f3f2f1;color:#0b0c0c;box-shadow:0 2px 0 #929191}
.thumbs{display:flex;flex-wrap:wrap;gap:.5rem;margin-bottom:.5rem}
.thumbs img{display:block;width:96px;height:96px;object-fit:cover;border:1px solid #b1b4b6}
.thumbs .button{padding:.2rem .5rem;min-height:2rem;margin-top:.2rem}
.photos input.vh:focus-visible+label{outline:3px solid #fd0}
.location-status{margin:.3rem 0}
.location-status:empty{display:none}
.warn{color:#942514;font-weight:700}
.error-summary{border:4px solid #d4351c;padding:1rem;margin-bottom:1.5rem}
.error-summary h2{margin-top:0}
.error-summary a{color:#d4351c;font-weight:700}
.panel{border:4px solid #00703c;padding:1rem;margin-bottom:1.5rem}
.sync{position:sticky;top:0;z-index:1;background:#fff7bf;border-left:6px solid #0b0c0c;padding:.6rem .8rem;margin:0 0 1rem}
.sync:empty{display:none}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;border-bottom:1px solid #b1b4b6;padding:.4rem .3rem;vertical-align:top}
.tag{display:inline-block;padding:0 .4rem;font-weight:700;background:#cce2d8;color:#005a30}
.tag-late{background:#fcd6c3;color:#6e3619}
.tag-missing{background:#f4cdc6;color:#942514}
ul.forms{list-style:none;padding:0}
ul.forms li{border-bottom:1px solid #b1b4b6;padding:.7rem 0}
ul.forms p{margin:.2rem 0 0}
nav.office{background:#f3f2f1;border-bottom:1px solid #b1b4b6}
nav.office ul{list-style:none;margin:0 auto;padding:.3rem 1rem;max-width:40rem;display:flex;flex-wrap:wrap;gap:.1rem 1rem;align-items:center}
nav.office a{display:inline-block;padding:.45rem 0}
nav.office a[aria-current]{font-weight:700;color:#0b0c0c}
nav.office button{font:inherit;background:none;border:0;padding:.45rem 0;color:#1d70b8;text-decoration:underline;cursor:pointer}
`

export interface PageProps {
  title: string
  lang: Lang
  /** the current path, for the language switch */
  path: string
  /** the unit's emergency form, linked from the header of every page: one tap away */
  emergency?: string
  /** same-origin progressive-enhancement script; the page works without it */
  script?: string
  /** an office page: the office's navigation (every office page, sign-out) under the header */
  office?: boolean
  children?: Child
}

/** Every office page, in the order the office works through them; the hub first. */
const OFFICE_PAGES: { href: string; label: Record<Lang, string> }[] = [
  { href: '/office', label: { zh: '首页', en: 'Home' } },
  { href: '/emergencies', label: { zh: '应急', en: 'Emergencies' } },
  { href: '/office/info-releases', label: { zh: '信息发布审批', en: 'Release approvals' } },
  { href: '/office/units', label: { zh: '单位', en: 'Units' } },
  { href: '/office/approvers', label: { zh: '审批人', en: 'Approvers' } },
  { href: '/office/leaders', label: { zh: '领导', en: 'Leaders' } },
  { href: '/office/deadlines', label: { zh: '截止时间', en: 'Deadlines' } },
  { href: '/office/forms', label: { zh: '表单', en: 'Forms' } },
  { href: '/emergencies/outbox', label: { zh: '告警发送记录', en: 'Alert outbox' } },
  { href: '/dashboard', label: { zh: '领导简报', en: 'Leaders’ dashboard' } },
]

/** The office's navigation: a link to every office page and the sign-out button, on every office page. */
function OfficeNav({ lang, path }: { lang: Lang; path: string }) {
  const current = OFFICE_PAGES.filter((p) => path === p.href || path.startsWith(`${p.href}/`)).at(-1)?.href
  return (
    <nav class="office" aria-label={lang === 'zh' ? '办公室' : 'Office'}>
      <ul>
        {OFFICE_PAGES.map((p) => (
          <li>
            <a href={p.href} aria-current={p.href === current ? 'page' : undefined}>
              {p.label[lang]}
            </a>
          </li>
        ))}
        <li>
          <form method="post" action="/admin/logout">
            <button type="submit">{lang === 'zh' ? '退出登录' : 'Sign out'}</button>
          </form>
        </li>
      </ul>
    </nav>
  )
}

export function Page({ title, lang, path, emergency, script, office, children }: PageProps) {
  const other: Lang = lang === 'zh' ? 'en' : 'zh'
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={lang === 'zh' ? 'zh-CN' : 'en'}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{title}</title>
          {/* no favicon request: one round trip fewer on a weak signal */}
          <link rel="icon" href="data:," />
          <style>{raw(css)}</style>
          {script && <script src={script} defer></script>}
        </head>
        <body>
          <header>
            <strong>{lang === 'zh' ? '防控信息报送' : 'Sentinel Forms'}</strong>
            {emergency && (
              <a class="sos" href={emergency}>
                {lang === 'zh' ? '应急请求' : 'Emergency'}
              </a>
            )}
            <a href={`${path}?lang=${other}`} lang={other === 'zh' ? 'zh-CN' : 'en'} hreflang={other === 'zh' ? 'zh-CN' : 'en'}>
              {other === 'zh' ? '中文' : 'English'}
            </a>
          </header>
          {office && <OfficeNav lang={lang} path={path} />}
          <main id="main">{children}</main>
        </body>
      </html>
    </>
  )
}

/** A page that says only what went wrong (a bad link, nothing found, too large). */
export function ErrorPage({ message, ...page }: Omit<PageProps, 'title' | 'children'> & { message: string }) {
  return (
    <Page title={message} {...page}>
      <h1>{message}</h1>
    </Page>
  )
}

/**
 * A stored value as a page shows it: links stay links (an info-release's attachments), photos are
 * thumbnails that open the photo (under `photoBase`: '' for the office, the unit's link for the unit),
 * a position its coordinates with a map link (Amap, which opens in mainland China) and a geo: link.
 */
export function FieldValue({ field, value, lang, photoBase }: { field: Field; value: unknown; lang: Lang; photoBase: string }) {
  if (field.type === 'linkList' && Array.isArray(value))
    return (value as string[]).map((href) => (
      <div>
        <a href={href} rel="noopener noreferrer nofollow">
          {href}
        </a>
      </div>
    ))
  if (field.type === 'photo' && Array.isArray(value))
    return (
      <div class="thumbs">
        {(value as string[]).map((key, i) => (
          <a href={`${photoBase}/photos/${key}`}>
            <img src={`${photoBase}/photos/${key}`} alt={`${field.label[lang]} ${i + 1}`} width={96} height={96} loading="lazy" />
          </a>
        ))}
      </div>
    )
  if (field.type === 'location' && typeof value === 'object' && value !== null) {
    const p = value as { lat: number; lng: number; accuracy?: number }
    return (
      <>
        {positionText(p)}{' '}
        <a href={mapLink(p)} rel="noopener noreferrer">
          {lang === 'zh' ? '地图' : 'Map'}
        </a>{' '}
        <a href={`geo:${p.lat},${p.lng}`}>geo</a>
      </>
    )
  }
  return String(specOf(field).cell(field, value, lang))
}

/** A record's values as stored, label → what the page shows of each. */
export function StoredValues({
  form,
  record,
  lang,
  photoBase,
}: {
  form: FormDefinition
  record: RecordVersion
  lang: Lang
  photoBase: string
}) {
  return (
    <table>
      <tbody>
        {form.fields
          .filter((f) => record.values[f.id] !== undefined)
          .map((field) => (
            <tr>
              <th scope="row">{field.label[lang]}</th>
              <td style="white-space:pre-wrap">
                <FieldValue field={field} value={record.values[field.id]} lang={lang} photoBase={photoBase} />
              </td>
            </tr>
          ))}
      </tbody>
    </table>
  )
}
