import { createHash } from 'node:crypto';
import { tableKeys } from './table-schema.ts';
import * as z from './zod.ts';

/**
 * "Do X at time T". A timer is one DynamoDB item; one due within the sweep horizon goes straight to the timer
 * queue with an exact `DelaySeconds`, a later one waits in the due index until a sweep takes it. Either way it
 * costs the same few requests, whatever its horizon.
 */
const TimerFields = {
  /** Deterministic (kind, lead, what it is for), so scheduling twice stores one timer. */
  id: z.string().check(z.minLength(1), z.maxLength(500)),
  leadId: z.string().check(z.minLength(1)),
  dueAt: z.iso.datetime(),
};

/** SLA timers watch one assignment: a new owner or a contact makes them moot. */
const SlaFields = { repId: z.string().check(z.minLength(1)), assignmentAt: z.iso.datetime() };

export const SlaReminderTimer = z.object({ kind: z.literal('sla-reminder'), ...TimerFields, ...SlaFields });
export type SlaReminderTimer = z.infer<typeof SlaReminderTimer>;

export const SlaEscalationTimer = z.object({
  kind: z.literal('sla-escalation'),
  ...TimerFields,
  ...SlaFields,
});
export type SlaEscalationTimer = z.infer<typeof SlaEscalationTimer>;

/** A nurture timer sends one step of one sequence. */
export const NurtureStepTimer = z.object({
  kind: z.literal('nurture-step'),
  ...TimerFields,
  sequenceId: z.string().check(z.minLength(1)),
  step: z.number().check(z.int(), z.gte(0)),
});
export type NurtureStepTimer = z.infer<typeof NurtureStepTimer>;

/** A rep's planned call (or meeting, email): reminds its owner at the due time while the task is open. */
export const TaskReminderTimer = z.object({
  kind: z.literal('task-reminder'),
  ...TimerFields,
  taskId: z.string().check(z.minLength(1)),
  repId: z.string().check(z.minLength(1)),
});
export type TaskReminderTimer = z.infer<typeof TaskReminderTimer>;

/** A subscriber's outbox for one lead: deliver its oldest events, in order (a try, or the next after a wait). */
export const WebhookTimer = z.object({
  kind: z.literal('webhook'),
  ...TimerFields,
  subscriptionId: z.string().check(z.minLength(1)),
});
export type WebhookTimer = z.infer<typeof WebhookTimer>;

/**
 * WhatsApp took a message and later reported it failed (not on WhatsApp, undeliverable): the notice goes on to
 * the channels after it, as if WhatsApp had refused at once.
 */
export const NoticeFallbackTimer = z.object({
  kind: z.literal('notice-fallback'),
  ...TimerFields,
  /** The notice's key: `assignment#<lead>#<rep>#<at>` or `mail#sla-reminder#<lead>#<at>`. */
  noticeKey: z.string().check(z.minLength(1)),
  failed: z.enum(['whatsapp', 'sms', 'chat']),
});
export type NoticeFallbackTimer = z.infer<typeof NoticeFallbackTimer>;

/** Each kind carries exactly the fields it acts on; adding a kind means adding its schema and its job. */
export const Timer = z.discriminatedUnion('kind', [
  SlaReminderTimer,
  SlaEscalationTimer,
  NurtureStepTimer,
  TaskReminderTimer,
  WebhookTimer,
  NoticeFallbackTimer,
]);
export type Timer = z.infer<typeof Timer>;
export type TimerKind = Timer['kind'];
/** A timer of one kind. */
export type TimerOf<K extends TimerKind> = Extract<Timer, { kind: K }>;

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

/**
 * Whether a timer goes straight to the queue instead of the due index: it is due within one SQS delay. The
 * 15-minute SLA reminder of a lead assigned in working hours is, so it costs one small write and one send
 * instead of an indexed write (2 units) that a sweep rewrites (2 more) and then sends.
 */
export function isNear(timer: Pick<Timer, 'dueAt'>, now: Date, withinSeconds = MAX_DELAY_SECONDS): boolean {
  return Date.parse(timer.dueAt) - now.getTime() <= withinSeconds * 1000;
}
