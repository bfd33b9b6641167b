// User-facing words in both languages. zh-CN is the default; English on request.
import type { Lang } from './forms/definition.ts'

export type { Lang }

const messages = {
  required: { zh: '必填', en: 'Required' },
  wholeNumber: { zh: '请填写整数', en: 'Enter a whole number' },
  atLeast: { zh: '不能小于 {n}', en: 'Must be at least {n}' },
  atMost: { zh: '不能大于 {n}', en: 'Must be at most {n}' },
  text: { zh: '请填写文字', en: 'Enter text' },
  tooLong: { zh: '不能超过 {n} 个字符', en: 'Must be {n} characters or fewer' },
  yesNo: { zh: '请选择“是”或“否”', en: 'Choose yes or no' },
  choose: { zh: '请从选项中选择', en: 'Choose one of the options' },
  phone: { zh: '请填写有效的电话号码', en: 'Enter a valid phone number' },
  list: { zh: '格式不正确', en: 'Not in the expected format' },
  tooMany: { zh: '最多 {n} 项', en: 'At most {n} entries' },
  quantity: { zh: '数量请填写正整数', en: 'Quantity must be a positive whole number' },
  url: { zh: '请填写以 http:// 或 https:// 开头的链接', en: 'Enter a link starting with http:// or https://' },
  unknownField: { zh: '未知字段', en: 'Unknown field' },
  notObject: { zh: '提交内容应为 JSON 对象', en: 'The body must be a JSON object' },
  requiredWhen: { zh: '根据已填内容，此项必填', en: 'Required given the other answers' },
  sumAtMost: { zh: '{fields} 之和不能大于 {max}', en: '{fields} together cannot exceed {max}' },
  date: { zh: '日期格式应为 YYYY-MM-DD', en: 'Dates are written YYYY-MM-DD' },
  dateFuture: { zh: '不能填报未来日期', en: 'The date cannot be in the future' },
  datePast: { zh: '最多补报 {n} 天前的日报', en: 'Reports can be at most {n} days back' },
  closed: {
    zh: '该日日报已过当日，不能再修改；如需更正，请联系办公室重新开放',
    en: "That day's report is closed; ask the office to reopen it for a correction",
  },
  photoKey: { zh: '照片编号无效，请重新上传照片', en: 'Not a photo upload key; upload the photo again' },
  location: { zh: '位置格式不正确', en: 'Not a location' },
  coordinate: { zh: '经纬度应为 -{n} 到 {n} 之间的数字', en: 'Coordinates are numbers from -{n} to {n}' },
  accuracy: { zh: '精度应为非负的米数', en: 'Accuracy is a number of metres, 0 or more' },
  yes: { zh: '是', en: 'Yes' },
  no: { zh: '否', en: 'No' },
} as const satisfies Record<string, Record<Lang, string>>

export type MessageKey = keyof typeof messages

type Params = Record<string, string | number>

const fill = (text: string, params: Params): string => text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))

/** The message in `lang` with `{name}` placeholders filled in. */
export function t(lang: Lang, key: MessageKey, params: Params = {}): string {
  return fill(messages[key][lang], params)
}

/** The same look-up over a page's own words. */
export function wordsOf<K extends string>(words: Record<K, Record<Lang, string>>): (lang: Lang, key: K, params?: Params) => string {
  return (lang, key, params = {}) => fill(words[key][lang], params)
}

/** Picks the language: an explicit `?lang=` wins, then Accept-Language, then Chinese. */
export function pickLang(query: string | undefined, acceptLanguage: string | undefined): Lang {
  if (query === 'en' || query === 'zh') return query
  const first = acceptLanguage?.split(',')[0]?.trim().toLowerCase() ?? ''
  return first.startsWith('en') ? 'en' : 'zh'
}
