// Slack incoming webhook, following Slack's "Sending messages using incoming webhooks"
// (api.slack.com/messaging/webhooks): POST {"text"} in mrkdwn; answers 200 "ok", and errors as
// HTTP status with a short text body (400 invalid_payload / no_text, 403 action_prohibited,
// 404 channel_not_found / no_service, 410 channel_is_archived, 429 with Retry-After). About one
// message a second. Text escaping per Slack's "Formatting text": only &, < and > are replaced.
// Plain `text` rather than blocks: it is also what notifications and screen readers show.
import { type AlertLayout, fieldSeparator, renderFitted } from './format.ts'
import { postJson, type Robot } from './robot.ts'

/** Slack cuts text at 40,000 characters; alerts stay far below, with room to spare. */
const SLACK_TEXT_MAX_BYTES = 12_000

const escapeSlack = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
// Inside <url|label> a `|` or `>` in the URL would end the link.
const slackUrl = (url: string): string => url.replace(/[|<>\s]/gu, (ch) => encodeURIComponent(ch))

function renderSlackText(layout: AlertLayout): string {
  const sep = fieldSeparator(layout.lang)
  return [
    `*${escapeSlack(layout.title)}*`,
    ...layout.fields.map((f) => `*${escapeSlack(f.label)}*${sep}${escapeSlack(f.value)}`),
    ...(layout.note ? [escapeSlack(layout.note)] : []),
    `*${layout.time.label}*${sep}${escapeSlack(layout.time.value)}`,
    `<${slackUrl(layout.ack.url)}|${escapeSlack(layout.ack.label)}>`,
  ].join('\n')
}

export const slack: Robot = {
  build(message, target, _now, options = {}) {
    const { text } = renderFitted(message, SLACK_TEXT_MAX_BYTES, renderSlackText, options)
    return postJson(target.url, JSON.stringify({ text }))
  },
  defaultRetryAfterMs: 1_000,
}
