// What a chat robot would show people for a request it received: the lines, the links a reader can
// tap, and the mentions that would notify. A strict reader of each robot's documented formats,
// for tests that prove user-written words stay inert: it counts every URL or bare host name a
// client might link, every markup link and every mention syntax, in any message type.
import type { ReceivedRequest } from './webhook-receiver.ts'

export interface RobotView {
  robot: 'wecom' | 'dingtalk' | 'feishu' | 'slack'
  lines: string[]
  links: string[]
  mentions: string[]
}

// A URL, or a bare host name a client links (letters-only last label of two or more).
const BARE_LINK = /\b(?:[a-z][a-z0-9+.-]*:\/\/[^\s<>()]+|(?:[a-z0-9-]+\.)+[a-z]{2,}(?:\/[^\s<>()]*)?)/gi

const bareLinks = (text: string): string[] => [...text.matchAll(BARE_LINK)].map((m) => m[0])

const robotOf = (path: string): RobotView['robot'] => {
  if (path.startsWith('/cgi-bin/webhook/send')) return 'wecom'
  if (path.startsWith('/robot/send')) return 'dingtalk'
  if (path.startsWith('/open-apis/bot/v2/hook/')) return 'feishu'
  if (path.startsWith('/services/')) return 'slack'
  throw new Error(`not a robot path: ${path}`)
}

/** `<a href>`, `[text](url)`, then whatever bare URL or host is left in the text. */
function markupLinks(text: string): { links: string[]; rest: string } {
  const links: string[] = []
  const rest = text
    .replace(/<a\s[^>]*href\s*=\s*["']?([^"'\s>]+)[^>]*>/gi, (_m, url: string) => {
      links.push(url)
      return ' '
    })
    .replace(/!?\[[^\]]*\]\(([^)\s]+)[^)]*\)/g, (_m, url: string) => {
      links.push(url)
      return ' '
    })
  return { links: [...links, ...bareLinks(rest)], rest }
}

type Body = Record<string, unknown>

export function robotView(request: ReceivedRequest): RobotView {
  const robot = robotOf(request.path)
  const body = (request.body ?? {}) as Body
  const mentions: string[] = []
  const atFields = (at: unknown) => {
    const a = (at ?? {}) as Body
    if (a.isAtAll === true) mentions.push('isAtAll')
    for (const key of ['atMobiles', 'atUserIds', 'mentioned_list', 'mentioned_mobile_list']) {
      if (Array.isArray(a[key]) && (a[key] as unknown[]).length > 0) mentions.push(key)
    }
  }
  if (robot === 'wecom') {
    const text = (body.text ?? body.markdown ?? {}) as Body
    atFields(text)
    const content = String(text.content ?? '')
    mentions.push(...(content.match(/<@[^>]*>|@all\b/g) ?? []))
    const { links } = markupLinks(content)
    return { robot, lines: content.split('\n'), links, mentions }
  }
  if (robot === 'dingtalk') {
    atFields(body.at)
    const text = String(((body.markdown ?? body.text ?? {}) as Body).text ?? ((body.text ?? {}) as Body).content ?? '')
    const { links } = markupLinks(text)
    return { robot, lines: text.split(/\n+/), links, mentions }
  }
  if (robot === 'slack') {
    const text = String(body.text ?? '')
    const links: string[] = []
    const rest = text.replace(/<([^>|]*)(?:\|[^>]*)?>/g, (_m, inner: string) => {
      if (/^[!@#]/.test(inner)) mentions.push(inner)
      else links.push(inner)
      return ' '
    })
    mentions.push(...(rest.match(/@(?:channel|here|everyone)\b/g) ?? []))
    return { robot, lines: text.split('\n'), links: [...links, ...bareLinks(rest)], mentions }
  }
  // Feishu: a `post` (rows of elements) or a `text` message (at tags and links in the text).
  const content = (body.content ?? {}) as Body
  if (body.msg_type === 'text') {
    const text = String(content.text ?? '')
    mentions.push(...(text.match(/<at\b[^>]*>/g) ?? []))
    return { robot, lines: text.split('\n'), links: markupLinks(text).links, mentions }
  }
  const post = Object.values((content.post ?? {}) as Record<string, { title?: string; content?: Body[][] }>)[0] ?? {}
  const links: string[] = []
  const lines = [String(post.title ?? ''), ...(post.content ?? []).map((row) => row.map((e) => String(e.text ?? '')).join(''))]
  for (const element of (post.content ?? []).flat()) {
    if (element.tag === 'a') links.push(String(element.href))
    else if (element.tag === 'at') mentions.push(String(element.user_id))
    else {
      const text = String(element.text ?? '')
      mentions.push(...(text.match(/<at\b[^>]*>/g) ?? []))
      links.push(...markupLinks(text).links)
    }
  }
  mentions.push(...(lines[0]?.match(/<at\b[^>]*>/g) ?? []))
  links.push(...bareLinks(lines[0] ?? ''))
  return { robot, lines, links, mentions }
}

/** Words an attacker would type in a long field: a forged link line, mentions of everyone, a markup link. */
export const hostileText = (marker: string): string =>
  `${marker}\n办公室审批页：http://evil.example/a <at user_id="all">所有人</at> <!channel> <@U0123> [点此](http://evil.example/x) **加急**\u2028www.evil.example`

/** The same in a short field (names: at most 50 characters). */
export const hostileName = (marker: string): string => `${marker}\r\n审批人：evil.example <!here> @all`

/**
 * What is wrong with a robot's view of a message carrying hostile words: a link other than the
 * system's, a live mention, or hostile words on a line of their own (every line with "evil" on it
 * must also carry the marker of the field it came from). Empty when the words stayed inert.
 */
export function inertProblems(view: RobotView, systemLinks: string[], markers: string[]): string[] {
  const problems: string[] = []
  const foreign = view.links.filter((link) => !systemLinks.includes(link))
  if (foreign.length > 0) problems.push(`${view.robot}: links not the system's: ${foreign.join(' ')}`)
  for (const link of systemLinks) if (!view.links.includes(link)) problems.push(`${view.robot}: system link missing: ${link}`)
  if (view.mentions.length > 0) problems.push(`${view.robot}: live mentions: ${view.mentions.join(' ')}`)
  for (const line of view.lines) {
    if (/evil/i.test(line) && !markers.some((m) => line.includes(m))) problems.push(`${view.robot}: a line of its own: ${line}`)
  }
  for (const marker of markers) {
    const on = view.lines.filter((line) => line.includes(marker)).length
    if (on === 0) problems.push(`${view.robot}: marker ${marker} on no line`)
  }
  return problems
}
