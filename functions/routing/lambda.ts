import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient } from '../shared/aws/clients.ts';
import { DynamoLeadRepository, DynamoPoolCounter } from '../shared/aws/dynamo-lead-repository.ts';
import { DynamoRepRepository } from '../shared/aws/dynamo-rep-repository.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { parseEnv, RoutingQueueEnv, TableEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { createRoutingHandler } from './handler.ts';

const env = parseEnv(TableEnv.extend(RoutingQueueEnv.shape));
const config = bundledConfig();
const db = documentClient();
const reps = new DynamoRepRepository(db, env.TABLE_NAME, config.routing.reps);

export const handler = createRoutingHandler({
  config,
  leads: new DynamoLeadRepository(db, env.TABLE_NAME),
  reps,
  counters: new DynamoPoolCounter(db, env.TABLE_NAME),
  routingQueue: new SqsSender(new SQSClient({}), env.ROUTING_QUEUE_URL),
  now: () => new Date(),
  logger: createLogger('routing'),
});
