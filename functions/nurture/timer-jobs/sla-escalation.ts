import { whatsappParam } from '../../shared/channels/whatsapp-text.ts';
import { displayName } from '../../shared/lead.ts';
import { slaPolicyFor } from '../../shared/sla.ts';
import type { SlaEscalationTimer } from '../../shared/timers.ts';
import { slaTimerMoot } from '../core.ts';
import type { NurtureKit } from '../deps.ts';
import { renderEscalationEmail } from '../templates/escalation.ts';
import { shortText } from '../templates/short-text.ts';
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
    const minutes = (Date.parse(timer.dueAt) - Date.parse(timer.assignmentAt)) / 60_000;
    const rep = await kit.repById(timer.repId);
    const repName = rep?.name ?? timer.repId;
    if (policy.escalation.notifyManager && pool?.manager) {
      const manager = pool.manager;
      const sent = await kit.notify({
        kind: 'escalation',
        key: `mail#${timer.id}`,
        emailKey: `mail#${timer.id}`,
        lead,
        to: {
          ref: `manager:${pool.id}`,
          email: manager.email,
          locale: manager.locale,
          channels: manager.channels,
        },
        mail: () => ({
          to: manager.email,
          from: kit.from,
          ...renderEscalationEmail({
            lead,
            repName,
            manager,
            timeZone: rep?.timezone ?? 'UTC',
            minutes,
            reassigning: reassign,
            leadUrl: kit.leadUrl(lead.id),
          }),
          headers: { 'X-Leadpipe-Lead': lead.id },
          tags: { kind: 'escalation' },
        }),
        text: shortText({ kind: 'escalation', lead, locale: manager.locale, repName, minutes }),
        whatsapp: {
          body: [
            whatsappParam(displayName(lead.contact) ?? '—'),
            whatsappParam(repName, 60),
            whatsappParam(String(Math.round(minutes)), 12),
          ],
          buttons: [],
        },
      });
      done.push(
        sent.reached === undefined
          ? `manager not reached (${sent.suppressed ?? 'no channel'})`
          : sent.reached === 'email'
            ? 'manager notified'
            : `manager notified by ${sent.reached}`,
      );
    }
    await kit.tellTeam('escalation', `escalation#${timer.id}`, lead, timer.repId, minutes);
    if (reassign) {
      await kit.routingQueue.send({
        v: 1,
        leadId: lead.id,
        escalate: { fromRepId: timer.repId, assignmentAt: timer.assignmentAt, reason: 'missed-sla' },
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
