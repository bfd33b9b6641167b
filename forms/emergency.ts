import { defineForm } from '#commons/forms/definition.ts'

export default defineForm({
  id: 'emergency',
  title: { zh: '应急请求', en: 'Emergency request' },
  description: {
    zh: '需要应急工作组立即处置的情况：提交后立即通知应急工作组。',
    en: 'Anything the emergency group must handle now: they are alerted the moment you submit.',
  },
  workGroup: { zh: '应急工作组', en: 'Emergency group' },
  kind: 'on_demand',
  // the form the pages' 应急请求 button and the home page's red button open
  emergencyRequest: true,
  order: 1,
  tab: '应急请求',
  fields: [
    {
      id: 'category',
      type: 'select',
      label: { zh: '类别', en: 'Category' },
      options: [
        { value: 'suspected_case', label: { zh: '疑似病例/发热', en: 'Suspected case or fever' } },
        { value: 'supplies_shortage', label: { zh: '防疫物资短缺', en: 'Supplies shortage' } },
        { value: 'staffing', label: { zh: '人员调配', en: 'Staffing' } },
        { value: 'wildlife_dieoff', label: { zh: '野生动物异常死亡', en: 'Wildlife die-off' } },
        { value: 'public_opinion', label: { zh: '舆情事件', en: 'Public-opinion incident' } },
        { value: 'safety', label: { zh: '安全事件', en: 'Safety incident' } },
        { value: 'other', label: { zh: '其他', en: 'Other' } },
      ],
    },
    {
      id: 'severity',
      type: 'select',
      label: { zh: '紧急程度', en: 'Severity' },
      options: [
        { value: 'general', label: { zh: '一般', en: 'General' } },
        { value: 'urgent', label: { zh: '紧急', en: 'Urgent' } },
        { value: 'critical', label: { zh: '特急', en: 'Critical' } },
      ],
    },
    { id: 'location', type: 'text', label: { zh: '地点', en: 'Location' }, maxLength: 200 },
    { id: 'description', type: 'textarea', label: { zh: '情况描述', en: 'Description' }, maxLength: 4000 },
    {
      id: 'supplies',
      type: 'itemList',
      required: false,
      label: { zh: '所需物资', en: 'Supplies needed' },
      hint: { zh: '物资短缺时必填：物资名称和数量', en: 'Required for a supplies shortage: item and quantity' },
      itemLabel: { zh: '物资', en: 'Item' },
      quantityLabel: { zh: '数量', en: 'Quantity' },
      maxItems: 10,
    },
    { id: 'contactName', type: 'text', label: { zh: '联系人', en: 'Contact' }, maxLength: 50, autocomplete: 'name' },
    { id: 'contactPhone', type: 'phone', label: { zh: '联系电话', en: 'Phone' } },
    // New fields go last: the sheet's existing columns keep their places.
    {
      id: 'photos',
      type: 'photo',
      required: false,
      label: { zh: '现场照片', en: 'Photos of the scene' },
      hint: { zh: '最多 3 张', en: 'Up to 3' },
      maxItems: 3,
    },
    { id: 'position', type: 'location', required: false, label: { zh: '位置', en: 'Position' } },
  ],
  rules: [{ kind: 'requiredWhen', fields: ['supplies'], when: { equals: { field: 'category', value: 'supplies_shortage' } } }],
  alerts: [{ categoryField: 'category', severityField: 'severity' }],
})
