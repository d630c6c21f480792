import type { TaskReminderTimer } from '../../shared/timers.ts';
import type { NurtureKit } from '../deps.ts';
import { renderTaskReminderEmail } from '../templates/task-reminder.ts';
import type { TimerJob } from './registry.ts';

/**
 * A planned call (meeting, email) falls due: its owner is mailed once, in their language and zone, while the
 * task is open and still due then (a reschedule made a timer of its own; this one is moot).
 */
export function taskReminderJob(kit: NurtureKit): TimerJob<TaskReminderTimer> {
  return async (timer, lead, now) => {
    const task = await kit.workspace.getTask(lead.id, timer.taskId);
    if (task === undefined) return 'moot: task not found';
    if (task.status !== 'open') return `moot: task ${task.status}`;
    if (task.dueAt !== timer.dueAt) return 'moot: task rescheduled';
    const rep = await kit.repById(task.ownerId);
    if (rep === undefined) return `moot: unknown rep ${task.ownerId}`;
    const mail = renderTaskReminderEmail({ lead, task, rep, leadUrl: kit.leadUrl(lead.id) });
    const sent = await kit.sendOnce({
      key: `mail#${timer.id}`,
      mail: {
        to: rep.email,
        from: kit.from,
        ...mail,
        headers: { 'X-Leadpipe-Lead': lead.id },
        tags: { kind: 'task-reminder' },
      },
    });
    await kit.leads.recordFollowUp(lead.id, {
      id: timer.id,
      kind: 'task-reminder',
      at: now.toISOString(),
      repId: task.ownerId,
      detail: 'suppressed' in sent ? `not mailed: rep address ${sent.suppressed}` : `${task.type} ${task.id}`,
    });
    return 'reminded';
  };
}
