// Slack incoming webhook, following Slack's "Sending messages using incoming webhooks"
// (api.slack.com/messaging/webhooks): POST {"text"} in mrkdwn; answers 200 "ok", and errors as
// HTTP status with a short text body (400 invalid_payload / no_text, 403 action_prohibited,
// 404 channel_not_found / no_service, 410 channel_is_archived, 429 with Retry-After). About one
// message a second. User text is made inert by user-text.ts (Slack's own &, < and > escapes, and
// more); the only <url|label> links are the system's.
// Plain `text` rather than blocks: it is also what notifications and screen readers show.
import { type AlertLayout, fieldSeparator, renderFitted } from './format.ts'
import { postJson, type Robot } from './robot.ts'
import { userText } from './user-text.ts'

/** Slack cuts text at 40,000 characters; alerts stay far below, with room to spare. */
const SLACK_TEXT_MAX_BYTES = 12_000

const text = (s: string): string => userText('slack', s)
// Inside <url|label> a `|` or `>` in the URL would end the link.
const slackUrl = (url: string): string => url.replace(/[|<>\s]/gu, (ch) => encodeURIComponent(ch))

/** A link the system made, in Slack mrkdwn. */
export const slackLink = (label: string, url: string): string => `<${slackUrl(url)}|${text(label)}>`

function renderSlackText(layout: AlertLayout): string {
  const sep = fieldSeparator(layout.lang)
  return [
    `*${text(layout.title)}*`,
    ...layout.fields.map((f) => `*${text(f.label)}*${sep}${text(f.value)}${f.link ? ` ${slackLink(f.link.label, f.link.url)}` : ''}`),
    ...(layout.note ? [text(layout.note)] : []),
    `*${layout.time.label}*${sep}${text(layout.time.value)}`,
    slackLink(layout.ack.label, layout.ack.url),
  ].join('\n')
}

export const slack: Robot = {
  build(message, target, _now, options = {}) {
    const { text } = renderFitted(message, SLACK_TEXT_MAX_BYTES, renderSlackText, options)
    return postJson(target.url, JSON.stringify({ text }))
  },
  defaultRetryAfterMs: 1_000,
}
