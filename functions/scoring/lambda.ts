import '../shared/source-mapped-stacks.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ssmParameterFetcher } from '../shared/aws/ssm-parameters.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { resolveAvailableSecrets } from '../shared/secrets.ts';
import { footprint } from './footprint.ts';
import { wireScoring } from './wiring.ts';

// The table's client signs the secrets' one SSM call too (same role, region and credentials).
const dynamodb = new DynamoDBClient({});
const { config, missing } = await resolveAvailableSecrets(
  bundledConfig(),
  footprint.secrets,
  ssmParameterFetcher(dynamodb),
);

export const handler = wireScoring({
  clients: { dynamodb, sqs: new SQSClient({}) },
  env: process.env,
  config,
  missingSecrets: missing,
});
