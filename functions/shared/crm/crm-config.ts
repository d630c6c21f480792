import { type Subscription, WEBHOOK_EVENTS } from '../webhooks.ts';
import * as z from '../zod.ts';

const OdooId = z.number().check(z.int(), z.positive());

/**
 * Odoo, the CRM every lead is pushed to: the instance, its database, the integration user's login and API key
 * (a secret: SSM in AWS), and how leadpipe's reps and statuses map to Odoo's users and stages.
 */
export const OdooConfig = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  db: z.string().check(z.minLength(1)),
  login: z.string().check(z.minLength(1)),
  apiKey: z.string().check(z.minLength(1)),
  /** leadpipe rep id → Odoo user id (`res.users`): the lead's salesperson in Odoo. */
  users: z._default(z.record(z.string(), OdooId), {}),
  /** leadpipe status → Odoo stage id (`crm.stage`); won and lost are Odoo's own actions. */
  stages: z._default(
    z.strictObject({
      new: z.optional(OdooId),
      unassigned: z.optional(OdooId),
      assigned: z.optional(OdooId),
      contacted: z.optional(OdooId),
      qualified: z.optional(OdooId),
    }),
    {},
  ),
  /** The sales team (`crm.team`) leads belong to. */
  teamId: z.optional(OdooId),
});
export type OdooConfig = z.infer<typeof OdooConfig>;

export const CrmConfig = z.strictObject({ odoo: z.optional(OdooConfig) });
export type CrmConfig = z.infer<typeof CrmConfig>;

/** The built-in subscriber that pushes every lead event to the CRM: its deliveries share the webhooks' outbox. */
export const CRM_SUBSCRIPTION_ID = 'crm-odoo';

/**
 * The CRM as the outbox sees it: a subscriber of every event that is never disabled. It signs nothing (Odoo
 * takes its API key), so its secret is only there to fill the shape.
 */
export function crmSubscription(odoo: OdooConfig): Subscription {
  return {
    id: CRM_SUBSCRIPTION_ID,
    url: odoo.url,
    events: [...WEBHOOK_EVENTS],
    secret: 'whsec_notUsedForTheCrmWhichAuthenticatesWithItsApiKey=',
    createdAt: new Date(0).toISOString(),
    createdBy: 'config',
    status: 'active',
  };
}
