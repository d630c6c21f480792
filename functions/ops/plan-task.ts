import { HttpError } from '../shared/errors.ts';
import { displayName, type Lead } from '../shared/lead.ts';
import { scheduleTimers } from '../shared/timer-service.ts';
import type { TaskReminderTimer } from '../shared/timers.ts';
import { type Task, type TaskInput, taskSummary } from '../shared/workspace.ts';
import type { OpsDeps } from './deps.ts';

/** One write wins each round of a race on one lead; enough rounds for a team planning on one lead at once. */
const TASK_WRITE_ATTEMPTS = 12;

/** The reminder of a task at its due time; its id names the due time, so a reschedule makes a new one. */
export function taskReminderTimer(task: Task): TaskReminderTimer {
  return {
    kind: 'task-reminder',
    id: `task#${task.leadId}#${task.id}#${task.dueAt}`,
    leadId: task.leadId,
    dueAt: task.dueAt,
    taskId: task.id,
    repId: task.ownerId,
  };
}

/** Planning and saving tasks: the workspace API and the assignment email's "call back later" share it. */
export function createTaskPlanner(
  deps: Pick<OpsDeps, 'leads' | 'workspace' | 'timers' | 'newId' | 'logger'>,
) {
  /**
   * Writes a task with the lead summary made from all its tasks, over the lead version it was made from; a
   * change by someone else meanwhile means reading again (a few times), a change to the task itself is a 409.
   */
  async function saveTask(lead: Lead, task: Task, expect: 'new' | Pick<Task, 'status' | 'dueAt'>) {
    let current = lead;
    for (let attempt = 1; attempt <= TASK_WRITE_ATTEMPTS; attempt++) {
      const { tasks } = await deps.workspace.timeline(current.id);
      const others = tasks.filter((t) => t.id !== task.id);
      const result = await deps.workspace.writeTask({
        task,
        expect: expect === 'new' ? 'new' : { status: expect.status, dueAt: expect.dueAt },
        summary: taskSummary([...others, task]),
        leadVersion: current.workspaceVersion,
      });
      if (result === 'saved') return;
      const stored = await deps.workspace.getTask(task.leadId, task.id);
      const unchanged =
        expect === 'new'
          ? stored === undefined
          : stored?.status === expect.status && stored.dueAt === expect.dueAt;
      if (!unchanged)
        throw new HttpError(409, 'task_changed', 'The task changed meanwhile; read it again and retry.');
      // Someone else changed the lead's tasks first: wait a little (jittered, so the racers spread), read again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      current = (await deps.leads.get(current.id)) ?? current;
    }
    throw new HttpError(409, 'lead_busy', 'The lead is changing right now; please retry.');
  }

  /** A new task for the lead's owner (or the rep planning it), its reminder scheduled before it is written. */
  async function planTask(
    lead: Lead,
    input: Pick<TaskInput, 'type' | 'dueAt' | 'note'>,
    by: string,
    now: Date,
    plannerRepId: string | undefined,
    /** A task id of its own (a form sent twice plans one task); by default a new one. */
    id: string = deps.newId(),
  ): Promise<Task> {
    const ownerId = lead.ownerId ?? plannerRepId;
    if (ownerId === undefined)
      throw new HttpError(
        409,
        'no_owner',
        'The lead has no owner yet: assign it first, then plan the next call.',
      );
    const name = displayName(lead.contact);
    const task: Task = {
      id,
      leadId: lead.id,
      type: input.type,
      dueAt: input.dueAt,
      ...(input.note ? { note: input.note } : {}),
      ownerId,
      ...(name ? { leadName: name } : {}),
      status: 'open',
      createdAt: now.toISOString(),
      createdBy: by,
    };
    // The reminder first: a task whose write then fails leaves a reminder that finds no task (moot), never a
    // task without its reminder.
    await scheduleTimers(deps.timers, [taskReminderTimer(task)], now);
    await saveTask(lead, task, 'new');
    deps.logger.info('task planned', { leadId: lead.id, taskId: task.id, type: task.type, ownerId });
    return task;
  }

  return { saveTask, planTask };
}
