import '../shared/source-mapped-stacks.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { fetchSsmParameters } from '../shared/aws/ssm-parameters.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { resolveAvailableSecrets } from '../shared/secrets.ts';
import { footprint } from './footprint.ts';
import { wireScoring } from './wiring.ts';

const { config, missing } = await resolveAvailableSecrets(
  bundledConfig(),
  footprint.secrets,
  fetchSsmParameters,
);

export const handler = wireScoring({
  clients: { dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}) },
  env: process.env,
  config,
  missingSecrets: missing,
});
