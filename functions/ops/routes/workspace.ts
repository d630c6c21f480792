import { HttpError } from '../../shared/errors.ts';
import { jsonResponse } from '../../shared/http.ts';
import { scheduleTimers } from '../../shared/timer-service.ts';
import {
  AgendaQuery,
  agendaUntil,
  LAST_NOTE_CHARS,
  NoteInput,
  RescheduleInput,
  type Task,
  TaskActionInput,
  TaskInput,
} from '../../shared/workspace.ts';
import { parseBody, parseQuery, type Viewer } from '../core.ts';
import type { OpsDeps, OpsRoutes } from '../deps.ts';
import { createTaskPlanner, taskReminderTimer } from '../plan-task.ts';
import { createVisibleLead } from '../visible-lead.ts';

type WorkspaceRouteKey =
  | 'POST /v1/leads/{leadId}/notes'
  | 'POST /v1/leads/{leadId}/tasks'
  | 'POST /v1/leads/{leadId}/tasks/{taskId}/done'
  | 'POST /v1/leads/{leadId}/tasks/{taskId}/cancel'
  | 'POST /v1/leads/{leadId}/tasks/{taskId}/reschedule'
  | 'GET /v1/tasks';

/**
 * The rep's workspace on a lead: notes of what was said, and planned calls (meetings, emails) with a reminder at
 * the due time; and a rep's agenda. A rep writes on their own leads only, as themself.
 */
export function workspaceRoutes(
  deps: Pick<OpsDeps, 'config' | 'leads' | 'reps' | 'workspace' | 'timers' | 'newId' | 'logger'>,
): OpsRoutes<WorkspaceRouteKey> {
  const { logger } = deps;
  const visibleLead = createVisibleLead(deps);
  /** Who did it: a signed-in rep is themself, whatever the body says. */
  const actor = (viewer: Viewer, by: string) => (viewer.role === 'rep' ? viewer.repId : by);

  const { saveTask, planTask } = createTaskPlanner(deps);

  async function taskOr404(leadId: string, taskId: string): Promise<Task> {
    const task = await deps.workspace.getTask(leadId, taskId);
    if (task === undefined)
      throw new HttpError(404, 'unknown_task', `There is no task "${taskId}" on this lead.`);
    return task;
  }

  /** Done or cancelled: once (a second click changes nothing), never a task already closed the other way. */
  async function closeTask(
    status: 'done' | 'cancelled',
    request: Parameters<OpsRoutes<'GET /v1/tasks'>['GET /v1/tasks']>[0],
  ) {
    const { event, now, leadId, taskId, viewer } = request;
    const { by } = parseBody(TaskActionInput, event.body);
    const lead = await visibleLead(leadId, viewer);
    const task = await taskOr404(leadId, taskId);
    if (task.status === status) return jsonResponse(200, { task, changed: false });
    if (task.status !== 'open')
      throw new HttpError(409, 'task_closed', `The task is ${task.status}: it cannot be marked ${status}.`);
    const closed: Task = { ...task, status, closedAt: now.toISOString(), closedBy: actor(viewer, by) };
    await saveTask(lead, closed, task);
    logger.info('task closed', { leadId, taskId, status });
    return jsonResponse(200, { task: closed, changed: true });
  }

  return {
    'POST /v1/leads/{leadId}/notes': async ({ event, now, leadId, viewer }) => {
      const input = parseBody(NoteInput, event.body);
      await visibleLead(leadId, viewer);
      const note = {
        id: deps.newId(),
        leadId,
        text: input.text,
        by: actor(viewer, input.by),
        at: now.toISOString(),
      };
      const summary = { at: note.at, by: note.by, text: [...note.text].slice(0, LAST_NOTE_CHARS).join('') };
      if ((await deps.workspace.addNote(note, summary)) === 'no-lead')
        throw new HttpError(404, 'unknown_lead', `There is no lead "${leadId}".`);
      // The id only: a note's words are personal data, never logged.
      logger.info('note added', { leadId, noteId: note.id });
      return jsonResponse(201, { note });
    },
    'POST /v1/leads/{leadId}/tasks': async ({ event, now, leadId, viewer }) => {
      const input = parseBody(TaskInput, event.body);
      const lead = await visibleLead(leadId, viewer);
      const task = await planTask(
        lead,
        input,
        actor(viewer, input.by),
        now,
        viewer.role === 'rep' ? viewer.repId : undefined,
      );
      return jsonResponse(201, { task });
    },
    'POST /v1/leads/{leadId}/tasks/{taskId}/done': (request) => closeTask('done', request),
    'POST /v1/leads/{leadId}/tasks/{taskId}/cancel': (request) => closeTask('cancelled', request),
    'POST /v1/leads/{leadId}/tasks/{taskId}/reschedule': async ({ event, now, leadId, taskId, viewer }) => {
      const input = parseBody(RescheduleInput, event.body);
      const lead = await visibleLead(leadId, viewer);
      const task = await taskOr404(leadId, taskId);
      if (task.status !== 'open')
        throw new HttpError(
          409,
          'task_closed',
          `The task is ${task.status}: only an open task is rescheduled.`,
        );
      if (task.dueAt === input.dueAt) return jsonResponse(200, { task, changed: false });
      const moved: Task = { ...task, dueAt: input.dueAt };
      await scheduleTimers(deps.timers, [taskReminderTimer(moved)], now);
      await saveTask(lead, moved, task);
      logger.info('task rescheduled', { leadId, taskId });
      return jsonResponse(200, { task: moved, changed: true });
    },
    'GET /v1/tasks': async ({ event, now, viewer }) => {
      const query = parseQuery(AgendaQuery, event.queryStringParameters);
      const ownerId = viewer.role === 'rep' ? viewer.repId : query.ownerId;
      if (ownerId === undefined)
        throw new HttpError(400, 'validation_failed', 'Name the rep whose agenda to show: ?ownerId=sara', [
          { path: 'ownerId', message: 'required for a manager' },
        ]);
      const rep = await deps.reps.get(ownerId);
      const until = agendaUntil(query.due, now, rep?.timezone ?? 'UTC');
      const tasks = (await deps.workspace.agenda(ownerId, until))
        .filter((t) => query.due !== 'overdue' || t.dueAt < now.toISOString())
        .map((t) => ({ ...t, overdue: t.dueAt < now.toISOString() }));
      return jsonResponse(200, { ownerId, due: query.due, until, tasks });
    },
  };
}
