import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { parseConfig } from '../functions/shared/config.ts';
import { deployableConfig } from './bundling.ts';
import { DataStack } from './stacks/data-stack.ts';
import { PipelineStack } from './stacks/pipeline-stack.ts';

const configPath = process.env.LEADPIPE_CONFIG ?? 'leadpipe.config.yaml';
const config = parseConfig(readFileSync(configPath, 'utf8'), configPath);

const app = new App();
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
const data = new DataStack(app, 'leadpipe-data', { env });
new PipelineStack(app, 'leadpipe-pipeline', { env, data, config: deployableConfig(config) });
