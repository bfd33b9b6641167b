// The office's forms page (/office/forms): every form with its version and its workbook to
// download; upload an edited workbook (or a new one), see what changes and the form as a unit
// sees it on a phone, then publish it with a name. Nothing is published before that last step.
import { type Context, Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { localDate } from '../clock.ts'
import { checkName } from '../decided-by.ts'
import type { FormCatalog } from '../forms/catalog.ts'
import { activeFields, type FormDefinition } from '../forms/definition.ts'
import type { DefinitionIssue } from '../forms/registry.ts'
import { definitionToTables, describeIssue, type Table, tablesToDefinition, type WorkbookIssue } from '../forms/workbook.ts'
import { type Lang, wordsOf } from '../i18n.ts'
import type { AppDeps, AppEnv } from './deps.ts'
import { FormPage, ReportDate } from './form-view.tsx'
import { publishForm } from './forms-admin.ts'
import { Page } from './layout.tsx'
import { NameField, rememberedName, rememberName } from './name-field.tsx'

const w = wordsOf({
  title: { zh: '表单', en: 'Forms' },
  intro: {
    zh: '下载表单的 Excel 表格，修改后上传：先预览单位在手机上看到的样子，确认后发布。已填报的数据和汇总表的列不会移动。',
    en: 'Download a form as an Excel workbook, edit it and upload it: preview what units see on their phones, then publish. Stored data and the sheet’s columns never move.',
  },
  form: { zh: '表单', en: 'Form' },
  version: { zh: '版本', en: 'Version' },
  kind: { zh: '类型', en: 'Kind' },
  daily: { zh: '日报', en: 'Daily' },
  on_demand: { zh: '随时', en: 'On demand' },
  tab: { zh: '汇总表标签', en: 'Sheet tab' },
  download: { zh: '下载表格', en: 'Download workbook' },
  downloadLabel: { zh: '下载表格：{name}（第 {v} 版）', en: 'Download workbook: {name} (version {v})' },
  upload: { zh: '上传表格', en: 'Upload a workbook' },
  uploadHint: {
    zh: '.xlsx 文件，不超过 60 KB。新表单：下载任一表格，改 form 表的 id、名称和 tab，填写 fields 表。',
    en: '.xlsx, at most 60 KB. A new form: download any workbook, change id, titles and tab on the form sheet, fill in the fields sheet.',
  },
  file: { zh: '表格文件', en: 'Workbook file' },
  previewButton: { zh: '上传并预览', en: 'Upload and preview' },
  noFile: { zh: '请选择一个 .xlsx 文件', en: 'Choose an .xlsx file' },
  refused: { zh: '表格有问题，未发布，系统未作任何更改', en: 'The workbook has problems: nothing was published or changed' },
  previewTitle: { zh: '预览：{name} 第 {v} 版', en: 'Preview: {name}, version {v}' },
  newForm: {
    zh: '这是一个新表单。发布后请在“单位”页为单位勾选它。',
    en: 'This is a new form. After publishing, give it to units on the Units page.',
  },
  changes: { zh: '与第 {v} 版相比', en: 'Compared with version {v}' },
  added: { zh: '新增字段：{list}（汇总表末尾新增列）', en: 'New fields: {list} (new columns at the end of the tab)' },
  retired: { zh: '停用字段：{list}（列和数据保留，页面不再显示）', en: 'Retired fields: {list} (column and data kept, off the page)' },
  relabelled: { zh: '改名：{list}（只改列标题）', en: 'Relabelled: {list} (only the header changes)' },
  noChange: {
    zh: '字段没有变化（可能改了规则、提示或上下限）。',
    en: 'No field added, retired or relabelled (rules, hints or bounds may have changed).',
  },
  phone: { zh: '单位在手机上看到的样子（宽 390 像素）', en: 'What a unit sees on a phone (390 px wide)' },
  publish: { zh: '发布第 {v} 版', en: 'Publish version {v}' },
  published: { zh: '已发布 {name} 第 {v} 版。', en: 'Published {name}, version {v}.' },
  cancel: { zh: '不发布，返回', en: 'Cancel' },
} satisfies Record<string, Record<Lang, string>>)

/** Uploads beyond this are refused before they are read (the app refuses bodies over 64 KiB anyway). */
const MAX_WORKBOOK_BYTES = 60 * 1024

const listOf = (items: string[], lang: Lang) => items.join(lang === 'zh' ? '、' : ', ')

function Changes({ form, previous, lang }: { form: FormDefinition; previous?: FormDefinition | undefined; lang: Lang }) {
  if (!previous) return <p class="panel">{w(lang, 'newForm')}</p>
  const before = new Map(previous.fields.map((f) => [f.id, f]))
  const added = form.fields.filter((f) => !before.has(f.id)).map((f) => f.label[lang])
  const retired = form.fields.filter((f) => f.retired && !before.get(f.id)?.retired).map((f) => f.label[lang])
  const relabelled = form.fields
    .filter((f) => before.has(f.id) && before.get(f.id)?.label[lang] !== f.label[lang])
    .map((f) => `${before.get(f.id)?.label[lang]} → ${f.label[lang]}`)
  return (
    <>
      <h2>{w(lang, 'changes', { v: previous.version })}</h2>
      <ul>
        {added.length > 0 && <li>{w(lang, 'added', { list: listOf(added, lang) })}</li>}
        {retired.length > 0 && <li>{w(lang, 'retired', { list: listOf(retired, lang) })}</li>}
        {relabelled.length > 0 && <li>{w(lang, 'relabelled', { list: listOf(relabelled, lang) })}</li>}
        {added.length + retired.length + relabelled.length === 0 && <li>{w(lang, 'noChange')}</li>}
      </ul>
    </>
  )
}

export function createFormPages(deps: AppDeps, catalog: FormCatalog): Hono<AppEnv> {
  const pages = new Hono<AppEnv>()
  pages.use(csrf())

  const list = (c: Context<AppEnv>, problems: string[] = [], status: 200 | 422 = 200) => {
    const lang = c.get('lang')
    const [id, v] = (c.req.query('published') ?? '').split('@')
    const published = id ? catalog.get(id) : undefined
    return c.html(
      <Page title={w(lang, 'title')} lang={lang} path="/office/forms" office>
        <h1>{w(lang, 'title')}</h1>
        {published && (
          <div class="panel" role="status">
            {w(lang, 'published', { name: published.title[lang], v: v ?? '' })}
          </div>
        )}
        <p>{w(lang, 'intro')}</p>
        <table>
          <thead>
            <tr>
              <th scope="col">{w(lang, 'form')}</th>
              <th scope="col">{w(lang, 'version')}</th>
              <th scope="col">{w(lang, 'kind')}</th>
              <th scope="col">{w(lang, 'download')}</th>
            </tr>
          </thead>
          <tbody>
            {catalog.all.map((form) => (
              <tr>
                <td>
                  {form.title[lang]}
                  <div class="meta">
                    {form.id} · {w(lang, 'tab')} {form.tab}
                  </div>
                </td>
                <td>{form.version}</td>
                <td>{w(lang, form.kind)}</td>
                <td>
                  <a
                    href={`/office/forms/${form.id}/workbook.xlsx`}
                    aria-label={w(lang, 'downloadLabel', { name: form.title[lang], v: form.version })}
                  >
                    {w(lang, 'download')}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2 id="upload">{w(lang, 'upload')}</h2>
        {problems.length > 0 && (
          <div class="error-summary" role="alert" tabindex={-1} aria-labelledby="refused-title">
            <h2 id="refused-title">{w(lang, 'refused')}</h2>
            <ul>
              {problems.map((p) => (
                <li>{p}</li>
              ))}
            </ul>
          </div>
        )}
        <form method="post" action="/office/forms/preview" enctype="multipart/form-data">
          <div class={problems.length > 0 ? 'field invalid' : 'field'}>
            <label class="label" for="workbook">
              {w(lang, 'file')}
            </label>
            <p class="hint" id="workbook-hint">
              {w(lang, 'uploadHint')}
            </p>
            <input
              class="input"
              type="file"
              id="workbook"
              name="workbook"
              accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              aria-describedby="workbook-hint"
            />
          </div>
          <button class="button" type="submit">
            {w(lang, 'previewButton')}
          </button>
        </form>
      </Page>,
      status,
    )
  }

  /** The form as a unit's page shows it, for the preview frame (sandboxed: it runs nothing and sends nothing). */
  const unitView = async (form: FormDefinition, lang: Lang) => {
    const today = localDate(deps.clock.now(), deps.timeZone)
    const page = (
      <FormPage
        form={form}
        heading={form.title[lang]}
        meta={`${lang === 'zh' ? '本单位' : 'Your unit'} · ${today}`}
        path="/office/forms"
        back="/office/forms"
        lang={lang}
        raw={{}}
        issues={[]}
        idempotencyKey="preview"
        intro={form.description && <p>{form.description[lang]}</p>}
        leading={form.kind === 'daily' && <ReportDate date={today} min={today} max={today} lang={lang} />}
      />
    )
    return String(await page.toString())
  }

  const preview = async (c: Context<AppEnv>, form: FormDefinition, previous: FormDefinition | undefined, byError?: string) => {
    const lang = c.get('lang')
    return c.html(
      <Page title={w(lang, 'previewTitle', { name: form.title[lang], v: form.version })} lang={lang} path="/office/forms" office>
        <h1>{w(lang, 'previewTitle', { name: form.title[lang], v: form.version })}</h1>
        <p class="meta">
          {form.id} · {form.workGroup[lang]} · {w(lang, form.kind)} · {activeFields(form).length} {lang === 'zh' ? '个字段' : 'fields'}
        </p>
        <Changes form={form} previous={previous} lang={lang} />
        <form method="post" action="/office/forms/publish">
          <input type="hidden" name="definition" value={JSON.stringify(form)} />
          <NameField id="by" lang={lang} value={rememberedName(c)} error={byError} />
          <button class="button" type="submit">
            {w(lang, 'publish', { v: form.version })}
          </button>{' '}
          <a href="/office/forms">{w(lang, 'cancel')}</a>
        </form>
        <h2>{w(lang, 'phone')}</h2>
        <iframe
          title={w(lang, 'phone')}
          sandbox=""
          srcdoc={await unitView(form, lang)}
          style="width:390px;max-width:100%;height:720px;border:8px solid #0b0c0c;border-radius:18px;background:#fff"
        ></iframe>
      </Page>,
      byError ? 422 : 200,
    )
  }

  const located = (issues: WorkbookIssue[], lang: Lang) => issues.map((i) => describeIssue(i, lang))
  const plain = (issues: DefinitionIssue[], lang: Lang) =>
    issues.map((i) => {
      const message = lang === 'zh' && i.zh ? i.zh : i.message
      return i.path.length > 0 ? `${i.path.join('.')}: ${message}` : message
    })

  pages.get('/', (c) => list(c))
  // The .xlsx routes need the workbook library: locally it is given; on AWS the HTTP API sends
  // these two paths to the workbook function, and the API function, without it, has no such routes.
  const files = deps.workbooks
  if (files) {
    pages.get('/:id/workbook.xlsx', async (c) => {
      const form = catalog.get(c.req.param('id'))
      if (!form) return c.notFound()
      return c.body(await files.write(definitionToTables(form)), 200, {
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'content-disposition': `attachment; filename="${form.id}-v${form.version}.xlsx"`,
      })
    })
    pages.post('/preview', async (c) => {
      const lang = c.get('lang')
      const file = (await c.req.parseBody()).workbook
      if (!(file instanceof File) || file.size === 0) return list(c, [w(lang, 'noFile')], 422)
      if (file.size > MAX_WORKBOOK_BYTES) return list(c, [w(lang, 'uploadHint')], 422)
      let tables: Table[]
      try {
        tables = await files.read(new Uint8Array(await file.arrayBuffer()))
      } catch {
        return list(c, [w(lang, 'noFile')], 422)
      }
      const parsed = tablesToDefinition(tables)
      if ('issues' in parsed) return list(c, located(parsed.issues, lang), 422)
      const checked = await catalog.preview(parsed.input)
      if (!checked.ok) return list(c, located(checked.issues.map(parsed.locate), lang), 422)
      return preview(c, checked.form, checked.previous)
    })
  }
  pages.post('/publish', async (c) => {
    const lang = c.get('lang')
    const body = await c.req.parseBody()
    let input: unknown
    try {
      input = JSON.parse(typeof body.definition === 'string' ? body.definition : '')
    } catch {
      return list(c, [w(lang, 'noFile')], 422)
    }
    const name = checkName(body.by, lang)
    if (!name.ok) {
      const checked = await catalog.preview(input)
      if (!checked.ok) return list(c, plain(checked.issues, lang), 422)
      return preview(c, checked.form, checked.previous, name.message)
    }
    rememberName(c, name.name)
    const outcome = await publishForm(catalog, deps.stores.units, input, name.name)
    if (!outcome.ok) return list(c, plain(outcome.issues, lang), 422)
    return c.redirect(`/office/forms?published=${encodeURIComponent(`${outcome.id}@${outcome.version}`)}`, 303)
  })
  return pages
}
