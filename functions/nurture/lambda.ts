import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { fetchSsmParameters } from '../shared/aws/ssm-parameters.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { resolveSecrets } from '../shared/secrets.ts';
import { footprint } from './footprint.ts';
import { wireNurture } from './wiring.ts';

const config = await resolveSecrets(bundledConfig(), footprint.secrets, fetchSsmParameters);

// One function, three triggers (the table's stream, the timer queue, SES feedback) and replays: one entry point.
export const handler = wireNurture({
  clients: { dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}), ses: new SESv2Client({}) },
  env: process.env,
  config,
}).handler;
