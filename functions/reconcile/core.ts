import type { FacebookConfig } from '../shared/config.ts';
import { leadIdFor } from '../shared/ids.ts';
import type { GraphLead, IntakeMessage } from '../shared/lead.ts';

/** Where a reconcile run starts looking: the lookback before now, unless a run asks for an earlier time. */
export function reconcileSince(now: Date, lookbackHours: number, requested?: Date): Date {
  return requested ?? new Date(now.getTime() - lookbackHours * 3600_000);
}

/**
 * The intake message for a lead found by reading a form: the same lead id a webhook would give it (so it is
 * dropped if the webhook did arrive), with the Graph lead inside so scoring need not fetch it again.
 */
export function intakeFromGraphLead(
  lead: GraphLead,
  formId: string,
  facebook: FacebookConfig,
  receivedAt: string,
): IntakeMessage {
  return {
    v: 1,
    leadId: leadIdFor('facebook', lead.id),
    source: 'facebook',
    formId,
    externalId: lead.id,
    receivedAt,
    contact: {},
    answers: {},
    attribution: { utm: {}, platformFormId: formId },
    request: {},
    locale: facebook.locale,
    ...(facebook.defaultCountry ? { defaultCountry: facebook.defaultCountry } : {}),
    test: false,
    meta: { leadgenId: lead.id, formId, lead },
    raw: JSON.stringify({ reconciled: true, lead }),
  };
}
