import { kpiEvents } from '../shared/kpi.ts';
import type { Lead } from '../shared/lead.ts';
import { scheduleTimers } from '../shared/timer-service.ts';
import { assignmentNotice, enrolment, slaTimers } from './core.ts';
import type { NurtureKit } from './deps.ts';

export type LeadChange = (before: Lead | undefined, after: Lead, now: Date) => Promise<void>;

/**
 * What a lead change sets off: its KPI events, its webhooks, the assignment message with its first-contact
 * clock, and a new lead's nurture enrolment. Every effect is idempotent (KPI markers, mail keys, timer ids), so a redelivered
 * record or a replay does only what is missing.
 */
export function createLeadChange(kit: NurtureKit, publish: LeadChange): LeadChange {
  const { config, logger } = kit;

  /** Speed-to-lead and funnel aggregates, each event counted exactly once however often the record comes. */
  async function recordKpis(before: Lead | undefined, after: Lead): Promise<void> {
    const owner = after.ownerId ? await kit.repById(after.ownerId) : undefined;
    for (const event of kpiEvents(before, after, config, owner)) {
      const result = await kit.kpis.record(
        after.id,
        event.key,
        event.table,
        event.day,
        event.dims,
        event.adds,
      );
      if (result !== 'recorded') continue;
      logger.info('kpi recorded', { leadId: after.id, event: event.key });
      // The line CloudWatch metric filters turn into the SLA and speed-to-lead metrics of the dashboard.
      if (event.key === 'first-contact')
        logger.info('first contact', {
          leadId: after.id,
          repId: after.ownerId,
          sla: event.adds.met ? 'met' : 'breached',
          minutes: event.adds.sumMinutes,
          businessMinutes: event.adds.sumBusinessMinutes,
        });
    }
  }

  /** A lead that changed hands takes its open tasks along: the new owner's agenda, the new owner's reminders. */
  async function handOverTasks(before: Lead | undefined, after: Lead): Promise<void> {
    if (before?.ownerId === undefined || after.ownerId === undefined || before.ownerId === after.ownerId)
      return;
    if ((after.openTasks ?? 0) === 0) return;
    const moved = await kit.workspace.handOver(after.id, after.ownerId);
    if (moved > 0) logger.info('open tasks handed over', { leadId: after.id, repId: after.ownerId, moved });
  }

  return async (before, after, now) => {
    await recordKpis(before, after);
    // Subscribers hear of the change: queued per lead, delivered in order by the webhook timers.
    await publish(before, after, now);
    await handOverTasks(before, after);
    const notice = assignmentNotice(before, after);
    if (notice) {
      // The clock first: a failing mail must not leave an assignment without its deadline.
      await scheduleTimers(kit.timers, slaTimers(after), now);
      await kit.notifyRep(notice.key, after, notice.repId, 'assignment');
      await kit.tellTeam('assignment', notice.key, after, notice.repId);
    }
    if (before !== undefined) return;
    const enrolled = enrolment(after, config);
    if (enrolled.enrolled) {
      await scheduleTimers(kit.timers, [enrolled.timer], now);
      logger.info('lead enrolled in a nurture sequence', {
        leadId: after.id,
        sequenceId: enrolled.sequence.id,
      });
    } else if (!after.test)
      logger.info('lead not enrolled in nurture', { leadId: after.id, why: enrolled.why });
  };
}
