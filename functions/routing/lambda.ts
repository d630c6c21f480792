import '../shared/source-mapped-stacks.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { bundledConfig } from '../shared/bundled-config.ts';
import { wireRouting } from './wiring.ts';

export const handler = wireRouting({
  clients: { dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}) },
  env: process.env,
  config: bundledConfig(),
});
