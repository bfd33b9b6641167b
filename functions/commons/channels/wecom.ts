// WeCom group robot (企业微信群机器人), following WeCom's 「群机器人配置说明」
// (developer.work.weixin.qq.com/document/path/91770): POST {"msgtype":"text","text":{"content"}},
// content at most 2048 bytes of UTF-8; answers HTTP 200 {"errcode":0,"errmsg":"ok"}.
// Plain `text` rather than `markdown`: WeCom links the system's URLs in text itself (user text is
// made inert by user-text.ts).
// Limit 20 messages a minute per robot; beyond it errcode 45009 ("api freq out of limit").
import { formatAlertText } from './format.ts'
import { postJson, type Robot, readCodeField } from './robot.ts'

export const WECOM_TEXT_MAX_BYTES = 2048

export const wecom: Robot = {
  build(message, target, _now, options = {}) {
    const content = formatAlertText(message, { ...options, maxBytes: WECOM_TEXT_MAX_BYTES, kind: 'wecom' })
    return postJson(target.url, JSON.stringify({ msgtype: 'text', text: { content } }))
  },
  readResult: (body) => readCodeField(body, ['errcode'], ['errmsg']),
  // the window is a minute: waiting one clears it
  rateLimitCodes: new Map([[45009, 60_000]]),
  transientCodes: new Set([-1]), // -1 系统繁忙
  defaultRetryAfterMs: 60_000,
}
