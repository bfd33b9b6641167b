// The HTML shell of every page: mobile-first, no external fonts, scripts or CDNs.
import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'
import type { Lang } from '../i18n.ts'

// Small enough to inline: one request per page, and it works on a weak signal.
const css = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#0b0c0c;background:#f3f2f1}
header{background:#0b0c0c;color:#fff;padding:.6rem 1rem;display:flex;justify-content:space-between;align-items:center;gap:.5rem}
header a{color:#fff}
main{max-width:40rem;margin:0 auto;padding:1rem;background:#fff;min-height:100vh}
h1{font-size:1.5rem;line-height:1.25;margin:.2rem 0 1rem}
h2{font-size:1.2rem}
a{color:#1d70b8}
.meta{color:#505a5f;margin:0 0 1rem}
.field{margin:0 0 1.4rem}
.field.invalid{border-left:4px solid #d4351c;padding-left:.8rem}
label.label,legend.label{display:block;font-weight:700;margin-bottom:.2rem}
.hint{color:#505a5f;margin:0 0 .3rem}
.error-message{color:#d4351c;font-weight:700;margin:0 0 .3rem}
.input{width:100%;font:inherit;padding:.45rem;border:2px solid #0b0c0c;border-radius:0}
.input:focus{outline:3px solid #fd0;outline-offset:0}
.input-number{max-width:8rem}
.choices{display:flex;flex-direction:column;gap:.4rem}
.choices-inline{flex-direction:row;gap:1.5rem}
.choice{display:flex;align-items:center;gap:.4rem;min-height:2.2rem}
.choice input{width:1.4rem;height:1.4rem}
.item-row{display:flex;gap:.5rem;margin-bottom:.4rem}
.button{display:inline-block;font:inherit;font-weight:700;padding:.6rem 1.2rem;border:0;background:#00703c;color:#fff;text-decoration:none;box-shadow:0 2px 0 #002d18;cursor:pointer}
.button-danger{background:#d4351c;box-shadow:0 2px 0 #55150b}
.error-summary{border:4px solid #d4351c;padding:1rem;margin-bottom:1.5rem}
.error-summary h2{margin-top:0}
.panel{border:4px solid #00703c;padding:1rem;margin-bottom:1.5rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;border-bottom:1px solid #b1b4b6;padding:.4rem .3rem;vertical-align:top}
.tag{display:inline-block;padding:0 .4rem;font-weight:700;background:#cce2d8;color:#005a30}
.tag-missing{background:#f4cdc6;color:#942514}
ul.forms{list-style:none;padding:0}
ul.forms li{border-bottom:1px solid #b1b4b6;padding:.7rem 0}
`

export interface PageProps {
  title: string
  lang: Lang
  /** the current path, for the language switch */
  path: string
  children?: Child
}

export function Page({ title, lang, path, children }: PageProps) {
  const other: Lang = lang === 'zh' ? 'en' : 'zh'
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={lang === 'zh' ? 'zh-CN' : 'en'}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{title}</title>
          <style>{raw(css)}</style>
        </head>
        <body>
          <header>
            <strong>{lang === 'zh' ? '防控信息报送' : 'Sentinel Forms'}</strong>
            <a href={`${path}?lang=${other}`} lang={other === 'zh' ? 'zh-CN' : 'en'}>
              {other === 'zh' ? '中文' : 'English'}
            </a>
          </header>
          <main>{children}</main>
        </body>
      </html>
    </>
  )
}
