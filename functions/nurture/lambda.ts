import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient } from '../shared/aws/clients.ts';
import { DynamoKpiStore } from '../shared/aws/dynamo-kpi-store.ts';
import { DynamoLeadRepository } from '../shared/aws/dynamo-lead-repository.ts';
import { DynamoRepRepository } from '../shared/aws/dynamo-rep-repository.ts';
import { DynamoSuppressionList } from '../shared/aws/dynamo-suppression-list.ts';
import { DynamoTimerStore } from '../shared/aws/dynamo-timer-store.ts';
import { SesMailer } from '../shared/aws/ses-mailer.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { fetchSsmParameters } from '../shared/aws/ssm-parameters.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import {
  IdempotencyEnv,
  MailEnv,
  parseEnv,
  RoutingQueueEnv,
  TableEnv,
  TimerQueueEnv,
} from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { resolveSecrets } from '../shared/secrets.ts';
import { createNurtureHandler } from './handler.ts';

const env = parseEnv(
  IdempotencyEnv.extend(MailEnv.shape)
    .extend(TableEnv.shape)
    .extend(TimerQueueEnv.shape)
    .extend(RoutingQueueEnv.shape),
);
const dynamodb = new DynamoDBClient({});
const sqs = new SQSClient({});
const db = documentClient(dynamodb);

const config = await resolveSecrets(bundledConfig(), ['mail.linkSigningKey'], fetchSsmParameters);

// One function, three triggers: the table's stream, the timer queue and SES feedback (SNS).
export const handler = createNurtureHandler({
  config,
  mailer: new SesMailer(new SESv2Client({}), env.SES_CONFIGURATION_SET),
  reps: new DynamoRepRepository(db, env.TABLE_NAME, config.routing.reps),
  leads: new DynamoLeadRepository(db, env.TABLE_NAME),
  kpis: new DynamoKpiStore(db, env.TABLE_NAME),
  timers: {
    store: new DynamoTimerStore(db, env.TABLE_NAME),
    queue: new SqsSender(sqs, env.TIMER_QUEUE_URL),
  },
  suppressions: new DynamoSuppressionList(db, env.TABLE_NAME),
  routingQueue: new SqsSender(sqs, env.ROUTING_QUEUE_URL),
  idempotency: new DynamoDBPersistenceLayer({
    tableName: env.IDEMPOTENCY_TABLE_NAME,
    awsSdkV3Client: dynamodb,
  }),
  now: () => new Date(),
  logger: createLogger('nurture'),
}).handler;
