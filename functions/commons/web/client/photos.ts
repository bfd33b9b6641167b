// Photos and positions on the phone. A chosen photo is re-encoded on a canvas (long edge ≤ 1,600 px,
// JPEG: small enough for a weak signal, and the canvas drops the EXIF block, GPS included — a form
// that wants the place asks for it in a location field) and kept in IndexedDB. Its hidden input holds
// `pending:<id>` until the queue uploads it (POST /api/uploads, then the presigned POST) and puts the
// upload key in its place, so a report with photos queues and survives a restart like any other.
import { deletePhoto, loadPhoto, savePhoto } from './device-db.ts'

const lang = document.documentElement.lang.startsWith('en') ? 'en' : 'zh'
const words = {
  remove: { zh: '删除', en: 'Remove' },
  tooMany: { zh: '最多 {n} 张照片', en: 'At most {n} photos' },
  notImage: { zh: '无法读取该图片，请换一张', en: 'That image could not be read; choose another' },
  locating: { zh: '正在获取位置…', en: 'Finding your position…' },
  located: { zh: '已获取位置，精度约 ±{m} 米', en: 'Position found, accurate to about ±{m} m' },
  poor: {
    zh: '精度较差（±{m} 米，超过 100 米）：可到开阔处重试，或手动填写',
    en: 'Poor accuracy (±{m} m, over 100 m): try again in the open, or type the coordinates',
  },
  denied: {
    zh: '无法获取位置（未授权或设备不支持），请手动填写经纬度，或在“地点”中写明',
    en: 'No position (not allowed, or not available): type the coordinates, or describe the place',
  },
}
const say = (key: keyof typeof words, n?: number) => words[key][lang].replace(/\{\w+\}/, String(n ?? ''))

/** Longest edge of a queued photo, in pixels. */
const MAX_EDGE = 1600
const JPEG_QUALITY = 0.8
/** Beyond this the position is shown with a warning. */
const POOR_ACCURACY_M = 100
const PENDING = 'pending:'

async function decoded(file: Blob): Promise<{ source: CanvasImageSource; width: number; height: number; done(): void }> {
  if (typeof createImageBitmap === 'function') {
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
    return { source: bitmap, width: bitmap.width, height: bitmap.height, done: () => bitmap.close() }
  }
  const url = URL.createObjectURL(file)
  const image = new Image()
  image.src = url
  await image.decode()
  return { source: image, width: image.naturalWidth, height: image.naturalHeight, done: () => URL.revokeObjectURL(url) }
}

/** The photo as a JPEG whose long edge is at most MAX_EDGE; re-encoding leaves the EXIF block behind. */
async function resized(file: Blob): Promise<Blob> {
  const image = await decoded(file)
  try {
    const scale = Math.min(1, MAX_EDGE / Math.max(image.width, image.height))
    const canvas = document.createElement('canvas')
    canvas.width = Math.max(1, Math.round(image.width * scale))
    canvas.height = Math.max(1, Math.round(image.height * scale))
    const context = canvas.getContext('2d')
    if (!context) throw new Error('no canvas')
    context.drawImage(image.source, 0, 0, canvas.width, canvas.height)
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('no JPEG'))), 'image/jpeg', JPEG_QUALITY),
    )
  } finally {
    image.done()
  }
}

/** The unit's token, from the page's address (/u/<token>/…): the bearer of its upload slots. */
const unitToken = (href: string): string | undefined => /\/u\/([^/?#]+)/.exec(new URL(href).pathname)?.[1]

/** Uploads one photo: a slot from the app, then the presigned POST. Undefined when it cannot now (offline, refused). */
async function uploadPhoto(blob: Blob, pageUrl: string): Promise<string | undefined> {
  const token = unitToken(pageUrl)
  if (!token) return undefined
  const slotAnswer = await fetch('/api/uploads', {
    method: 'POST',
    headers: { authorization: `Bearer ${decodeURIComponent(token)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ contentType: blob.type || 'image/jpeg', size: blob.size }),
  })
  if (slotAnswer.status !== 201) return undefined
  const slot = (await slotAnswer.json()) as { key: string; url: string; fields: Record<string, string> }
  const form = new FormData()
  for (const [name, value] of Object.entries(slot.fields)) form.append(name, value)
  form.append('file', blob, 'photo.jpg')
  const stored = await fetch(slot.url, { method: 'POST', body: form, credentials: 'omit' })
  return stored.ok ? slot.key : undefined
}

/**
 * A queued body with every `pending:<id>` photo uploaded and replaced by its key; undefined when a
 * photo cannot be uploaded now (the queue retries later). A photo lost from the device (storage
 * cleared) is left out rather than holding the report back for ever.
 */
export async function withUploadedPhotos(body: string, pageUrl: string): Promise<string | undefined> {
  if (!body.includes(encodeURIComponent(PENDING))) return body
  const params = new URLSearchParams(body)
  const out = new URLSearchParams()
  for (const [name, value] of params) {
    if (!value.startsWith(PENDING)) {
      out.append(name, value)
      continue
    }
    const id = value.slice(PENDING.length)
    const blob = await loadPhoto(id)
    if (!blob) continue
    const key = await uploadPhoto(blob, pageUrl).catch(() => undefined)
    if (!key) return undefined
    out.append(name, key)
    await deletePhoto(id)
  }
  return out.toString()
}

function thumb(container: HTMLElement, input: HTMLInputElement, src: string, onRemove: () => void): void {
  let list = container.querySelector<HTMLElement>('.thumbs')
  if (!list) {
    list = document.createElement('div')
    list.className = 'thumbs'
    container.prepend(list)
  }
  const item = document.createElement('div')
  const img = document.createElement('img')
  img.src = src
  img.width = 96
  img.height = 96
  img.alt = ''
  const remove = document.createElement('button')
  remove.type = 'button'
  remove.className = 'button button-secondary'
  remove.textContent = say('remove')
  remove.addEventListener('click', () => {
    input.remove()
    item.remove()
    onRemove()
  })
  item.append(img, remove)
  list.append(item)
}

function enhancePhotos(container: HTMLElement, form: HTMLFormElement, changed: () => void): void {
  const name = container.dataset.photoField ?? ''
  const max = Number(container.dataset.max ?? '1')
  const picker = container.querySelector<HTMLInputElement>('input[type=file]')
  if (!picker) return
  picker.hidden = false
  picker.classList.add('vh')
  const button = container.querySelector<HTMLElement>(`label[for="${picker.id}"]`)
  if (button) button.hidden = false
  const hidden = () => Array.from(container.querySelectorAll<HTMLInputElement>(`input[type=hidden][name="${name}"]`))
  const base = location.pathname.replace(/^(\/u\/[^/]+).*$/, '$1')
  for (const input of hidden()) {
    if (!input.value.startsWith(PENDING)) thumb(container, input, `${base}/photos/${input.value}`, changed)
    else
      void loadPhoto(input.value.slice(PENDING.length)).then((blob) => {
        if (blob) thumb(container, input, URL.createObjectURL(blob), changed)
        else input.remove()
      })
  }
  const note = document.createElement('p')
  note.className = 'error-message'
  note.setAttribute('role', 'alert')
  container.append(note)
  picker.addEventListener('change', async () => {
    note.textContent = ''
    const files = Array.from(picker.files ?? [])
    picker.value = ''
    for (const file of files) {
      if (hidden().length >= max) {
        note.textContent = say('tooMany', max)
        break
      }
      try {
        const blob = await resized(file)
        const id = await savePhoto(blob)
        const input = document.createElement('input')
        input.type = 'hidden'
        input.name = name
        input.value = `${PENDING}${id}`
        container.append(input)
        const url = URL.createObjectURL(blob)
        thumb(container, input, url, () => {
          URL.revokeObjectURL(url)
          void deletePhoto(id)
          changed()
        })
      } catch {
        note.textContent = say('notImage')
      }
    }
    changed()
  })
  form.addEventListener('reset', () => note.replaceChildren())
}

function enhanceLocation(container: HTMLElement, changed: () => void): void {
  const name = container.dataset.locationField ?? ''
  const button = container.querySelector<HTMLButtonElement>('[data-locate]')
  const status = container.querySelector<HTMLElement>('[data-location-status]')
  const input = (part: string) => container.querySelector<HTMLInputElement>(`input[name="${name}.${part}"]`)
  const [lat, lng, accuracy] = [input('lat'), input('lng'), input('accuracy')]
  if (!button || !status || !lat || !lng || !accuracy) return
  // Typed by hand: the accuracy of an earlier fix no longer describes it.
  for (const typed of [lat, lng]) typed.addEventListener('input', () => (accuracy.value = ''))
  if (!('geolocation' in navigator)) {
    status.textContent = say('denied')
    return
  }
  button.hidden = false
  button.addEventListener('click', () => {
    status.className = 'location-status'
    status.textContent = say('locating')
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const { latitude, longitude, accuracy: metres } = position.coords
        lat.value = latitude.toFixed(6)
        lng.value = longitude.toFixed(6)
        accuracy.value = String(Math.round(metres))
        const poor = metres > POOR_ACCURACY_M
        status.className = poor ? 'location-status warn' : 'location-status'
        status.textContent = say(poor ? 'poor' : 'located', Math.round(metres))
        changed()
      },
      () => {
        status.className = 'location-status warn'
        status.textContent = say('denied')
      },
      { enableHighAccuracy: true, timeout: 30_000, maximumAge: 60_000 },
    )
  })
}

/** Puts a draft's photos back: the hidden inputs are made by the script, so `fill` cannot set them. */
export function restorePhotoInputs(form: HTMLFormElement, fields: [string, string][]): void {
  for (const container of Array.from(form.querySelectorAll<HTMLElement>('[data-photo-field]'))) {
    const name = container.dataset.photoField ?? ''
    for (const old of Array.from(container.querySelectorAll(`input[type=hidden][name="${name}"]`))) old.remove()
    for (const [field, value] of fields) {
      if (field !== name) continue
      const input = document.createElement('input')
      input.type = 'hidden'
      input.name = name
      input.value = value
      container.append(input)
    }
  }
}

/** Turns on the photo and location controls of the page's form; `changed` saves the draft. */
export function enhanceFieldControls(form: HTMLFormElement, changed: () => void): void {
  for (const container of Array.from(form.querySelectorAll<HTMLElement>('[data-photo-field]'))) enhancePhotos(container, form, changed)
  for (const container of Array.from(form.querySelectorAll<HTMLElement>('[data-location-field]'))) enhanceLocation(container, changed)
}
