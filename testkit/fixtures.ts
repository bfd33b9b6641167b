// Valid submissions for every form, built by small factories; tests override what they test.
export const healthReport = (overrides: Record<string, unknown> = {}) => ({
  staffTotal: 40,
  onDuty: 30,
  remote: 8,
  returnedFromOutside: 2,
  homeObservation: 0,
  feverOrRespiratory: 0,
  suspected: 0,
  confirmed: 0,
  partnerStaff: 12,
  partnerAbnormal: 0,
  publicAreaDisinfected: true,
  reporterName: '张伟',
  reporterPhone: '13800138000',
  ...overrides,
})

/** A 人员健康日报 as a browser fills it in: field name → the value typed or the option chosen. */
export const healthFormFields: [string, string][] = [
  ['staffTotal', '25'],
  ['onDuty', '20'],
  ['remote', '5'],
  ['returnedFromOutside', '0'],
  ['homeObservation', '0'],
  ['feverOrRespiratory', '0'],
  ['suspected', '0'],
  ['confirmed', '0'],
  ['partnerStaff', '0'],
  ['partnerAbnormal', '0'],
  ['publicAreaDisinfected', 'yes'],
  ['reporterName', '陈静'],
  ['reporterPhone', '13600001234'],
]

export const wildlifeReport = (overrides: Record<string, unknown> = {}) => ({
  patrols: 3,
  abnormalFound: false,
  enforcementChecks: 1,
  facilitiesDisinfected: true,
  reporterName: '李娜',
  reporterPhone: '010-62345678',
  ...overrides,
})

export const siteReport = (overrides: Record<string, unknown> = {}) => ({
  site: '北湖湿地二期',
  contractor: '市政建设第三工程公司',
  workersOnSite: 56,
  newArrivals: 4,
  returnedFromOutside: 3,
  healthChecked: 56,
  abnormal: 0,
  reporterName: '王强',
  reporterPhone: '13911112222',
  ...overrides,
})

export const emergencyRequest = (overrides: Record<string, unknown> = {}) => ({
  category: 'supplies_shortage',
  severity: 'urgent',
  location: '东园公园南门',
  description: '口罩和消毒液即将用完',
  supplies: [
    { item: 'N95 口罩', quantity: 200 },
    { item: '84 消毒液', quantity: 20 },
  ],
  contactName: '赵敏',
  contactPhone: '13700001111',
  ...overrides,
})

let counter = 0
/** A fresh Idempotency-Key. */
export const newKey = () => `test-key-${process.pid}-${Date.now()}-${++counter}`

/** A JSON POST to the submissions endpoint. */
export function submission(token: string, body: unknown, key = newKey(), extra: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': key,
      ...extra,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }
}
