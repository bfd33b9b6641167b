// Offline first: the service worker (/sw.js) keeps the unit's pages; the unit's home asks it for
// every form it links to, and lists what is waiting on this phone. A page opened from the cache
// may be from an earlier visit: its idempotency key may be spent and its date may be yesterday's.
import { loadQueue, type Queued, sentKeys } from './storage.ts'

const lang = document.documentElement.lang.startsWith('en') ? 'en' : 'zh'
const words = {
  waiting: { zh: '{n} 份待发送', en: '{n} waiting to be sent' },
  waitingHint: {
    zh: '保存在本机，有信号时自动发送；请勿清除浏览器数据。',
    en: 'Kept on this phone and sent when there is a signal; do not clear the browser’s data.',
  },
  stateWaiting: { zh: '等待网络', en: 'waiting for a signal' },
  stateSending: { zh: '正在发送', en: 'sending' },
}

/** The unit's part of an address: /u/<token>. */
const unitBase = (pathname: string) => /^\/u\/[^/]+/.exec(pathname)?.[0]

export function registerServiceWorker(): void {
  const base = unitBase(location.pathname)
  if (!base || !('serviceWorker' in navigator)) return
  void navigator.serviceWorker
    .register('/sw.js')
    .then(async () => {
      if (location.pathname.replace(/\/$/, '') !== base) return
      const ready = await navigator.serviceWorker.ready
      const urls = Array.from(document.querySelectorAll<HTMLAnchorElement>(`a[href^="${base}/forms/"]`))
        .map((a) => a.getAttribute('href') ?? '')
        .filter((href) => !href.includes('?'))
      ready.active?.postMessage({ type: 'cache', urls: [location.pathname, ...urls] })
    })
    .catch(() => undefined)
}

/**
 * A form opened from the cache: a fresh key when its own was already sent; and when it shows an
 * earlier day than the phone's, no date, so the server takes its own today (the phone's clock may
 * be wrong, and a date ahead of the server's is refused).
 */
export function freshenCachedForm(form: HTMLFormElement, keyInput: HTMLInputElement, hasDraft: boolean): void {
  if (!hasDraft && sentKeys().includes(keyInput.value)) {
    keyInput.value = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')
  }
  const date = form.querySelector<HTMLInputElement>('input[type=date][name=date]')
  if (!date || hasDraft) return
  const now = new Date()
  const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
  if (date.max && date.max < today) date.value = ''
}

/** The unit's home: how many reports wait on this phone, and each one's state. */
export async function showWaiting(sending: (item: Queued) => boolean): Promise<void> {
  const base = unitBase(location.pathname)
  if (!base || location.pathname.replace(/\/$/, '') !== base) return
  const mine = (await loadQueue()).filter((q) => new URL(q.url, location.href).pathname.startsWith(`${base}/`))
  let panel = document.getElementById('waiting')
  if (mine.length === 0) {
    panel?.remove()
    return
  }
  if (!panel) {
    panel = document.createElement('section')
    panel.id = 'waiting'
    panel.className = 'panel'
    document.querySelector('main h1')?.after(panel)
  }
  const heading = document.createElement('h2')
  heading.textContent = words.waiting[lang].replace('{n}', String(mine.length))
  const hint = document.createElement('p')
  hint.textContent = words.waitingHint[lang]
  const list = document.createElement('ul')
  for (const item of mine) {
    const li = document.createElement('li')
    const state = sending(item) ? words.stateSending[lang] : words.stateWaiting[lang]
    li.textContent = `${item.title}：${state}`
    list.append(li)
  }
  panel.replaceChildren(heading, hint, list)
}
