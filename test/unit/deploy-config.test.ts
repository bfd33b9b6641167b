import { describe, expect, it } from 'vitest'
import { DeployConfigError, deployConfigFrom, stackNameFor } from '../../infra/config.ts'

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

  it('names the stack for the stage (-c stage=NAME), SentinelForms without one, and refuses a name CloudFormation would not take', () => {
    expect(stackNameFor(undefined)).toBe('SentinelForms')
    expect(stackNameFor('')).toBe('SentinelForms')
    expect(stackNameFor('prod-2')).toBe('SentinelForms-prod-2')
    for (const bad of ['2prod', 'dev_1', 'a'.repeat(25), 42]) expect(() => stackNameFor(bad)).toThrow(/stage/)
  })
})
