import { kpiEvents } from '../shared/kpi.ts';
import type { Lead } from '../shared/lead.ts';
import type { KpiEntry } from '../shared/ports.ts';
import { scheduleTimers } from '../shared/timer-service.ts';
import { assignmentNotice, enrolment, slaTimers } from './core.ts';
import type { NurtureKit } from './deps.ts';

/** What subscribers hear of a change (the webhook fan-out). */
export type Publish = (before: Lead | undefined, after: Lead, now: Date) => Promise<void>;

export type LeadChange = (
  before: Lead | undefined,
  after: Lead,
  now: Date,
  kpis: KpiEntry[],
) => Promise<void>;

/**
 * Speed-to-lead and funnel aggregates: a batch's events counted in one write, each exactly once however often
 * its record comes (see DynamoKpiStore.recordAll).
 */
export function createKpiRecorder(kit: Pick<NurtureKit, 'kpis' | 'logger'>) {
  return async (entries: KpiEntry[]): Promise<void> => {
    if (entries.length === 0) return;
    for (const { leadId, event } of await kit.kpis.recordAll(entries)) {
      kit.logger.info('kpi recorded', { leadId, event: event.key });
      // The line CloudWatch metric filters turn into the SLA and speed-to-lead metrics of the dashboard.
      if (event.key === 'first-contact')
        kit.logger.info('first contact', {
          leadId,
          repId: event.dims.find((d) => d.type === 'rep')?.value,
          sla: event.adds.met ? 'met' : 'breached',
          minutes: event.adds.sumMinutes,
          businessMinutes: event.adds.sumBusinessMinutes,
        });
    }
  };
}

/**
 * What a lead change sets off: its KPI events (added to `kpis`, written once per batch), its webhooks, the
 * assignment message with its first-contact clock, and a new lead's nurture enrolment. Every effect is
 * idempotent (KPI markers, mail keys, timer ids), so a redelivered record or a replay does only what is missing.
 */
export function createLeadChange(kit: NurtureKit, publish: Publish): LeadChange {
  const { config, logger } = kit;

  /** The change's KPI events, for the batch to count. */
  async function collectKpis(before: Lead | undefined, after: Lead, kpis: KpiEntry[]): Promise<void> {
    const events = kpiEvents(before, after, config, undefined);
    if (events.length === 0) return;
    // The owner's working hours only matter to a first contact's business minutes.
    const owner =
      after.ownerId && events.some((e) => e.key === 'first-contact')
        ? await kit.repById(after.ownerId)
        : undefined;
    for (const event of owner ? kpiEvents(before, after, config, owner) : events)
      kpis.push({ leadId: after.id, event });
  }

  /** A lead that changed hands takes its open tasks along: the new owner's agenda, the new owner's reminders. */
  async function handOverTasks(before: Lead | undefined, after: Lead): Promise<void> {
    if (before?.ownerId === undefined || after.ownerId === undefined || before.ownerId === after.ownerId)
      return;
    if ((after.openTasks ?? 0) === 0) return;
    const moved = await kit.workspace.handOver(after.id, after.ownerId);
    if (moved > 0) logger.info('open tasks handed over', { leadId: after.id, repId: after.ownerId, moved });
  }

  return async (before, after, now, kpis) => {
    await collectKpis(before, after, kpis);
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
