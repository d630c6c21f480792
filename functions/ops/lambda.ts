import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient } from '../shared/aws/clients.ts';
import { DynamoKpiStore } from '../shared/aws/dynamo-kpi-store.ts';
import { DynamoLeadRepository } from '../shared/aws/dynamo-lead-repository.ts';
import { DynamoRepRepository } from '../shared/aws/dynamo-rep-repository.ts';
import { DynamoSuppressionList } from '../shared/aws/dynamo-suppression-list.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { fetchSsmParameters } from '../shared/aws/ssm-parameters.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { parseEnv, RoutingQueueEnv, TableEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { resolveSecrets } from '../shared/secrets.ts';
import { createOpsHandler } from './handler.ts';

const env = parseEnv(TableEnv.extend(RoutingQueueEnv.shape));
const db = documentClient();

const config = await resolveSecrets(bundledConfig(), ['mail.linkSigningKey'], fetchSsmParameters);

export const handler = createOpsHandler({
  config,
  leads: new DynamoLeadRepository(db, env.TABLE_NAME),
  reps: new DynamoRepRepository(db, env.TABLE_NAME, config.routing.reps),
  kpis: new DynamoKpiStore(db, env.TABLE_NAME),
  routingQueue: new SqsSender(new SQSClient({}), env.ROUTING_QUEUE_URL),
  suppressions: new DynamoSuppressionList(db, env.TABLE_NAME),
  now: () => new Date(),
  logger: createLogger('ops'),
});
