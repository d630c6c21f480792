import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient } from '../shared/aws/clients.ts';
import { DynamoLeadRepository } from '../shared/aws/dynamo-lead-repository.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { parseEnv, RoutingQueueEnv, TableEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { createScoringHandler } from './handler.ts';

const env = parseEnv(TableEnv.extend(RoutingQueueEnv.shape));

export const handler = createScoringHandler({
  config: bundledConfig(),
  leads: new DynamoLeadRepository(documentClient(), env.TABLE_NAME),
  routingQueue: new SqsSender(new SQSClient({}), env.ROUTING_QUEUE_URL),
  now: () => new Date(),
  logger: createLogger('scoring'),
});
