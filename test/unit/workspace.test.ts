import { describe, expect, it } from 'vitest';
import {
  agendaUntil,
  type Task,
  TaskInput,
  taskSummary,
  zonedTimeToUtc,
} from '../../functions/shared/workspace.ts';

const task = (over: Partial<Task>): Task => ({
  id: 't',
  leadId: 'l',
  type: 'call',
  dueAt: '2026-03-20T07:00:00.000Z',
  ownerId: 'omid',
  status: 'open',
  createdAt: '2026-03-19T16:00:00.000Z',
  createdBy: 'omid',
  ...over,
});

describe('a rep’s time', () => {
  it('reads a typed wall time in the rep’s zone, half hours and daylight saving included', () => {
    expect(zonedTimeToUtc('2026-03-20T10:30', 'Asia/Tehran')).toBe('2026-03-20T07:00:00.000Z');
    expect(zonedTimeToUtc('2026-03-20T10:30', 'Asia/Riyadh')).toBe('2026-03-20T07:30:00.000Z');
    // New York: winter is UTC−5, summer UTC−4.
    expect(zonedTimeToUtc('2026-01-15T09:00', 'America/New_York')).toBe('2026-01-15T14:00:00.000Z');
    expect(zonedTimeToUtc('2026-07-15T09:00', 'America/New_York')).toBe('2026-07-15T13:00:00.000Z');
    expect(zonedTimeToUtc('tomorrow', 'Asia/Tehran')).toBeUndefined();
  });

  it('ends "today" at midnight where the rep is, not in UTC', () => {
    const now = new Date('2026-03-19T22:00:00.000Z');
    // 01:30 on the 20th in Tehran already: today there ends at the next local midnight.
    expect(agendaUntil('today', now, 'Asia/Tehran')).toBe('2026-03-20T20:29:59.999Z');
    expect(agendaUntil('today', now, 'UTC')).toBe('2026-03-19T23:59:59.999Z');
    expect(agendaUntil('overdue', now, 'UTC')).toBe(now.toISOString());
  });
});

describe('tasks', () => {
  it('take a due time with its offset and keep it in UTC', () => {
    const input = TaskInput.parse({ type: 'call', dueAt: '2026-03-20T10:30:00+03:30', by: 'omid' });
    expect(input.dueAt).toBe('2026-03-20T07:00:00.000Z');
    expect(TaskInput.safeParse({ type: 'call', dueAt: '2026-03-20T10:30:00', by: 'omid' }).success).toBe(
      false,
    );
    expect(TaskInput.safeParse({ type: 'lunch', dueAt: '2026-03-20T10:30:00Z', by: 'omid' }).success).toBe(
      false,
    );
  });

  it('sum up as the open ones and the earliest due time', () => {
    expect(
      taskSummary([
        task({ id: 'a', dueAt: '2026-03-21T07:00:00.000Z' }),
        task({ id: 'b', dueAt: '2026-03-20T07:00:00.000Z' }),
        task({ id: 'c', dueAt: '2026-03-19T07:00:00.000Z', status: 'done' }),
      ]),
    ).toEqual({ openTasks: 2, nextTaskDueAt: '2026-03-20T07:00:00.000Z' });
    expect(taskSummary([task({ status: 'cancelled' })])).toEqual({ openTasks: 0 });
  });
});
