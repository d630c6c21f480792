import type { MessageSender, TimerStore } from './ports.ts';
import {
  delayFor,
  isNear,
  MAX_DELAY_SECONDS,
  SWEEP_HORIZON_SECONDS,
  type Timer,
  type TimerMessage,
} from './timers.ts';

export type TimerDeps = { store: TimerStore; queue: MessageSender<TimerMessage> };

/**
 * Schedules timers, each once. A timer due within one SQS delay (15 minutes) is stored and sent to the queue at
 * once with its exact delay (2 requests); a later one is stored in the due index for a sweep (1 request now,
 * an update and its share of a sweep later). A retry after a failed send sends again: a duplicate message fires
 * nothing twice.
 */
export async function scheduleTimers(
  deps: TimerDeps,
  timers: readonly Timer[],
  now: Date,
  /** Due within this many seconds goes straight to the queue: never more than SQS's longest delay. */
  directSeconds = MAX_DELAY_SECONDS,
  /** The clock at the moment of sending: the delay counts from then, not from when scheduling began. */
  clock: () => Date = () => new Date(),
): Promise<void> {
  const toSend: Timer[] = [];
  await Promise.all(
    timers.map(async (timer) => {
      const near = isNear(timer, now, Math.min(directSeconds, MAX_DELAY_SECONDS));
      const stored = await deps.store.put(timer, { indexed: !near, now });
      if (near && (stored === 'created' || (!stored.fired && !stored.indexed))) toSend.push(timer);
    }),
  );
  if (toSend.length > 0)
    await deps.queue.sendAll(
      toSend.map((timer) => ({ v: 1 as const, timer })),
      { delaySeconds: (m) => delayFor(m.timer, clock()) },
    );
}

/**
 * One sweep: every timer in the due index that falls due within the horizon goes to the queue with the delay
 * that makes it arrive on time, then leaves the index. Send first, unindex second: a crash in between costs a
 * duplicate message, never a lost timer.
 */
export async function sweepTimers(
  deps: TimerDeps,
  buckets: readonly string[],
  now: Date,
  horizonSeconds = SWEEP_HORIZON_SECONDS,
  clock: () => Date = () => new Date(),
): Promise<{ enqueued: number; queries: number }> {
  const until = new Date(now.getTime() + horizonSeconds * 1000).toISOString();
  const due = (await Promise.all(buckets.map((bucket) => deps.store.due(bucket, until)))).flat();
  if (due.length > 0) {
    await deps.queue.sendAll(
      due.map((timer) => ({ v: 1 as const, timer })),
      { delaySeconds: (m) => delayFor(m.timer, clock()) },
    );
    await Promise.all(due.map((timer) => deps.store.markEnqueued(timer.id, now)));
  }
  return { enqueued: due.length, queries: buckets.length };
}
