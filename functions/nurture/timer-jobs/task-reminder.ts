import { whatsappParam } from '../../shared/channels/whatsapp-text.ts';
import type { TaskReminderTimer } from '../../shared/timers.ts';
import type { NurtureKit } from '../deps.ts';
import { reachedDetail } from '../notify.ts';
import { shortText } from '../templates/short-text.ts';
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
    const text = shortText({
      kind: 'taskReminder',
      lead,
      locale: rep.locale,
      taskType: task.type,
      dueAt: task.dueAt,
      timeZone: rep.timezone,
    });
    const sent = await kit.notify({
      kind: 'taskReminder',
      key: `mail#${timer.id}`,
      emailKey: `mail#${timer.id}`,
      lead,
      to: { ref: `rep:${rep.id}`, email: rep.email, locale: rep.locale, channels: rep.channels },
      mail: () => ({
        to: rep.email,
        from: kit.from,
        ...renderTaskReminderEmail({ lead, task, rep, leadUrl: kit.leadUrl(lead.id) }),
        headers: { 'X-Leadpipe-Lead': lead.id },
        tags: { kind: 'task-reminder' },
      }),
      text,
      whatsapp: {
        body: [whatsappParam(text.title, 200), whatsappParam(text.lines[0] ?? '—', 200)],
        buttons: [],
      },
    });
    await kit.leads.recordFollowUp(lead.id, {
      id: timer.id,
      kind: 'task-reminder',
      at: now.toISOString(),
      repId: task.ownerId,
      detail:
        sent.reached === undefined
          ? (reachedDetail(sent).detail ?? 'reached on no channel')
          : `${task.type} ${task.id}${sent.reached === 'email' ? '' : ` by ${sent.reached}`}`,
    });
    return 'reminded';
  };
}
