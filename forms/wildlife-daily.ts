import { defineForm } from '#commons/forms/definition.ts'

const ifAbnormal = { isTrue: 'abnormalFound' }

export default defineForm({
  id: 'wildlife-daily',
  title: { zh: '野生动物疫源疫病监测日报', en: 'Wildlife disease surveillance daily report' },
  description: {
    zh: '公园和资源保护单位每日上报巡查、异常发现、执法检查和设施消毒情况。',
    en: 'Parks and resource units report patrols, anything abnormal, enforcement checks and disinfection daily.',
  },
  workGroup: { zh: '野生动物疫情防控工作组', en: 'Wildlife epidemic-prevention group' },
  kind: 'daily',
  order: 20,
  tab: '野生动物监测日报',
  unitTypes: ['park', 'resource'],
  fields: [
    { id: 'patrols', type: 'integer', label: { zh: '巡查次数', en: 'Patrols' }, max: 1000 },
    { id: 'abnormalFound', type: 'boolean', label: { zh: '发现异常', en: 'Anything abnormal found' } },
    { id: 'species', type: 'text', required: false, label: { zh: '物种', en: 'Species' }, maxLength: 100 },
    { id: 'deadCount', type: 'integer', required: false, label: { zh: '死亡数量', en: 'Found dead' } },
    { id: 'sickCount', type: 'integer', required: false, label: { zh: '患病/异常数量', en: 'Sick or abnormal' } },
    { id: 'location', type: 'text', required: false, label: { zh: '发现地点', en: 'Location' }, maxLength: 200 },
    { id: 'samplingSent', type: 'boolean', required: false, label: { zh: '已采样送检', en: 'Samples sent for testing' } },
    { id: 'measures', type: 'textarea', required: false, label: { zh: '处置措施', en: 'Measures taken' }, maxLength: 2000 },
    { id: 'enforcementChecks', type: 'integer', label: { zh: '执法检查次数', en: 'Enforcement checks' }, max: 1000 },
    { id: 'facilitiesDisinfected', type: 'boolean', label: { zh: '公园设施已消毒', en: 'Park facilities disinfected' } },
    { id: 'reporterName', type: 'text', label: { zh: '填报人', en: 'Reporter' }, maxLength: 50, autocomplete: 'name' },
    { id: 'reporterPhone', type: 'phone', label: { zh: '联系电话', en: 'Phone' } },
    // New fields go last: the sheet's existing columns keep their places.
    {
      id: 'abnormalPhotos',
      type: 'photo',
      required: false,
      label: { zh: '异常照片', en: 'Photos of what is abnormal' },
      hint: { zh: '发现异常时拍摄，最多 3 张', en: 'When something abnormal is found; up to 3' },
      maxItems: 3,
    },
  ],
  rules: [
    {
      kind: 'requiredWhen',
      fields: ['species', 'deadCount', 'sickCount', 'location', 'samplingSent', 'measures'],
      when: ifAbnormal,
    },
  ],
  alerts: [{ when: { anyPositive: ['deadCount'] }, category: 'wildlife_dieoff', severity: 'urgent' }],
  totals: [
    {
      id: 'abnormalReports',
      label: { zh: '野生动物异常（单位数）', en: 'Wildlife abnormal (units)' },
      countWhere: { isTrue: 'abnormalFound' },
    },
    { id: 'deadCount', label: { zh: '野生动物死亡数', en: 'Wildlife found dead' }, sum: ['deadCount'] },
  ],
})
