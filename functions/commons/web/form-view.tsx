// The one view of a form: its field blocks, the error summary and the page around them, for every
// page that renders a form (a unit's report, the resubmission of a rejected request).
import type { Child } from 'hono/jsx'
import { activeFields, type Field, type FormDefinition } from '../forms/definition.ts'
import type { FormRaw } from '../forms/field-types.ts'
import type { Issue } from '../forms/validation.ts'
import { type Lang, wordsOf } from '../i18n.ts'
import { controlOf } from './controls.tsx'
import { Page } from './layout.tsx'

const w = wordsOf({
  error: { zh: '错误：', en: 'Error: ' },
  errorSummary: { zh: '请修改以下问题', en: 'There is a problem' },
  optional: { zh: '（选填）', en: ' (optional)' },
  reportFor: { zh: '填报日期', en: 'Reporting for' },
  submit: { zh: '提交', en: 'Submit' },
  back: { zh: '返回本单位首页', en: 'Back to your reports' },
})

/** A daily form's reporting date, ahead of its fields (`leading` of the form page). */
export function ReportDate({ date, min, max, issue, lang }: { date: string; min: string; max: string; issue?: Issue; lang: Lang }) {
  return (
    <div class={issue ? 'field invalid' : 'field'}>
      <label class="label" for="date">
        {w(lang, 'reportFor')}
      </label>
      {issue && (
        <p class="error-message" id="date-error">
          <span class="vh">{w(lang, 'error')}</span>
          {issue.message}
        </p>
      )}
      <input
        class="input"
        style="max-width:12rem"
        type="date"
        id="date"
        name="date"
        value={date}
        min={min}
        max={max}
        aria-invalid={issue ? 'true' : undefined}
        aria-describedby={issue ? 'date-error' : undefined}
      />
    </div>
  )
}

/** A field's label, hint, error and control; grouped controls get a fieldset whose legend names them. */
function FieldBlock({ field, raw, issue, lang }: { field: Field; raw: FormRaw; issue?: Issue; lang: Lang }) {
  const control = controlOf(field)
  const hintId = field.hint ? `${field.id}-hint` : undefined
  const errorId = issue ? `${field.id}-error` : undefined
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined
  const label = (
    <>
      {field.label[lang]}
      {field.required ? '' : w(lang, 'optional')}
    </>
  )
  const body = (
    <>
      {field.hint && (
        <p class="hint" id={hintId}>
          {field.hint[lang]}
        </p>
      )}
      {issue && (
        <p class="error-message" id={errorId}>
          <span class="vh">{w(lang, 'error')}</span>
          {issue.message}
        </p>
      )}
      {control.Control({ field, raw, invalid: issue !== undefined, describedBy, lang })}
    </>
  )
  const className = issue ? 'field invalid' : 'field'
  return control.grouped ? (
    <fieldset class={className} aria-describedby={describedBy}>
      <legend class="label">{label}</legend>
      {body}
    </fieldset>
  ) : (
    <div class={className}>
      <label class="label" for={field.id}>
        {label}
      </label>
      {body}
    </div>
  )
}

/** Where an issue's link in the error summary lands: the field's first control. */
const anchorOf = (issue: Issue) => issue.path.split('.')[0] || 'form'

function ErrorSummary({ form, issues, lang }: { form: FormDefinition; issues: Issue[]; lang: Lang }) {
  if (issues.length === 0) return null
  return (
    <div class="error-summary" role="alert" tabindex={-1} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{w(lang, 'errorSummary')}</h2>
      <ul>
        {issues.map((issue) => (
          <li>
            <a href={`#${anchorOf(issue)}`}>
              {form.fields.find((f) => f.id === anchorOf(issue))?.label[lang] ??
                (issue.path === 'date' ? w(lang, 'reportFor') : issue.path)}
              ：{issue.message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  )
}

export interface FormPageProps {
  form: FormDefinition
  /** the page's heading; the title says "Error:" first while there are issues */
  heading: string
  /** the line above the heading */
  meta: Child
  /** the page's path, where the form posts to */
  path: string
  /** the unit's home, linked below the form */
  back: string
  lang: Lang
  raw: FormRaw
  issues: Issue[]
  idempotencyKey: string
  /** between the error summary and the form (a correction notice, the form's description) */
  intro?: Child
  /** inputs before the form's fields (a daily form's reporting date) */
  leading?: Child
  script?: string | undefined
  emergency?: string | undefined
}

export function FormPage(props: FormPageProps) {
  const { form, heading, meta, path, back, lang, raw, issues, idempotencyKey, intro, leading, script, emergency } = props
  const fieldIssue = (id: string) => issues.find((i) => i.path === id || i.path.startsWith(`${id}.`))
  const title = issues.length > 0 ? `${w(lang, 'error')}${heading}` : heading
  return (
    <Page title={title} lang={lang} path={path} script={script} emergency={emergency}>
      <p class="meta">{meta}</p>
      <h1>{heading}</h1>
      <ErrorSummary form={form} issues={issues} lang={lang} />
      {intro}
      <form method="post" action={path} id="form" novalidate>
        <input type="hidden" name="_key" value={idempotencyKey} />
        {/* the version this page shows: a draft sent after a publish is checked against it (forms/catalog.ts) */}
        <input type="hidden" name="_formVersion" value={String(form.version)} />
        {leading}
        {activeFields(form).map((field) => (
          <FieldBlock field={field} raw={raw} issue={fieldIssue(field.id)} lang={lang} />
        ))}
        <button class="button" type="submit">
          {w(lang, 'submit')}
        </button>
      </form>
      <p>
        <a href={back}>{w(lang, 'back')}</a>
      </p>
    </Page>
  )
}
