import { HttpError } from '../shared/errors.ts';
import { isClosed, type Lead } from '../shared/lead.ts';
import type { OpsDeps } from './deps.ts';
import { applyStatusEvent, type StatusEvent } from './status.ts';

export type ChangeStatus = (
  leadId: string,
  statusEvent: StatusEvent,
  now: Date,
) => Promise<{ lead: Lead; changed: boolean }>;

/**
 * Applies a status event, once: a repeated or concurrent click changes nothing more. Shared by the API's events
 * route and the rep's one-click links.
 */
export function createChangeStatus(
  deps: Pick<OpsDeps, 'config' | 'leads' | 'reps' | 'logger'>,
): ChangeStatus {
  return async (leadId, statusEvent, now) => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const lead = await deps.leads.get(leadId);
      if (lead === undefined) throw new HttpError(404, 'unknown_lead', `There is no lead "${leadId}".`);
      const update = applyStatusEvent(lead, statusEvent, now, deps.config);
      if (update === undefined) return { lead, changed: false };
      // A closed lead frees a place in its owner's capacity, in the transaction that closes it.
      const closes = isClosed(update.status) && lead.ownerId !== undefined;
      const owner = closes && lead.ownerId ? await deps.reps.get(lead.ownerId) : undefined;
      const release = owner?.capacity?.maxOpen !== undefined ? owner.id : undefined;
      if ((await deps.leads.recordStatus(lead.id, update, lead.status, release)) === 'conflict') continue;
      deps.logger.info('lead status changed', { leadId, from: lead.status, to: update.status });
      return { lead: (await deps.leads.get(lead.id)) ?? lead, changed: true };
    }
    throw new HttpError(409, 'status_changed', 'The lead changed meanwhile; read it again and retry.');
  };
}
