import { HttpError } from '../../shared/errors.ts';
import { jsonResponse } from '../../shared/http.ts';
import { isClosed } from '../../shared/lead.ts';
import { LeadListQuery, type LeadSummary, matches, summarise } from '../../shared/lead-list.ts';
import type { ValuePatch } from '../../shared/ports.ts';
import { nameMatches, parseSearch, searchCountries } from '../../shared/search.ts';
import { withSla } from '../../shared/sla.ts';
import {
  listRange,
  manualAssignment,
  parseBody,
  parseQuery,
  ReassignInput,
  requireManager,
  ValueInput,
} from '../core.ts';
import type { OpsDeps, OpsRoutes } from '../deps.ts';
import type { ChangeStatus } from '../lead-status.ts';
import { readMoney, StatusEvent } from '../status.ts';
import { createVisibleLead } from '../visible-lead.ts';

type LeadRouteKey =
  | 'GET /v1/leads'
  | 'GET /v1/leads/{leadId}'
  | 'POST /v1/leads/{leadId}/assign'
  | 'POST /v1/leads/{leadId}/events'
  | 'PATCH /v1/leads/{leadId}';

/** The leads: the list, one lead, a move by hand, and status events. A rep sees and acts on their own only. */
export function leadRoutes(
  deps: Pick<OpsDeps, 'config' | 'leads' | 'lister' | 'reps' | 'workspace' | 'search' | 'logger'>,
  changeStatus: ChangeStatus,
): OpsRoutes<LeadRouteKey> {
  const { config, logger } = deps;

  async function repOr404(id: string) {
    const rep = await deps.reps.get(id);
    if (rep === undefined) throw new HttpError(404, 'unknown_rep', `There is no rep "${id}".`);
    return rep;
  }

  const visibleLead = createVisibleLead(deps);

  /**
   * A search: exact identities (the email, each reading of the number) first, then names whose tokens start
   * with every typed token, newest first; the list's filters and a rep's scope apply. Read by key, never a scan.
   */
  async function search(q: string, query: LeadListQuery): Promise<LeadSummary[]> {
    const terms = parseSearch(q, searchCountries(config));
    if (terms.emails.length + terms.phones.length + terms.names.length === 0)
      throw new HttpError(400, 'validation_failed', 'Search by an email, a phone number or a name.', [
        { path: 'q', message: 'an email, a phone number, or at least two letters of a name' },
      ]);
    const { exact, byName } = await deps.search.lookup(terms);
    const exactIds = new Set(exact);
    const listed = await deps.lister.read([...exact, ...byName.filter((id) => !exactIds.has(id))]);
    const named = listed
      .filter((l) => !exactIds.has(l.id) && nameMatches(l, terms.names))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return [...listed.filter((l) => exactIds.has(l.id)), ...named]
      .map(summarise)
      .filter((s) => matches(s, query))
      .slice(0, query.limit);
  }

  return {
    'GET /v1/leads': async ({ event, now, viewer }) => {
      const query = parseQuery(LeadListQuery, event.queryStringParameters);
      const scoped = viewer.role === 'rep' ? { ...query, ownerId: viewer.repId } : query;
      if (scoped.q !== undefined)
        return jsonResponse(200, { q: scoped.q, leads: await search(scoped.q, scoped) });
      const range = listRange(query, now);
      return jsonResponse(200, { ...range, ...(await deps.lister.list(scoped, range)) });
    },
    'GET /v1/leads/{leadId}': async ({ leadId, viewer }) => {
      const lead = await visibleLead(leadId, viewer);
      // Its workspace beside it, for the timeline: the notes (oldest first), the tasks, and the messages that
      // told the rep, the manager and the team (which channel reached whom).
      const { notes, tasks, messages } = await deps.workspace.timeline(leadId);
      return jsonResponse(200, { lead, notes, tasks, messages });
    },
    'POST /v1/leads/{leadId}/assign': async ({ event, now, leadId, viewer }) => {
      requireManager(viewer, 'move a lead to another rep');
      const input = parseBody(ReassignInput, event.body);
      const lead = await deps.leads.get(leadId);
      if (lead === undefined) throw new HttpError(404, 'unknown_lead', `There is no lead "${leadId}".`);
      const rep = await repOr404(input.repId);
      if (isClosed(lead.status))
        throw new HttpError(
          409,
          'lead_closed',
          `The lead is ${lead.status}: a closed lead is not moved (its owner would be mailed a "new" lead and a clock started).`,
        );
      if (lead.ownerId === rep.id) return jsonResponse(200, { lead, moved: false });
      // A manual move starts a new first-contact clock for the new owner; capacity follows the lead in the
      // same transaction (a manager may move a lead to a full rep on purpose: no limit on `take`).
      const assignment = withSla(manualAssignment(lead, input, now), config, lead, rep);
      const previous = lead.ownerId ? await deps.reps.get(lead.ownerId) : undefined;
      const moved = await deps.leads.reassign(lead.id, assignment, lead, {
        ...(previous?.capacity?.maxOpen !== undefined ? { release: previous.id } : {}),
        ...(rep.capacity?.maxOpen !== undefined
          ? { take: { repId: rep.id, maxOpen: Number.MAX_SAFE_INTEGER } }
          : {}),
      });
      if (moved !== 'moved')
        throw new HttpError(
          409,
          'owner_changed',
          'The lead changed owner or closed meanwhile; read it again and retry.',
        );
      if (lead.waitingPool) await deps.leads.leaveWaiting(lead.id, lead.waitingPool);
      logger.info('lead moved by hand', { leadId, from: lead.ownerId, to: rep.id });
      return jsonResponse(200, { lead: await deps.leads.get(lead.id), moved: true });
    },
    'POST /v1/leads/{leadId}/events': async ({ event, now, leadId, viewer }) => {
      const input = parseBody(StatusEvent, event.body);
      // A rep may act only on their own lead (one more read; a manager's request costs what it did).
      if (viewer.role === 'rep') await visibleLead(leadId, viewer);
      // A signed-in rep acts as themself, whatever the body says.
      const statusEvent = viewer.role === 'rep' ? { ...input, by: viewer.repId } : input;
      const { lead, changed } = await changeStatus(leadId, statusEvent, now);
      return jsonResponse(200, { lead, changed });
    },
    'PATCH /v1/leads/{leadId}': async ({ event, now, leadId, viewer }) => {
      const input = parseBody(ValueInput, event.body);
      const day = now.toISOString().slice(0, 10);
      const patch: ValuePatch = {
        ...(input.expectedValue === undefined
          ? {}
          : {
              expectedValue:
                input.expectedValue === null
                  ? null
                  : readMoney(input.expectedValue, config.money, day, 'expectedValue.amount'),
            }),
        ...(input.expectedCloseDate === undefined ? {} : { expectedCloseDate: input.expectedCloseDate }),
      };
      for (let attempt = 1; attempt <= 3; attempt++) {
        const lead = await visibleLead(leadId, viewer);
        const result = await deps.leads.setValues(lead.id, patch, lead.valueVersion);
        if (result === 'closed')
          throw new HttpError(
            409,
            'lead_closed',
            `The lead is ${lead.status}: its value is what it was when it closed (a won deal's value comes with won).`,
          );
        if (result === 'saved') {
          logger.info('lead values set', { leadId, fields: Object.keys(patch) });
          return jsonResponse(200, { lead: await deps.leads.get(lead.id) });
        }
      }
      throw new HttpError(409, 'lead_changed', 'The lead changed meanwhile; read it again and retry.');
    },
  };
}
