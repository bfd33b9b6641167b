import { describe, expect, it } from 'vitest'
import { DeployConfigError, deployConfigFrom } from '../../infra/config.ts'

describe('the deployment configuration', () => {
  it('reads lists from a comma-separated -c value as from a JSON array in cdk.json', () => {
    const fromCli = deployConfigFrom((key) => ({ alertEmails: 'a@example.org, b@example.org', alertPhones: '+8613800000000' })[key])
    const fromJson = deployConfigFrom((key) => ({ alertEmails: ['a@example.org', 'b@example.org'], alertPhones: ['+8613800000000'] })[key])

    expect(fromCli).toEqual(fromJson)
    expect(fromCli.alertEmails).toEqual(['a@example.org', 'b@example.org'])
  })

  it('refuses a phone number that SNS cannot text, naming the key', () => {
    expect(() => deployConfigFrom((key) => ({ alertPhones: '13800000000' })[key])).toThrow(DeployConfigError)
    expect(() => deployConfigFrom((key) => ({ alertPhones: '13800000000' })[key])).toThrow(/alertPhones/)
  })
})
