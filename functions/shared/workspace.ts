import { ANSWER_MAX_CHARS } from './limits.ts';
import * as z from './zod.ts';

/**
 * The rep's workspace around a lead: notes of what was said, and planned calls, meetings and emails with a due
 * time. Pure schemas and rules; the items live in the lead's partition (docs/table-design.md).
 */

/** Who wrote or planned something: a rep id, a manager's name, a script; one line. */
const By = z.string().check(z.trim(), z.minLength(1), z.maxLength(100), z.regex(/^[^\r\n]*$/, 'one line'));

/** A note's text: any Unicode (emoji, RTL), at most as long as a form answer. */
const NoteText = z.pipe(
  z.pipe(
    z.string(),
    z.transform((s) => s.toWellFormed().trim()),
  ),
  z
    .string()
    .check(
      z.minLength(1, 'write something'),
      z.maxLength(ANSWER_MAX_CHARS, `at most ${ANSWER_MAX_CHARS} characters`),
    ),
);

export const NoteInput = z.strictObject({ text: NoteText, by: By });
export type NoteInput = z.infer<typeof NoteInput>;

export const Note = z.object({
  id: z.string().check(z.minLength(1)),
  leadId: z.string().check(z.minLength(1)),
  text: z.string(),
  by: z.string(),
  at: z.iso.datetime(),
});
export type Note = z.infer<typeof Note>;

export const TaskType = z.enum(['call', 'meeting', 'email', 'other']);
export type TaskType = z.infer<typeof TaskType>;

/** A due time with its offset, as a person or a calendar writes it; stored in UTC. */
const DueAt = z.pipe(
  z.iso.datetime({ offset: true, error: 'a date and time such as 2026-03-19T10:30:00+03:00' }),
  z.transform((s) => new Date(s).toISOString()),
);

export const TaskInput = z.strictObject({
  type: TaskType,
  dueAt: DueAt,
  by: By,
  note: z.optional(NoteText),
});
export type TaskInput = z.infer<typeof TaskInput>;

export const RescheduleInput = z.strictObject({ dueAt: DueAt, by: By });
export const TaskActionInput = z.strictObject({ by: By });

export const TaskStatus = z.enum(['open', 'done', 'cancelled']);

export const Task = z.object({
  id: z.string().check(z.minLength(1)),
  leadId: z.string().check(z.minLength(1)),
  type: TaskType,
  dueAt: z.iso.datetime(),
  note: z.optional(z.string()),
  /** The rep whose agenda it is on and who is reminded: the lead's owner when it was planned. */
  ownerId: z.string().check(z.minLength(1)),
  /** The lead's name when it was planned, for the agenda (a lead's name rarely changes). */
  leadName: z.optional(z.string()),
  status: TaskStatus,
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  closedAt: z.optional(z.iso.datetime()),
  closedBy: z.optional(z.string()),
});
export type Task = z.infer<typeof Task>;

/** What the lead item keeps of its workspace, for the list, the export and the agenda badge. */
export type WorkspaceSummary = {
  lastNote?: { at: string; by: string; text: string };
  openTasks: number;
  nextTaskDueAt?: string;
};

/** The first characters of the last note, for the list and the export; the whole note is in the timeline. */
export const LAST_NOTE_CHARS = 200;

/** The summary after a change: the open tasks' count and the earliest due time. */
export function taskSummary(tasks: readonly Task[]): Pick<WorkspaceSummary, 'openTasks' | 'nextTaskDueAt'> {
  const open = tasks
    .filter((t) => t.status === 'open')
    .map((t) => t.dueAt)
    .sort();
  return { openTasks: open.length, ...(open[0] ? { nextTaskDueAt: open[0] } : {}) };
}

export const AgendaQuery = z.strictObject({
  ownerId: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  /** overdue: due before now; today: due by the end of the owner's local day (overdue included); week: 7 days. */
  due: z._default(z.enum(['overdue', 'today', 'week']), 'today'),
});
export type AgendaQuery = z.infer<typeof AgendaQuery>;

/** How far a zone's clock is ahead of UTC at an instant, in milliseconds (whole seconds). */
function zoneOffsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return local - Math.floor(at.getTime() / 1000) * 1000;
}

/** The latest due time an agenda shows, as an ISO instant: `now`, the end of the rep's local day, or a week on. */
export function agendaUntil(due: AgendaQuery['due'], now: Date, timeZone: string): string {
  if (due === 'overdue') return now.toISOString();
  if (due === 'week') return new Date(now.getTime() + 7 * 86_400_000).toISOString();
  // The end of today where the rep is: midnight local, found from the zone's offset now.
  const offset = zoneOffsetMs(now, timeZone);
  const local = new Date(now.getTime() + offset);
  const localMidnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1);
  return new Date(localMidnight - offset - 1).toISOString();
}

/**
 * A wall time typed in a zone (`2026-12-02T10:30`, as a datetime-local input sends it) as an ISO instant, or
 * undefined when it is not one. Read with the zone's offset at that time (daylight saving included).
 */
export function zonedTimeToUtc(local: string, timeZone: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0));
  const asUtc = Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0, second ?? 0);
  if (Number.isNaN(asUtc)) return undefined;
  const first = asUtc - zoneOffsetMs(new Date(asUtc), timeZone);
  return new Date(asUtc - zoneOffsetMs(new Date(first), timeZone)).toISOString();
}
