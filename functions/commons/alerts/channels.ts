// The alert channel layer: chat robots (WeCom, DingTalk, Feishu, Slack) and plain JSON webhooks.
// Plain functions, `fetch` passed in. Import from here; the other files are its parts:
//   message.ts  the AlertMessage every channel renders
//   config.ts   ALERT_WEBHOOKS / ESCALATION_WEBHOOKS syntax and parsing
//   format.ts   the text of an alert, fitted to size limits
//   wecom.ts, dingtalk.ts, feishu.ts, slack.ts, json.ts   one request builder per robot
//   deliver.ts  one attempt: timeout, answer interpretation, secret-free errors
export type { AlertMessage, Severity } from './message.ts'
export { parseWebhookList, WebhookConfigError, WEBHOOK_TYPES, type WebhookTarget, type WebhookType } from './config.ts'
export {
  alertTitle,
  formatAlertText,
  formatAlertTime,
  layoutAlert,
  DEFAULT_TIME_ZONE,
  type AlertLayout,
  type FormatOptions,
  type LayoutOptions,
} from './format.ts'
export type { Robot, WebhookRequest } from './robot.ts'
export { wecom, WECOM_TEXT_MAX_BYTES } from './wecom.ts'
export { dingtalk, dingtalkSign, dingtalkSignedUrl, DINGTALK_MARKDOWN_MAX_BYTES } from './dingtalk.ts'
export { feishu, feishuSign, FEISHU_BODY_MAX_BYTES } from './feishu.ts'
export { slack } from './slack.ts'
export { json, jsonAlertBody, type JsonAlertBody } from './json.ts'
export {
  buildWebhookRequest,
  deliverOnce,
  DEFAULT_TIMEOUT_MS,
  ROBOTS,
  scrubSecrets,
  type DeliverOptions,
  type DeliveryResult,
  type FetchFn,
} from './deliver.ts'
export { deliverNotice, deliverToTheRest, noticeText, type ChatNotice } from './notice.ts'
