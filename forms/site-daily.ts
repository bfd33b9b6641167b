import { defineForm } from '#commons/forms/definition.ts'

export default defineForm({
  id: 'site-daily',
  title: { zh: '重点工程施工现场日报', en: 'Construction site daily report' },
  description: {
    zh: '每个施工现场每日一份：施工人员到岗、流动和健康检查情况。',
    en: 'One report per construction site per day: workers on site, movements and health checks.',
  },
  workGroup: { zh: '重点工程管理防控工作组', en: 'Key-projects prevention group' },
  kind: 'daily',
  order: 30,
  tab: '施工现场日报',
  unitTypes: ['engineering'],
  recordKeyFields: ['site'],
  fields: [
    { id: 'site', type: 'text', label: { zh: '工地名称', en: 'Site' }, maxLength: 100 },
    { id: 'contractor', type: 'text', label: { zh: '施工单位', en: 'Contractor' }, maxLength: 100 },
    { id: 'workersOnSite', type: 'integer', label: { zh: '在场施工人数', en: 'Workers on site' } },
    { id: 'newArrivals', type: 'integer', label: { zh: '新到场人数', en: 'New arrivals' } },
    { id: 'returnedFromOutside', type: 'integer', label: { zh: '外地返回人数', en: 'Returned from outside the city' } },
    { id: 'healthChecked', type: 'integer', label: { zh: '已健康检查人数', en: 'Health-checked' } },
    { id: 'abnormal', type: 'integer', label: { zh: '健康异常人数', en: 'Abnormal health' } },
    {
      id: 'notes',
      type: 'textarea',
      required: false,
      label: { zh: '情况说明', en: 'Notes' },
      hint: { zh: '有异常人数时必填', en: 'Required when anyone is abnormal' },
      maxLength: 2000,
    },
    { id: 'reporterName', type: 'text', label: { zh: '填报人', en: 'Reporter' }, maxLength: 50, autocomplete: 'name' },
    { id: 'reporterPhone', type: 'phone', label: { zh: '联系电话', en: 'Phone' } },
  ],
  rules: [
    { kind: 'sumAtMost', fields: ['healthChecked'], max: 'workersOnSite' },
    { kind: 'sumAtMost', fields: ['newArrivals'], max: 'workersOnSite' },
    { kind: 'requiredWhen', fields: ['notes'], when: { anyPositive: ['abnormal'] } },
  ],
  totals: [{ id: 'siteAbnormal', label: { zh: '工地健康异常人数', en: 'Site workers abnormal' }, sum: ['abnormal'] }],
})
