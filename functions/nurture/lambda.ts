import '../shared/source-mapped-stacks.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { sesClient } from '../shared/aws/ses-mailer.ts';
import { smsClient } from '../shared/aws/sms-sender.ts';
import { ssmParameterFetcher } from '../shared/aws/ssm-parameters.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { resolveSecretsRequiring } from '../shared/secrets.ts';
import { footprint } from './footprint.ts';
import { wireNurture } from './wiring.ts';

// The table's client signs the secrets' one SSM call too (same role, region and credentials).
const dynamodb = new DynamoDBClient({});
// The link key is needed for every mail; a WhatsApp or Telegram secret not created yet only stops that channel.
const { config, missing } = await resolveSecretsRequiring(
  bundledConfig(),
  footprint.secrets,
  ['mail.linkSigningKey'],
  ssmParameterFetcher(dynamodb),
);

// One function, three triggers (the table's stream, the timer queue, SES feedback) and replays: one entry point.
export const handler = wireNurture({
  clients: {
    dynamodb,
    sqs: new SQSClient({}),
    ses: sesClient(),
    sms: smsClient(),
  },
  env: process.env,
  config,
  missingSecrets: missing,
}).handler;
