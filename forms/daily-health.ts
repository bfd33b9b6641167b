import { defineForm } from '#commons/forms/definition.ts'

const count = (id: string, zh: string, en: string) => ({ id, type: 'integer' as const, label: { zh, en } })

export default defineForm({
  id: 'daily-health',
  title: { zh: '人员健康日报', en: 'Staff health daily report' },
  description: {
    zh: '每日上报本单位在岗人员、合作单位人员健康监测和人员流动情况；全部为 0 也请上报（零报告）。',
    en: "Report the unit's staff and partner-unit staff health and movements every day; all zeros is a valid report.",
  },
  workGroup: { zh: '系统人员防疫工作组', en: 'Staff epidemic-prevention group' },
  kind: 'daily',
  order: 10,
  tab: '人员健康日报',
  fields: [
    count('staffTotal', '在册人数', 'Staff on roll'),
    count('onDuty', '在岗人数', 'On duty'),
    count('remote', '居家办公人数', 'Working remotely'),
    count('returnedFromOutside', '外地返回人数', 'Returned from outside the city'),
    count('homeObservation', '居家观察/隔离人数', 'Under home observation or quarantine'),
    count('feverOrRespiratory', '发热或呼吸道症状人数', 'Fever or respiratory symptoms'),
    count('suspected', '疑似病例数', 'Suspected cases'),
    count('confirmed', '确诊病例数', 'Confirmed cases'),
    count('partnerStaff', '合作单位人员数', 'Partner-unit staff'),
    count('partnerAbnormal', '合作单位异常人数', 'Partner-unit staff with abnormal health'),
    {
      id: 'publicAreaDisinfected',
      type: 'boolean',
      label: { zh: '公共区域已消毒', en: 'Public areas disinfected' },
    },
    {
      id: 'notes',
      type: 'textarea',
      required: false,
      label: { zh: '情况说明', en: 'Notes' },
      hint: { zh: '有任何异常人数时必填：人员、症状、处置情况', en: 'Required when any abnormal count is above 0' },
      maxLength: 2000,
    },
    { id: 'reporterName', type: 'text', label: { zh: '填报人', en: 'Reporter' }, maxLength: 50, autocomplete: 'name' },
    { id: 'reporterPhone', type: 'phone', label: { zh: '联系电话', en: 'Phone' } },
  ],
  rules: [
    {
      kind: 'requiredWhen',
      fields: ['notes'],
      when: { anyPositive: ['homeObservation', 'feverOrRespiratory', 'suspected', 'confirmed', 'partnerAbnormal'] },
    },
    { kind: 'sumAtMost', fields: ['onDuty', 'remote'], max: 'staffTotal' },
    { kind: 'sumAtMost', fields: ['partnerAbnormal'], max: 'partnerStaff' },
  ],
  alerts: [{ when: { anyPositive: ['suspected', 'confirmed'] }, category: 'suspected_case', severity: 'critical' }],
  totals: [
    { id: 'feverOrRespiratory', label: { zh: '发热或呼吸道症状', en: 'Fever or symptoms' }, sum: ['feverOrRespiratory'] },
    { id: 'suspectedOrConfirmed', label: { zh: '疑似或确诊', en: 'Suspected or confirmed' }, sum: ['suspected', 'confirmed'] },
    { id: 'homeObservation', label: { zh: '居家观察/隔离', en: 'Under observation' }, sum: ['homeObservation'] },
  ],
})
