// Special forms are declared, not hard-coded (issue 14): the approval form names its title, channel
// and requester fields, and one on-demand form is the emergency request the pages offer one tap
// away. An approval form with field ids of its own goes through the approval domain against dynalite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApprovalStore } from '#commons/adapters/dynamo/approvals.ts'
import { createDynamoClients } from '#commons/adapters/dynamo/client.ts'
import { createDynamoStores } from '#commons/adapters/dynamo/stores.ts'
import { ensureTable } from '#commons/adapters/dynamo/table.ts'
import { approvalPass, type NoticeDeps } from '#commons/approvals/notices.ts'
import { decide, infoReleaseTab, listRequests, OFFICE_DECIDER, requestDetail } from '#commons/approvals/requests.ts'
import type { ChatNotice } from '#commons/channels/notice.ts'
import { parseWebhookList, type WebhookTarget } from '#commons/channels/webhook-config.ts'
import { defineForm, type FormDefinitionInput } from '#commons/forms/definition.ts'
import { createRegistry, FormDefinitionError, type FormRegistry, loadForms } from '#commons/forms/registry.ts'
import { silentLogger } from '#commons/log.ts'
import { submit } from '#commons/records/submissions.ts'
import type { ApprovalStore, Stores } from '#commons/store.ts'
import { addUnit } from '#commons/units/roster.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../functions/local/embedded-dynamodb.ts'
import { newKey } from '../../testkit/fixtures.ts'
import { fixedClock, TIME_ZONE } from '../../testkit/harness.ts'

const label = (zh: string, en: string) => ({ zh, en })

/** A press-release approval whose fields are not called title, channel or requesterName. */
const pressRelease = (approval: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}): FormDefinitionInput =>
  defineForm({
    id: 'press-release',
    title: label('新闻稿审批', 'Press release approval'),
    workGroup: label('宣传组', 'Publicity group'),
    kind: 'on_demand',
    order: 3,
    tab: '新闻稿',
    fields: [
      { id: 'headline', type: 'text', label: label('稿件标题', 'Headline') },
      {
        id: 'outlet',
        type: 'select',
        label: label('投送媒体', 'Outlet'),
        options: [
          { value: 'daily_paper', label: label('区报', 'District paper') },
          { value: 'radio', label: label('广播', 'Radio') },
        ],
      },
      { id: 'body', type: 'textarea', label: label('正文', 'Body') },
      { id: 'applicant', type: 'text', label: label('撰稿人', 'Author') },
      { id: 'applicantPhone', type: 'phone', label: label('撰稿人电话', 'Author phone') },
    ],
    approval: {
      titleField: 'headline',
      channelField: 'outlet',
      requesterNameField: 'applicant',
      requesterPhoneField: 'applicantPhone',
      ...approval,
    },
    ...overrides,
  } as FormDefinitionInput)

/** An on-demand form whose submitter picks category and severity. */
const sos = (overrides: Record<string, unknown> = {}): FormDefinitionInput =>
  defineForm({
    id: 'sos',
    title: label('求助', 'Call for help'),
    workGroup: label('应急工作组', 'Emergency group'),
    kind: 'on_demand',
    order: 1,
    tab: '求助',
    fields: [
      { id: 'kind', type: 'select', label: label('类别', 'Category'), options: [{ value: 'other', label: label('其他', 'Other') }] },
      { id: 'level', type: 'select', label: label('紧急程度', 'Severity'), options: [{ value: 'urgent', label: label('紧急', 'Urgent') }] },
    ],
    alerts: [{ categoryField: 'kind', severityField: 'level' }],
    emergencyRequest: true,
    ...overrides,
  } as FormDefinitionInput)

const refusal = (inputs: FormDefinitionInput[]) => {
  try {
    createRegistry(inputs)
  } catch (error) {
    expect(error).toBeInstanceOf(FormDefinitionError)
    return (error as Error).message
  }
  throw new Error('the registry took the definitions')
}

describe('the registry', () => {
  it('finds the shipped approval form and emergency request form by their declarations', async () => {
    const forms = await loadForms()

    expect(forms.approvalForm()?.id).toBe('info-release')
    expect(forms.approvalForm()?.approval).toEqual({
      titleField: 'title',
      channelField: 'channel',
      requesterNameField: 'requesterName',
      requesterPhoneField: 'requesterPhone',
    })
    expect(forms.emergencyForm()?.id).toBe('emergency')
  })

  it('finds declared forms whatever their ids, and none where none is declared', () => {
    const declared = createRegistry([pressRelease(), sos()])
    const plain = createRegistry([pressRelease({}, { approval: undefined }), sos({ emergencyRequest: false })])

    expect(declared.approvalForm()?.id).toBe('press-release')
    expect(declared.emergencyForm()?.id).toBe('sos')
    expect(plain.approvalForm()).toBeUndefined()
    expect(plain.emergencyForm()).toBeUndefined()
  })

  it('refuses an approval declaration that names a field the form does not have', () => {
    expect(refusal([pressRelease({ titleField: 'title' })])).toBe('press-release: approval.titleField names unknown field "title"')
  })

  it('refuses an approval declaration that names a field of the wrong type', () => {
    expect(refusal([pressRelease({ requesterNameField: 'outlet' })])).toBe(
      'press-release: approval.requesterNameField "outlet" is a select field; it must be text',
    )
    expect(refusal([pressRelease({ titleField: 'body' })])).toMatch(/approval.titleField "body" is a textarea field/)
  })

  it('refuses approval on a daily form, and a second approval form', () => {
    expect(refusal([pressRelease({}, { kind: 'daily' })])).toBe('press-release: only on-demand forms go through approval')
    expect(refusal([pressRelease(), pressRelease({}, { id: 'radio-release', tab: '广播稿' })])).toBe(
      'only one form may be the approval form: press-release, radio-release',
    )
  })

  it('refuses an emergency request form that is daily, raises no alert of its own choosing, or is not the only one', () => {
    expect(refusal([sos({ kind: 'daily' })])).toBe('sos: an emergency request form is on-demand')
    expect(refusal([sos({ alerts: [] })])).toBe('sos: an emergency request form raises its alert from categoryField/severityField')
    expect(refusal([sos(), sos({ id: 'sos-two', tab: '求助二' })])).toBe('only one form may be the emergency request form: sos, sos-two')
  })
})

describe('an approval form with field ids of its own', () => {
  const clock = fixedClock('2026-11-28T02:00:00Z') // 10:00 in Shanghai
  const sent: { target: WebhookTarget; notice: ChatNotice }[] = []
  let dynamo: EmbeddedDynamo
  let destroyClient: () => void
  let stores: Stores
  let approvals: ApprovalStore
  let forms: FormRegistry
  let deps: NoticeDeps

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo()
    const { client, doc } = createDynamoClients(dynamo.endpoint)
    destroyClient = () => client.destroy()
    await ensureTable(client, 'test')
    stores = createDynamoStores(doc, 'test')
    approvals = createApprovalStore(doc, 'test')
    forms = createRegistry([pressRelease()])
    const form = forms.approvalForm()
    if (!form) throw new Error('no approval form declared')
    deps = {
      records: stores.records,
      approvals,
      settings: stores.settings,
      units: stores.units,
      clock,
      timeZone: TIME_ZONE,
      form,
      approverTargets: parseWebhookList('json=http://approvers.test/hook'),
      deliver: async (target, notice) => {
        sent.push({ target, notice })
        return { ok: true, status: 200 }
      },
      publicUrl: 'http://forms.test',
      log: silentLogger,
    }
    await addUnit(stores.units, forms, clock, {
      id: 'news',
      name: '新闻科',
      forms: ['press-release'],
      webhook: 'json=http://news.test/hook',
    })
  })

  afterAll(async () => {
    destroyClient()
    await dynamo.close()
  })

  it('is registered, decided and shown on the 信息发布 tab with its own fields', async () => {
    const unit = await stores.units.get('news')
    const { form } = deps
    if (!unit) throw new Error('fixtures missing')
    const body = { headline: '区报专访：冬季防疫', outlet: 'daily_paper', body: '正文……', applicant: '李文', applicantPhone: '13900139000' }
    const stored = await submit(deps, { unit, form, body, idempotencyKey: newKey(), lang: 'zh' })
    if (stored.kind !== 'created') throw new Error(`not stored: ${stored.kind}`)
    const recordId = stored.stored.recordId

    await approvalPass(deps)
    const [pending] = await listRequests(deps, 'pending')
    const submittedNotice = sent.find((s) => s.notice.id === `${recordId}.v1.submitted`)?.notice

    expect(pending).toMatchObject({ recordId, status: 'pending', title: '区报专访：冬季防疫', channel: 'daily_paper', byName: '李文' })
    expect(submittedNotice?.title).toBe('【信息发布待审批】区报专访：冬季防疫')
    expect(submittedNotice?.lines).toEqual(
      expect.arrayContaining(['标题：区报专访：冬季防疫', '渠道：区报', '申请人：李文 13900139000', '单位：新闻科']),
    )

    const decided = await decide(deps, {
      recordId,
      decision: 'rejected',
      comment: '请核实数字',
      decider: OFFICE_DECIDER,
      by: '办公室 周敏',
    })
    await approvalPass(deps)
    const decisionNotice = sent.find((s) => s.notice.id === `${recordId}.v1.rejected`)
    const rows = await infoReleaseTab({ approvals, units: stores.units, form, timeZone: TIME_ZONE }).rows(clock.now())

    expect(decided).toMatchObject({ status: 'rejected', title: '区报专访：冬季防疫', comment: '请核实数字' })
    expect((await requestDetail(deps, recordId))?.state.status).toBe('rejected')
    expect(decisionNotice?.target.url).toBe('http://news.test/hook')
    expect(decisionNotice?.notice.lines).toContain('审批意见：请核实数字')
    expect(rows).toEqual([
      [recordId, '新闻科', '区报专访：冬季防疫', '区报', 1, '未通过', expect.any(String), '办公室 周敏', expect.any(String), '请核实数字'],
    ])
  })
})
