// The emergency board's refresh (web/emergencies.tsx): every few seconds the list is fetched and
// put in place of the old one, without reloading the page, and never while someone is at work on
// it: while a field or button of the board has focus, or a field holds something typed. So a
// name being typed is never wiped. Cards unfolded stay unfolded. Without this script a link
// reloads the board.

/** Someone is using the board: focus inside it, or a field changed from what the server filled in. */
function busy(board: HTMLElement): boolean {
  const active = document.activeElement
  if (active && active !== document.body && board.contains(active)) return true
  return Array.from(board.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea')).some(
    (field) => field.value !== field.defaultValue,
  )
}

async function refresh(board: HTMLElement): Promise<void> {
  if (document.visibilityState === 'hidden' || busy(board)) return
  let html: string
  try {
    const response = await fetch(location.pathname + location.search, { credentials: 'same-origin' })
    // Signed out meanwhile (a redirect to the sign-in) or a failure: keep what is shown.
    if (!response.ok || response.redirected) return
    html = await response.text()
  } catch {
    return // offline: the next turn tries again
  }
  const doc = new DOMParser().parseFromString(html, 'text/html')
  const next = doc.getElementById('board')
  // Typing may have begun while the list was on its way.
  if (!next || busy(board)) return
  const unfolded = new Set(Array.from(board.querySelectorAll('details[open]')).map((d) => d.closest('section')?.id))
  board.replaceChildren(...Array.from(next.childNodes).map((node) => document.adoptNode(node)))
  for (const details of Array.from(board.querySelectorAll('details'))) {
    if (unfolded.has(details.closest('section')?.id)) details.open = true
  }
  document.title = doc.title
  showAuto()
}

const showAuto = () => document.getElementById('board-auto')?.removeAttribute('hidden')

export function enhanceBoard(): void {
  const board = document.getElementById('board')
  const seconds = Number(board?.dataset.refreshS)
  if (!board || !(seconds > 0)) return
  showAuto()
  const turn = () =>
    setTimeout(async () => {
      await refresh(board)
      turn()
    }, seconds * 1000)
  turn()
}
