import type { LeadStatus } from '../lead.ts';
import type { leadSnapshot, WebhookEventType } from '../webhooks.ts';
import * as z from '../zod.ts';
import { type OdooClient, OdooError } from './odoo.ts';

export type CrmLead = ReturnType<typeof leadSnapshot>;

/** Odoo's `load` answer: the records' ids, or false and what was wrong with the row. */
const LoadAnswer = z.object({
  ids: z.union([z.array(z.number()), z.literal(false)]),
  messages: z._default(z.array(z.object({ type: z.string(), message: z.string() })), []),
});

/** The external id of a lead's `crm.lead`: leadpipe's lead id, in the `leadpipe` module's namespace. */
export function externalIdOf(leadId: string): string {
  return `leadpipe.lead_${leadId.replace(/-/g, '_')}`;
}

/**
 * Each lead as a `crm.lead` in Odoo, kept as leadpipe sees it: created the first time, updated after (never a
 * second record), with its owner mapped to the Odoo user and its stage; won and lost as Odoo marks them.
 *
 * The upsert is `load` with an external id (`leadpipe.lead_<id>`), the call Odoo's own imports make: one call that
 * creates the record and its external id together or updates the record the id names, so a retry, a replay or two
 * deliveries at once never make a duplicate (no search-then-create race).
 */
export class OdooLeadSync {
  constructor(
    private readonly client: OdooClient,
    private readonly mapping: {
      /** leadpipe rep id → Odoo `res.users` id. */
      users: Record<string, number>;
      /** leadpipe status → Odoo `crm.stage` id (statuses not named keep the lead's stage). */
      stages: Partial<Record<LeadStatus, number>>;
      /** The sales team (`crm.team`) new leads go to. */
      teamId?: number;
    },
  ) {}

  async push(type: WebhookEventType, lead: CrmLead): Promise<number> {
    const owner = lead.ownerId === undefined ? undefined : this.mapping.users[lead.ownerId];
    const stage = this.mapping.stages[lead.status as LeadStatus];
    const columns: [string, string][] = [
      ['id', externalIdOf(lead.id)],
      ['name', `${lead.name ?? lead.email ?? lead.phone ?? 'Lead'} (${lead.source})`],
      ['contact_name', lead.name ?? ''],
      ['email_from', lead.email ?? ''],
      ['phone', lead.phone ?? ''],
      ['partner_name', lead.company ?? ''],
      ...(owner !== undefined ? ([['user_id/.id', String(owner)]] as [string, string][]) : []),
      ...(stage !== undefined ? ([['stage_id/.id', String(stage)]] as [string, string][]) : []),
      ...(this.mapping.teamId !== undefined
        ? ([['team_id/.id', String(this.mapping.teamId)]] as [string, string][])
        : []),
      ...(lead.dealValue ? ([['expected_revenue', lead.dealValue.amount]] as [string, string][]) : []),
    ];
    const answer = LoadAnswer.safeParse(
      await this.client.call('crm.lead', 'load', [columns.map(([f]) => f), [columns.map(([, v]) => v)]]),
    );
    if (!answer.success) throw new OdooError('Odoo answered load with an unexpected shape', 'http', true);
    const id = answer.data.ids === false ? undefined : answer.data.ids[0];
    if (id === undefined)
      throw new OdooError(
        `Odoo refused the lead: ${answer.data.messages.map((m) => m.message).join('; ') || 'no reason given'}`.slice(
          0,
          300,
        ),
        'odoo.exceptions.ValidationError',
        false,
      );
    // Won and lost are Odoo's own actions (probability, the lost flag), not a stage to write.
    if (type === 'lead.won') await this.client.call('crm.lead', 'action_set_won', [[id]]);
    if (type === 'lead.lost') await this.client.call('crm.lead', 'action_set_lost', [[id]]);
    return id;
  }
}
