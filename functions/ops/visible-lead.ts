import { HttpError } from '../shared/errors.ts';
import type { Lead } from '../shared/lead.ts';
import type { Viewer } from './core.ts';
import type { OpsDeps } from './deps.ts';

export type VisibleLead = (leadId: string, viewer: Viewer) => Promise<Lead>;

/** A lead the viewer may see: a rep asking for another rep's lead hears it does not exist. */
export function createVisibleLead(deps: Pick<OpsDeps, 'leads'>): VisibleLead {
  return async (leadId, viewer) => {
    const lead = await deps.leads.get(leadId);
    if (lead === undefined || (viewer.role === 'rep' && lead.ownerId !== viewer.repId))
      throw new HttpError(404, 'unknown_lead', `There is no lead "${leadId}".`);
    return lead;
  };
}
