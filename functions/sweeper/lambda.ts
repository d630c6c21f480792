import '../shared/source-mapped-stacks.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { wireSweeper } from './wiring.ts';

export const handler = wireSweeper({
  clients: { dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}) },
  env: process.env,
});
