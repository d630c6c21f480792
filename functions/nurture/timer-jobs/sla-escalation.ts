import { slaPolicyFor } from '../../shared/sla.ts';
import type { SlaEscalationTimer } from '../../shared/timers.ts';
import { slaTimerMoot } from '../core.ts';
import type { NurtureKit } from '../deps.ts';
import { renderEscalationEmail } from '../templates/escalation.ts';
import type { TimerJob } from './registry.ts';

/**
 * Still no contact at the escalation time: the pool's manager is told and, when the policy says so and the lead
 * has not been passed on too often, routing hands it to the next rep.
 */
export function slaEscalationJob(kit: NurtureKit): TimerJob<SlaEscalationTimer> {
  const { config } = kit;
  return async (timer, lead, now) => {
    const moot = slaTimerMoot(lead, timer);
    if (moot) return `moot: ${moot}`;
    const policy = slaPolicyFor(config, lead, lead.assignment?.poolId);
    const pool = config.routing.pools.find((p) => p.id === lead.assignment?.poolId);
    const passedOn = [...lead.history, lead.assignment].filter((a) => a?.rule === 'escalation').length;
    const reassign = policy.escalation.reassign && passedOn < policy.escalation.maxReassignments;
    const done: string[] = [];
    if (policy.escalation.notifyManager && pool?.manager) {
      const rep = await kit.repById(timer.repId);
      const mail = renderEscalationEmail({
        lead,
        repName: rep?.name ?? timer.repId,
        manager: pool.manager,
        timeZone: rep?.timezone ?? 'UTC',
        minutes: (Date.parse(timer.dueAt) - Date.parse(timer.assignmentAt)) / 60_000,
        reassigning: reassign,
        leadUrl: kit.leadUrl(lead.id),
      });
      const sent = await kit.sendOnce({
        key: `mail#${timer.id}`,
        mail: {
          to: pool.manager.email,
          from: kit.from,
          ...mail,
          headers: { 'X-Leadpipe-Lead': lead.id },
          tags: { kind: 'escalation' },
        },
      });
      done.push('suppressed' in sent ? `manager not mailed (${sent.suppressed})` : 'manager notified');
    }
    if (reassign) {
      await kit.routingQueue.send({
        v: 1,
        leadId: lead.id,
        escalate: { fromRepId: timer.repId, assignmentAt: timer.assignmentAt },
      });
      done.push('passed to the next rep');
    }
    await kit.leads.recordFollowUp(lead.id, {
      id: timer.id,
      kind: 'sla-escalation',
      at: now.toISOString(),
      repId: timer.repId,
      detail: done.join('; ') || 'recorded (no escalation configured)',
    });
    return done.join('; ') || 'recorded';
  };
}
