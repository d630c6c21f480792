import { scheduleTimers } from '../../shared/timer-service.ts';
import type { SlaReminderTimer } from '../../shared/timers.ts';
import { slaEscalationTimer, slaTimerMoot } from '../core.ts';
import type { NurtureKit } from '../deps.ts';
import { reachedDetail } from '../notify.ts';
import type { TimerJob } from './registry.ts';

/**
 * The rep has not made contact by the SLA's due time: the assignment mail again, as a reminder, and the
 * escalation's clock starts (before the mail, so a failing mail cannot leave the lead without it).
 */
export function slaReminderJob(kit: NurtureKit): TimerJob<SlaReminderTimer> {
  return async (timer, lead, now) => {
    const moot = slaTimerMoot(lead, timer);
    if (moot) return `moot: ${moot}`;
    const escalation = slaEscalationTimer(lead, timer);
    if (escalation) await scheduleTimers(kit.timers, [escalation], now);
    const sent = await kit.notifyRep(`mail#${timer.id}`, lead, timer.repId, 'reminder');
    await kit.leads.recordFollowUp(lead.id, {
      id: timer.id,
      kind: 'sla-reminder',
      at: now.toISOString(),
      repId: timer.repId,
      ...reachedDetail(sent),
    });
    return 'reminded';
  };
}
