import { leadIdFor } from './ids.ts';
import type { GraphLead, IntakeMessage, Locale } from './lead.ts';

/** What a lead's language and phone country default to: a source's settings (a form, Meta, Google). */
export type SourceDefaults = { locale: Locale; defaultCountry?: string | undefined };

/**
 * The intake message for a Meta lead read whole (by the reconcile job from a form, or from a lead download):
 * the same lead id a webhook would give it (so it is dropped if the webhook did arrive), with the Graph lead
 * inside so scoring need not fetch it again.
 */
export function intakeFromGraphLead(
  lead: GraphLead,
  formId: string,
  defaults: SourceDefaults,
  receivedAt: string,
  raw: string = JSON.stringify({ reconciled: true, lead }),
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
    locale: defaults.locale,
    ...(defaults.defaultCountry ? { defaultCountry: defaults.defaultCountry } : {}),
    test: false,
    meta: { leadgenId: lead.id, formId, lead },
    raw,
  };
}
