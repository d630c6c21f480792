import { documentClient } from '../shared/aws/clients.ts';
import { DynamoTimerStore } from '../shared/aws/dynamo-timer-store.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { parseEnv, TableEnv, TimerQueueEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import type { TimerMessage } from '../shared/timers.ts';
import { systemClock, type WiringInput } from '../shared/wiring.ts';
import * as z from '../shared/zod.ts';
import { createSweeperHandler } from './handler.ts';

export const SweeperEnv = z.extend(TableEnv, TimerQueueEnv.shape);

/** The sweeper as Lambda, the local runner and the tests run it (it needs no config). */
export function wireSweeper(
  input: Omit<WiringInput<'dynamodb' | 'sqs'>, 'config'> & {
    /** How far ahead a sweep enqueues (tests shorten it; by default just under SQS's 15-minute delay). */
    horizonSeconds?: number;
  },
) {
  const env = parseEnv(SweeperEnv, input.env);
  return createSweeperHandler({
    store: new DynamoTimerStore(documentClient(input.clients.dynamodb), env.TABLE_NAME),
    queue: new SqsSender<TimerMessage>(input.clients.sqs, env.TIMER_QUEUE_URL),
    now: input.now ?? systemClock,
    logger: input.logger ?? createLogger('sweeper'),
    ...(input.horizonSeconds !== undefined ? { horizonSeconds: input.horizonSeconds } : {}),
  });
}
