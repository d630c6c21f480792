import { readFileSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../functions/shared/config-text.ts';
import { deployableConfig } from './bundling.ts';
import { DataStack } from './stacks/data-stack.ts';
import { PipelineStack } from './stacks/pipeline-stack.ts';

const configPath = process.env.LEADPIPE_CONFIG ?? 'leadpipe.config.yaml';
const config = parseConfig(readFileSync(configPath, 'utf8'), configPath);

const app = new App();
// cdk-nag's AWS Solutions checks run at every synth; an unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
const data = new DataStack(app, 'leadpipe-data', { env });
// Deploy-time choices, set once in cdk.json's context (a `-c key=value` overrides them for one run).
const context = (key: string): string | undefined => {
  const value = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
};
const sendingIdentity = context('sendingIdentity');
const alarmEmail = context('alarmEmail');
const breachPercent = context('slaBreachAlarmPercent');
new PipelineStack(app, 'leadpipe-pipeline', {
  env,
  data,
  config: deployableConfig(config),
  ...(sendingIdentity ? { sendingIdentity } : {}),
  ...(alarmEmail ? { alarmEmail } : {}),
  ...(breachPercent ? { slaBreachAlarmPercent: Number(breachPercent) } : {}),
});
