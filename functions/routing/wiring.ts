import { documentClient } from '../shared/aws/clients.ts';
import { DynamoLeadRepository, DynamoPoolCounter } from '../shared/aws/dynamo-lead-repository.ts';
import { DynamoRepRepository } from '../shared/aws/dynamo-rep-repository.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { parseEnv, RoutingQueueEnv, TableEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { systemClock, type WiringInput } from '../shared/wiring.ts';
import * as z from '../shared/zod.ts';
import { createRoutingHandler } from './handler.ts';

export const RoutingEnv = z.extend(TableEnv, RoutingQueueEnv.shape);

/** The routing function as Lambda, the local runner and the tests run it. */
export function wireRouting(input: WiringInput<'dynamodb' | 'sqs'>) {
  const env = parseEnv(RoutingEnv, input.env);
  const db = documentClient(input.clients.dynamodb);
  return createRoutingHandler({
    config: input.config,
    leads: new DynamoLeadRepository(db, env.TABLE_NAME),
    reps: new DynamoRepRepository(db, env.TABLE_NAME, input.config.routing.reps),
    counters: new DynamoPoolCounter(db, env.TABLE_NAME),
    routingQueue: new SqsSender(input.clients.sqs, env.ROUTING_QUEUE_URL),
    now: input.now ?? systemClock,
    logger: input.logger ?? createLogger('routing'),
  });
}
