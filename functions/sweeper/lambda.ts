import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient } from '../shared/aws/clients.ts';
import { DynamoTimerStore } from '../shared/aws/dynamo-timer-store.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { parseEnv, TableEnv, TimerQueueEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { createSweeperHandler } from './handler.ts';

const env = parseEnv(TableEnv.extend(TimerQueueEnv.shape));

export const handler = createSweeperHandler({
  store: new DynamoTimerStore(documentClient(), env.TABLE_NAME),
  queue: new SqsSender(new SQSClient({}), env.TIMER_QUEUE_URL),
  now: () => new Date(),
  logger: createLogger('sweeper'),
});
