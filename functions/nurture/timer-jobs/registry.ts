import type { Lead } from '../../shared/lead.ts';
import type { Timer, TimerKind } from '../../shared/timers.ts';

/** Each timer kind's schema, by kind: the registry's key set is the union's. */
export type TimerByKind = { [T in Timer as T['kind']]: T };

/** What a due timer of one kind does, given its lead; returns the outcome recorded on the timer. */
export type TimerJob<T extends Timer> = (timer: T, lead: Lead, now: Date) => Promise<string>;

/** One job per kind: a kind without a job, or a job without a kind, does not compile. */
export type TimerJobs = { [K in TimerKind]: TimerJob<TimerByKind[K]> };

/** Runs the job of the timer's kind; the generic ties the kind to its timer's fields. */
export function runTimerJob<K extends TimerKind>(
  jobs: TimerJobs,
  kind: K,
  timer: TimerByKind[K],
  lead: Lead,
  now: Date,
): Promise<string> {
  return jobs[kind](timer, lead, now);
}
