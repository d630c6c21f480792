import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SesMailer } from '../shared/aws/ses-mailer.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { IdempotencyEnv, MailEnv, parseEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { createNurtureHandler } from './handler.ts';

const env = parseEnv(IdempotencyEnv.extend(MailEnv.shape));

export const handler = createNurtureHandler({
  config: bundledConfig(),
  mailer: new SesMailer(new SESv2Client({}), env.SES_CONFIGURATION_SET),
  idempotency: new DynamoDBPersistenceLayer({
    tableName: env.IDEMPOTENCY_TABLE_NAME,
    awsSdkV3Client: new DynamoDBClient({}),
  }),
  logger: createLogger('nurture'),
});
