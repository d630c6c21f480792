import { kpiEvents } from '../shared/kpi.ts';
import type { Lead } from '../shared/lead.ts';
import type { KpiEntry, ShardKpiEntry } from '../shared/ports.ts';
import { scheduleTimers } from '../shared/timer-service.ts';
import { assignmentNotice, enrolment, slaTimers } from './core.ts';
import type { NurtureKit } from './deps.ts';

/** What subscribers hear of a change (the webhook fan-out). */
export type Publish = (before: Lead | undefined, after: Lead, now: Date) => Promise<void>;

export type LeadChange = (before: Lead | undefined, after: Lead, now: Date) => Promise<void>;

/** A lead change's KPI events, read before its effects so a failed send does not hold its counts back. */
export type KpiCollector = (before: Lead | undefined, after: Lead) => Promise<KpiEntry[]>;

export function createKpiCollector(kit: Pick<NurtureKit, 'config' | 'repById'>): KpiCollector {
  return async (before, after) => {
    const events = kpiEvents(before, after, kit.config, undefined);
    if (events.length === 0) return [];
    // The owner's working hours only matter to a first contact's business minutes.
    const owner =
      after.ownerId && events.some((e) => e.key === 'first-contact')
        ? await kit.repById(after.ownerId)
        : undefined;
    return (owner ? kpiEvents(before, after, kit.config, owner) : events).map((event) => ({
      leadId: after.id,
      event,
    }));
  };
}

/** Where a batch's KPI events came from: a stream shard (counted by its position) or nowhere known. */
export type KpiBatch = { entries: KpiEntry[] } | { shardId: string; entries: ShardKpiEntry[] };
export type KpiRecorder = (batch: KpiBatch) => Promise<void>;

/**
 * Speed-to-lead and funnel aggregates: a batch's events counted in one write, each exactly once however often
 * its record comes. By the shard's position when the batch says which shard it read (the stack's mapping has a
 * tumbling window for that), else by a marker per event (DynamoKpiStore).
 */
export function createKpiRecorder(kit: Pick<NurtureKit, 'kpis' | 'logger' | 'now'>): KpiRecorder {
  return async (batch) => {
    if (batch.entries.length === 0) return;
    const counted =
      'shardId' in batch
        ? await kit.kpis.recordFromShard(batch.shardId, batch.entries, Math.floor(kit.now().getTime() / 1000))
        : await kit.kpis.recordAll(batch.entries);
    for (const { leadId, event } of counted) {
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
 * What a lead change sets off: its webhooks, the assignment message with its first-contact clock, and a new
 * lead's nurture enrolment (its KPI events are the collector's). Every effect is idempotent (mail keys, timer
 * ids), so a redelivered record or a replay does only what is missing.
 */
export function createLeadChange(kit: NurtureKit, publish: Publish): LeadChange {
  const { config, logger } = kit;

  /** A lead that changed hands takes its open tasks along: the new owner's agenda, the new owner's reminders. */
  async function handOverTasks(before: Lead | undefined, after: Lead): Promise<void> {
    if (before?.ownerId === undefined || after.ownerId === undefined || before.ownerId === after.ownerId)
      return;
    if ((after.openTasks ?? 0) === 0) return;
    const moved = await kit.workspace.handOver(after.id, after.ownerId);
    if (moved > 0) logger.info('open tasks handed over', { leadId: after.id, repId: after.ownerId, moved });
  }

  return async (before, after, now) => {
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
