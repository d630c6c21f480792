import { createHash } from 'node:crypto';
import { z } from 'zod';
import { tableKeys } from './table-schema.ts';

/**
 * "Do X at time T". A timer is one DynamoDB item; one due within the sweep horizon goes straight to the timer
 * queue with an exact `DelaySeconds`, a later one waits in the due index until a sweep takes it. Either way it
 * costs the same few requests, whatever its horizon.
 */
export const TimerKind = z.enum(['sla-reminder', 'sla-escalation', 'nurture-step']);
export type TimerKind = z.infer<typeof TimerKind>;

export const Timer = z.object({
  /** Deterministic (kind, lead, what it is for), so scheduling twice stores one timer. */
  id: z.string().min(1).max(500),
  kind: TimerKind,
  leadId: z.string().min(1),
  dueAt: z.iso.datetime(),
  /** SLA timers: the assignment they watch (a new owner or a contact makes them moot). */
  repId: z.string().optional(),
  assignmentAt: z.iso.datetime().optional(),
  /** Nurture timers: the sequence and the step to send. */
  sequenceId: z.string().optional(),
  step: z.number().int().min(0).optional(),
});
export type Timer = z.infer<typeof Timer>;

export const TimerMessage = z.object({ v: z.literal(1), timer: Timer });
export type TimerMessage = z.infer<typeof TimerMessage>;

/** SQS hides a message for at most 15 minutes. */
export const MAX_DELAY_SECONDS = 900;

/**
 * How far ahead a sweep enqueues: below SQS's 900 s, leaving room for a sweep that runs late. With sweeps
 * every 5 minutes, a timer is enqueued 9 to 14 minutes before it is due.
 */
export const SWEEP_HORIZON_SECONDS = 840;

/** Due-index partitions per day: spreads a busy day's writes over several index partitions. */
export const DUE_SHARDS = 4;

/** The due-index partition of a timer: its UTC day and a shard from its id. */
export function dueBucket(timer: Pick<Timer, 'id' | 'dueAt'>): string {
  const shard = createHash('sha256').update(timer.id).digest().readUInt8(0) % DUE_SHARDS;
  return tableKeys.duePartition(timer.dueAt.slice(0, 10), shard);
}

/**
 * The partitions a sweep reads: every shard of the days from `lookbackDays` ago (timers a stopped sweeper left
 * behind) to the day the horizon reaches. A constant handful of queries per sweep, not per timer.
 */
export function sweepBuckets(now: Date, horizonSeconds: number, lookbackDays: number): string[] {
  const buckets: string[] = [];
  const first = Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`) - lookbackDays * 86_400_000;
  const last = now.getTime() + horizonSeconds * 1000;
  for (let day = first; day <= last; day += 86_400_000) {
    const date = new Date(day).toISOString().slice(0, 10);
    for (let shard = 0; shard < DUE_SHARDS; shard++) buckets.push(tableKeys.duePartition(date, shard));
  }
  return buckets;
}

/** Seconds SQS should hide a timer's message so it arrives at its due time (0 when overdue). */
export function delayFor(timer: Pick<Timer, 'dueAt'>, now: Date): number {
  const seconds = Math.ceil((Date.parse(timer.dueAt) - now.getTime()) / 1000);
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, seconds));
}

/** Whether a timer is near enough to go straight to the queue instead of the due index. */
export function isNear(
  timer: Pick<Timer, 'dueAt'>,
  now: Date,
  horizonSeconds = SWEEP_HORIZON_SECONDS,
): boolean {
  return Date.parse(timer.dueAt) - now.getTime() <= horizonSeconds * 1000;
}
