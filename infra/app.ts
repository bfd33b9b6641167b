// The CDK app: `npx cdk synth` / `npx cdk deploy`.
import { App } from 'aws-cdk-lib'
import { SentinelStack } from './stack.ts'

const app = new App()
new SentinelStack(app, 'SentinelForms', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
})
