import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { documentClient } from '../shared/aws/clients.ts';
import { DynamoKpiStore } from '../shared/aws/dynamo-kpi-store.ts';
import { DynamoRepRepository } from '../shared/aws/dynamo-rep-repository.ts';
import { SesMailer } from '../shared/aws/ses-mailer.ts';
import { fetchSsmParameters } from '../shared/aws/ssm-parameters.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { IdempotencyEnv, MailEnv, parseEnv, TableEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { resolveSecrets } from '../shared/secrets.ts';
import { createNurtureHandler } from './handler.ts';

const env = parseEnv(IdempotencyEnv.extend(MailEnv.shape).extend(TableEnv.shape));
const dynamodb = new DynamoDBClient({});

const config = await resolveSecrets(bundledConfig(), ['mail.linkSigningKey'], fetchSsmParameters);

export const handler = createNurtureHandler({
  config,
  mailer: new SesMailer(new SESv2Client({}), env.SES_CONFIGURATION_SET),
  reps: new DynamoRepRepository(documentClient(dynamodb), env.TABLE_NAME, config.routing.reps),
  kpis: new DynamoKpiStore(documentClient(dynamodb), env.TABLE_NAME),
  idempotency: new DynamoDBPersistenceLayer({
    tableName: env.IDEMPOTENCY_TABLE_NAME,
    awsSdkV3Client: dynamodb,
  }),
  logger: createLogger('nurture'),
});
