import { createSqsBatchHandler, parseMessage, peekMessage } from '../shared/batch.ts';
import type { Lead } from '../shared/lead.ts';
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
  const early = (timer: TimerMessage['timer'], now: Date) => Date.parse(timer.dueAt) - now.getTime() > 1000;
  return createSqsBatchHandler<BatchLeads>(
    kit.logger,
    async (record, context, batch) => {
      const { timer } = parseMessage(TimerMessage, record);
      const now = kit.now();
      if (early(timer, now)) {
        await kit.timers.queue.send({ v: 1, timer }, { delaySeconds: delayFor(timer, now) });
        return;
      }
      // Read with the batch's other due timers; one that fell due since is read on its own.
      const lead = batch.read.has(timer.leadId)
        ? batch.leads.get(timer.leadId)
        : await kit.leads.get(timer.leadId);
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
    },
    // The leads of the batch's due timers in one BatchGetItem, not a GetItem each. A record that cannot be read
    // is left to its own handling, which fails it.
    async (records) => {
      const now = kit.now();
      const due = records.flatMap((record) => {
        const timer = peekMessage(TimerMessage, record)?.timer;
        return timer && !early(timer, now) ? [timer.leadId] : [];
      });
      const read = new Set(due);
      return { read, leads: read.size > 0 ? await kit.leads.getMany([...read]) : new Map() };
    },
  );
}

/** The leads read for a batch's due timers: which ids were asked for, and those stored. */
type BatchLeads = { read: Set<string>; leads: Map<string, Lead> };
