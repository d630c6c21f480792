import { createSqsBatchHandler, parseMessage } from '../shared/batch.ts';
import { delayFor, TimerMessage } from '../shared/timers.ts';
import type { NurtureKit } from './deps.ts';
import { withInvocation } from './send-once.ts';
import { runTimerJob, type TimerJobs } from './timer-jobs/registry.ts';

/**
 * The timer queue: each due timer runs its kind's job once and is marked fired with the outcome. A timer that
 * arrives early (a delay longer than SQS allows was cut to 15 minutes) waits out the rest in the queue.
 */
export function createTimerQueueJob(
  kit: Pick<NurtureKit, 'leads' | 'timers' | 'now' | 'logger'>,
  jobs: TimerJobs,
) {
  return createSqsBatchHandler(kit.logger, async (record, context) => {
    const { timer } = parseMessage(TimerMessage, record);
    const now = kit.now();
    if (Date.parse(timer.dueAt) - now.getTime() > 1000) {
      await kit.timers.queue.send({ v: 1, timer }, { delaySeconds: delayFor(timer, now) });
      return;
    }
    const lead = await kit.leads.get(timer.leadId);
    const outcome =
      lead === undefined
        ? 'lead not found'
        : await withInvocation(context, () => runTimerJob(jobs, timer.kind, timer, lead, now));
    await kit.timers.store.markFired(timer.id, now, outcome);
    kit.logger.info('timer fired', {
      timerId: timer.id,
      kind: timer.kind,
      outcome,
      lateMs: now.getTime() - Date.parse(timer.dueAt),
    });
  });
}
