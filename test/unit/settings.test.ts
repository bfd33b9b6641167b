// The settings the CDK context, the Lambda functions and the local server share (settings.ts):
// a value one of them accepts, the others accept too, so a deploy that synthesizes also starts.
import { describe, expect, it } from 'vitest'
import { AlertsConfig, ApiConfig, MirrorConfig, parseLambdaConfig } from '#commons/lambda/config.ts'
import { SettingsError } from '#commons/settings.ts'
import { parseLocalConfig } from '../../functions/local/config.ts'
import { deployConfigFrom } from '../../infra/config.ts'

const lambdaEnv = {
  TABLE_NAME: 'sentinel',
  PUBLIC_URL: 'https://forms.example.org',
  ADMIN_TOKEN_SECRET_ARN: 'admin',
  LINK_KEY_SECRET_ARN: 'link',
  ACK_KEY_SECRET_ARN: 'ack',
  MIRROR_FUNCTION_NAME: 'mirror',
  WEBHOOKS_SECRET_ARN: 'hooks',
  ALERT_TOPIC_ARN: 'arn:aws:sns:ap-east-1:123456789012:alerts',
  GOOGLE_KEY_SECRET_ARN: 'google',
  SHEET_ID: '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
}

/** Whether each edition takes `value` for one setting: [CDK context, its Lambda function, local server]. */
function acceptedBy(
  setting: { env: string; context: string; lambda: typeof ApiConfig | typeof AlertsConfig | typeof MirrorConfig },
  value: string,
) {
  const accepts = (parse: () => unknown) => {
    try {
      parse()
      return true
    } catch {
      return false
    }
  }
  return [
    accepts(() => deployConfigFrom((key) => ({ [setting.context]: value })[key])),
    accepts(() => parseLambdaConfig(setting.lambda, { ...lambdaEnv, [setting.env]: value })),
    accepts(() => parseLocalConfig({ [setting.env]: value })),
  ]
}

describe('the settings shared by the deployment, the functions and the local server', () => {
  const cases = [
    {
      setting: { env: 'ESCALATE_AFTER_S', context: 'escalateAfterS', lambda: AlertsConfig },
      accepted: ['1', '60', '604800'],
      refused: ['0', '1.5', '604801', '-60', 'soon'],
    },
    { setting: { env: 'ESCALATE_MAX', context: 'escalateMax', lambda: ApiConfig }, accepted: ['0', '20'], refused: ['21', '2.5'] },
    {
      setting: { env: 'ACK_LINK_TTL_S', context: 'ackLinkTtlS', lambda: ApiConfig },
      accepted: ['60', '2592000'],
      refused: ['59', '2592001'],
    },
    { setting: { env: 'ALERT_LANG', context: 'alertLang', lambda: AlertsConfig }, accepted: ['zh', 'en'], refused: ['fr'] },
    { setting: { env: 'ORG_TIMEZONE', context: 'timeZone', lambda: ApiConfig }, accepted: ['Asia/Shanghai', 'UTC'], refused: ['China'] },
    {
      setting: { env: 'SHEET_ID', context: 'sheetId', lambda: MirrorConfig },
      accepted: ['1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'],
      refused: ['short', 'https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOp/edit'],
    },
  ]

  for (const { setting, accepted, refused } of cases) {
    it(`accepts and refuses the same ${setting.env} everywhere`, () => {
      for (const value of accepted) expect(acceptedBy(setting, value), value).toEqual([true, true, true])
      for (const value of refused) expect(acceptedBy(setting, value), value).toEqual([false, false, false])
    })
  }

  it('counts an empty value as unset and names the variable it refuses', () => {
    expect(parseLocalConfig({ ESCALATE_AFTER_S: '' }).ESCALATE_AFTER_S).toBeUndefined()
    expect(() => parseLocalConfig({ ESCALATE_AFTER_S: '1.5' })).toThrow(SettingsError)
    expect(() => parseLocalConfig({ ESCALATE_AFTER_S: '1.5' })).toThrow(/ESCALATE_AFTER_S/)
  })

  it('takes one leaders’ sheet at a time, and Feishu only with its app, saying so at start', () => {
    const feishu = {
      FEISHU_SHEET_TOKEN: 'shtcnAbCdEfGhIjKlMnOp',
      FEISHU_APP_ID: 'cli_a1b2c3d4e5f6a7b8',
      FEISHU_APP_SECRET: 'secret-0123456789',
    }
    expect(parseLocalConfig(feishu).FEISHU_API_URL).toBe('https://open.feishu.cn')
    expect(() => parseLocalConfig({ ...feishu, SHEET_ID: '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789' })).toThrow(
      /SHEET_ID and FEISHU_SHEET_TOKEN are both set/,
    )
    expect(() => parseLocalConfig({ ...feishu, FEISHU_APP_SECRET: undefined })).toThrow(/FEISHU_APP_ID and FEISHU_APP_SECRET/)
    expect(() => parseLocalConfig({ ...feishu, FEISHU_APP_ID: 'app-1' })).toThrow(/FEISHU_APP_ID/)
  })
})
