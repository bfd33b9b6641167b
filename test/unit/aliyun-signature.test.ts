// Alibaba Cloud's signature V3 (ACS3-HMAC-SHA256) against the two worked examples its
// documentation publishes (help.aliyun.com, 「V3版本请求体&签名机制」: ECS RunInstances in
// cn-shanghai, AccessKey YourAccessKeyId / YourAccessKeySecret, an empty body).
import { describe, expect, it } from 'vitest'
import { acs3Authorization } from '#commons/adapters/aliyun-sms.ts'

const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

const documented = (date: string, nonce: string) => ({
  method: 'POST' as const,
  path: '/',
  query: [
    ['RegionId', 'cn-shanghai'],
    ['ImageId', 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd'],
  ] as [string, string][],
  headers: {
    host: 'ecs.cn-shanghai.aliyuncs.com',
    'x-acs-action': 'RunInstances',
    'x-acs-version': '2014-05-26',
    'x-acs-date': date,
    'x-acs-signature-nonce': nonce,
    'x-acs-content-sha256': EMPTY_BODY_SHA256,
    accept: 'application/json', // not signed: only host, content-type and x-acs-* are
  },
})

const SIGNED = 'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version'

describe('ACS3-HMAC-SHA256', () => {
  it.each([
    ['2023-10-26T09:01:01Z', 'd410180a5abf7fe235dd9b74aca91fc0', 'e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804'],
    ['2023-10-26T10:22:32Z', '3156853299f313e23d1673dc12e1703d', '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0'],
  ])('gives the documented signature for the example dated %s', (date, nonce, signature) => {
    expect(acs3Authorization(documented(date, nonce), 'YourAccessKeyId', 'YourAccessKeySecret')).toBe(
      `ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=${SIGNED},Signature=${signature}`,
    )
  })

  it('changes with the secret, the query and the nonce', () => {
    const base = documented('2023-10-26T10:22:32Z', '3156853299f313e23d1673dc12e1703d')
    const signature = (request = base, secret = 'YourAccessKeySecret') =>
      acs3Authorization(request, 'YourAccessKeyId', secret).split('Signature=')[1]
    const reference = signature()
    expect(signature(base, 'YourAccessKeySecreT')).not.toBe(reference)
    expect(signature({ ...base, query: [['RegionId', 'cn-hangzhou']] })).not.toBe(reference)
    expect(signature({ ...base, headers: { ...base.headers, 'x-acs-signature-nonce': 'another' } })).not.toBe(reference)
  })
})
