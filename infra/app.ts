// The CDK app: `npx cdk synth` / `npx cdk deploy`. Configuration comes from the context
// (cdk.json or -c key=value, see infra/config.ts); `-c stage=NAME` names the stack
// SentinelForms-NAME; the region is AWS_REGION's (the CLI passes it as CDK_DEFAULT_REGION).
// cdk-nag's AwsSolutions and Serverless packs check every synth.
import { App, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag'
import { deployConfigFrom, stackNameFor } from './config.ts'
import { SentinelStack } from './stack.ts'

const app = new App()
new SentinelStack(app, stackNameFor(app.node.tryGetContext('stage')), {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION },
  config: deployConfigFrom((key) => app.node.tryGetContext(key)),
})
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app))
