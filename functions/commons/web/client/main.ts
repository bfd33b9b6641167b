// Progressive enhancement of the pages, for phones on a weak signal (and the board's refresh, board.ts). The pages work
// without it; with it, what is typed is kept on the device, and a submission is queued on the
// device and retried until the server answers. The form's hidden `_key` is the Idempotency-Key:
// one per draft, so every retry and every double tap stores the report once.
import { enhanceBoard } from './board.ts'
import { freshenCachedForm, registerServiceWorker, showWaiting } from './offline.ts'
import { enhanceFieldControls, restorePhotoInputs, withUploadedPhotos } from './photos.ts'
import { draftKeyOf, loadDraft, loadQueue, noteSent, putQueued, type Queued, removeDraft, removeQueued, saveDraft } from './storage.ts'

const lang = document.documentElement.lang.startsWith('en') ? 'en' : 'zh'
const words = {
  sending: { zh: '正在提交…', en: 'Sending…' },
  queued: {
    zh: '网络不通：已保存在本机，信号恢复后自动提交，请勿关闭浏览器。',
    en: 'No connection: kept on this phone and sent automatically when the signal returns. Keep this browser open.',
  },
  restored: { zh: '已恢复本机保存的草稿。', en: 'Your draft on this phone was restored.' },
  sent: { zh: '已提交：', en: 'Sent: ' },
  rejected: { zh: '未能提交，请打开表单修改：', en: 'Not accepted; open the form to fix it: ' },
}
const say = (key: keyof typeof words) => words[key][lang]

const REQUEST_TIMEOUT_MS = 20_000
const FIRST_RETRY_MS = 2_000
const MAX_RETRY_MS = 30_000

let flushing = false
/** the queued report on its way now (the unit's home shows it as 正在发送) */
let sendingKey: string | undefined
let retryTimer: ReturnType<typeof setTimeout> | undefined
let retryDelay = FIRST_RETRY_MS

function statusBox(): HTMLElement | null {
  let box = document.getElementById('sync')
  const main = document.querySelector('main')
  if (!box && main) {
    box = document.createElement('div')
    box.id = 'sync'
    box.className = 'sync'
    box.setAttribute('role', 'status')
    main.prepend(box)
  }
  return box
}

function showStatus(text: string, link?: { href: string; label: string }): void {
  const box = statusBox()
  if (!box) return
  box.textContent = text
  if (link) {
    const a = document.createElement('a')
    a.href = link.href
    a.textContent = link.label
    box.append(a)
  }
}

const pageForm = (): HTMLFormElement | null => document.querySelector<HTMLFormElement>('form#form')

/** Puts the server's page in place of this one, as if the browser had navigated there. */
function showPage(html: string, url: string, redirected: boolean): void {
  const doc = new DOMParser().parseFromString(html, 'text/html')
  document.title = doc.title
  document.body.replaceWith(document.adoptNode(doc.body))
  if (redirected) history.replaceState(null, '', url)
  enhance(false)
  const target = document.querySelector<HTMLElement>('.error-summary') ?? document.querySelector<HTMLElement>('h1')
  if (target) {
    target.tabIndex = -1
    target.focus()
  }
}

type Outcome = 'done' | 'retry'

async function send(item: Queued): Promise<Outcome> {
  // Photos first: each goes to storage once, and the queue keeps its key in place of the photo.
  const body = await withUploadedPhotos(item.body, item.url).catch(() => undefined)
  if (body === undefined) return 'retry'
  if (body !== item.body) {
    item.body = body
    await putQueued(item)
  }
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS)
  let response: Response
  let html: string
  try {
    response = await fetch(item.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: item.body,
      credentials: 'same-origin',
      signal: abort.signal,
    })
    html = await response.text()
  } catch {
    // Offline, timed out or cut off: the server may have stored it; the same key makes a retry safe.
    return 'retry'
  } finally {
    clearTimeout(timer)
  }
  if (response.status >= 500 || response.status === 408 || response.status === 429) return 'retry'
  await removeQueued(item.key)
  noteSent(item.key)
  if (response.ok) removeDraft(item.draft)
  const form = pageForm()
  if (form && draftKeyOf(location.href) === item.draft) {
    showPage(html, response.url, response.redirected)
  } else {
    showStatus(response.ok ? say('sent') : say('rejected'), {
      href: response.ok && response.redirected ? response.url : item.draft,
      label: item.title,
    })
  }
  return 'done'
}

/** Sends what is queued, oldest first, one at a time; on failure waits and tries again. */
async function flush(): Promise<void> {
  if (flushing) return
  flushing = true
  clearTimeout(retryTimer)
  const waiting = () => void showWaiting((item) => item.key === sendingKey)
  try {
    for (const item of await loadQueue()) {
      sendingKey = item.key
      waiting()
      const outcome = await send(item)
      sendingKey = undefined
      waiting()
      if (outcome === 'retry') {
        showStatus(say('queued'))
        setButtons(false)
        retryTimer = setTimeout(() => void flush(), retryDelay)
        retryDelay = Math.min(retryDelay * 2, MAX_RETRY_MS)
        return
      }
    }
    retryDelay = FIRST_RETRY_MS
  } finally {
    flushing = false
  }
}

function setButtons(disabled: boolean): void {
  for (const button of pageForm()?.querySelectorAll<HTMLButtonElement>('button[type=submit]') ?? []) button.disabled = disabled
}

function fieldsOf(form: HTMLFormElement): [string, string][] {
  const fields: [string, string][] = []
  new FormData(form).forEach((value, name) => {
    if (typeof value === 'string' && name !== '_key') fields.push([name, value])
  })
  return fields
}

/**
 * Puts saved values back: radios by value, repeated names (list rows) in order. The page's own
 * `_formVersion` stays: a draft restored onto a newer version of the form is sent as that version.
 */
function fill(form: HTMLFormElement, fields: [string, string][]): void {
  const used = new Map<string, number>()
  for (const element of Array.from(form.elements)) {
    if (!(element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement)) continue
    if (!element.name || element.name === '_key' || element.name === '_formVersion' || element.closest('[data-photo-field]')) continue
    const values = fields.filter(([name]) => name === element.name).map(([, value]) => value)
    if (element instanceof HTMLInputElement && (element.type === 'radio' || element.type === 'checkbox')) {
      element.checked = values.includes(element.value)
    } else {
      const index = used.get(element.name) ?? 0
      used.set(element.name, index + 1)
      element.value = values[index] ?? ''
    }
  }
}

function enhanceForm(form: HTMLFormElement, restore: boolean): void {
  const draft = draftKeyOf(location.href)
  const keyInput = form.elements.namedItem('_key')
  if (!(keyInput instanceof HTMLInputElement)) return
  const saved = restore ? loadDraft(draft) : undefined
  freshenCachedForm(form, keyInput, saved !== undefined)
  if (saved) {
    keyInput.value = saved.key
    fill(form, saved.fields)
    restorePhotoInputs(form, saved.fields)
    showStatus(say('restored'))
  }
  const save = () => saveDraft(draft, { key: keyInput.value, savedAt: Date.now(), fields: fieldsOf(form) })
  enhanceFieldControls(form, save)
  form.addEventListener('input', save)
  form.addEventListener('change', save)
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    // A second tap while sending changes nothing: the same draft is already on its way.
    if (flushing) return
    save()
    const item: Queued = {
      url: form.action,
      body: new URLSearchParams([['_key', keyInput.value], ...fieldsOf(form)]).toString(),
      key: keyInput.value,
      draft,
      title: document.title,
      queuedAt: Date.now(),
    }
    setButtons(true)
    showStatus(say('sending'))
    retryDelay = FIRST_RETRY_MS
    void putQueued(item).then(() => flush())
  })
  void loadQueue().then((queue) => {
    if (queue.some((q) => q.draft === draft)) showStatus(say('queued'))
  })
}

function enhance(restore: boolean): void {
  statusBox()
  const form = pageForm()
  if (form) enhanceForm(form, restore)
  const summary = document.querySelector<HTMLElement>('.error-summary')
  if (restore && summary) summary.focus()
}

registerServiceWorker()
enhance(true)
enhanceBoard()
window.addEventListener('online', () => {
  retryDelay = FIRST_RETRY_MS
  void flush()
})
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void flush()
})
void flush()
