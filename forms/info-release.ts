import { defineForm } from '#commons/forms/definition.ts'

// 信息发布审批制度: nothing goes out before the publicity group approves it. The approval step
// itself lives in functions/commons/approvals/; this file is what the requester fills in and which
// of its fields the approval shows.
export default defineForm({
  id: 'info-release',
  title: { zh: '信息发布审批', en: 'Information release approval' },
  description: {
    zh: '对外发布的信息须与市、区口径一致，经宣传组审批后方可发布。提交后请等待审批结果。',
    en: "Anything published must match the city's and district's official line and is released only after the publicity group approves it. Wait for the decision after you submit.",
  },
  workGroup: { zh: '宣传组', en: 'Publicity group' },
  kind: 'on_demand',
  order: 2,
  tab: '信息发布申请',
  fields: [
    { id: 'title', type: 'text', label: { zh: '标题', en: 'Title' }, maxLength: 200 },
    {
      id: 'channel',
      type: 'select',
      label: { zh: '发布渠道', en: 'Channel' },
      options: [
        { value: 'wechat', label: { zh: '微信公众号', en: 'WeChat official account' } },
        { value: 'website', label: { zh: '网站', en: 'Website' } },
        { value: 'media_interview', label: { zh: '媒体采访', en: 'Media interview' } },
        { value: 'other', label: { zh: '其他', en: 'Other' } },
      ],
    },
    { id: 'content', type: 'textarea', label: { zh: '发布内容', en: 'Content' }, maxLength: 10000 },
    {
      id: 'attachments',
      type: 'linkList',
      required: false,
      label: { zh: '附件链接', en: 'Attachments (links)' },
      hint: { zh: '每行一个链接（图片、文档等）', en: 'One link per line (images, documents, …)' },
      maxItems: 10,
    },
    { id: 'requesterName', type: 'text', label: { zh: '申请人', en: 'Requester' }, maxLength: 50, autocomplete: 'name' },
    { id: 'requesterPhone', type: 'phone', label: { zh: '联系电话', en: 'Phone' } },
  ],
  approval: { titleField: 'title', channelField: 'channel', requesterNameField: 'requesterName', requesterPhoneField: 'requesterPhone' },
})
