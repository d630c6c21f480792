import '../shared/source-mapped-stacks.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ssmParameterFetcher } from '../shared/aws/ssm-parameters.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { dashboardBesideBundle } from '../shared/dashboard-assets.ts';
import { DashboardEnv, parseEnv } from '../shared/env.ts';
import { resolveSecretsRequiring } from '../shared/secrets.ts';
import { footprint } from './footprint.ts';
import { wireOps } from './wiring.ts';

// The table's client signs the secrets' one SSM call too (same role, region and credentials).
const dynamodb = new DynamoDBClient({});
// In AWS the dashboard signs in with Cognito: its settings must be there.
parseEnv(DashboardEnv);
// The link key signs every action link; WhatsApp secrets not created yet only stop WhatsApp's webhook (503).
const { config, missing } = await resolveSecretsRequiring(
  bundledConfig(),
  footprint.secrets,
  ['mail.linkSigningKey'],
  ssmParameterFetcher(dynamodb),
);

export const handler = wireOps({
  clients: { dynamodb, sqs: new SQSClient({}) },
  env: process.env,
  config,
  missingSecrets: missing,
  dashboard: dashboardBesideBundle(import.meta.url),
});
