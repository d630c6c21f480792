import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { sweepTimers, type TimerDeps } from '../shared/timer-service.ts';
import { SWEEP_HORIZON_SECONDS, sweepBuckets } from '../shared/timers.ts';

export type SweeperDeps = TimerDeps & {
  now: () => Date;
  logger: Logger;
  /** Days back a sweep looks for timers a stopped sweeper left behind. */
  lookbackDays?: number;
  horizonSeconds?: number;
};

export type SweepSummary = { enqueued: number; queries: number };

/**
 * The timer sweep (an EventBridge schedule every 5 minutes in AWS; every second locally): timers that fall due
 * within the horizon move from the due index to the timer queue, each with the delay that makes it arrive on
 * time.
 */
export function createSweeperHandler(deps: SweeperDeps) {
  const horizon = deps.horizonSeconds ?? SWEEP_HORIZON_SECONDS;
  async function sweep(): Promise<SweepSummary> {
    const now = deps.now();
    const summary = await sweepTimers(deps, sweepBuckets(now, horizon, deps.lookbackDays ?? 2), now, horizon);
    if (summary.enqueued > 0) deps.logger.info('timers enqueued', { ...summary });
    return summary;
  }
  return middy<unknown, SweepSummary, Error, Context>(sweep).use(injectLambdaContext(deps.logger));
}
