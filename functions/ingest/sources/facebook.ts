import { stringify } from 'lossless-json';
import { isoTime } from '../../shared/answers.ts';
import type { FacebookConfig } from '../../shared/config.ts';
import { HttpError, issuesFromZod } from '../../shared/errors.ts';
import { leadIdFor } from '../../shared/ids.ts';
import { parseJsonLossless } from '../../shared/json.ts';
import type { IntakeMessage, MetaNotice } from '../../shared/lead.ts';
import * as z from '../../shared/zod.ts';

const Id = z.pipe(
  z.union([
    z.string().check(z.regex(/^\d+$/, 'must be a numeric id')),
    z.number().check(z.int(), z.nonnegative()),
  ]),
  z.transform(String),
);

const LeadgenValue = z.object({
  leadgen_id: Id,
  page_id: Id,
  form_id: Id,
  ad_id: z.optional(Id),
  adgroup_id: z.optional(Id),
  created_time: z.optional(z.number().check(z.int())),
});

const MetaWebhook = z.object({
  object: z.string(),
  entry: z.array(
    z.object({
      id: Id,
      time: z.optional(z.number()),
      changes: z._default(z.array(z.object({ field: z.string(), value: z.unknown() })), []),
    }),
  ),
});

export type MetaLeadChange = MetaNotice & { raw: string };

/**
 * Every lead in a webhook, once each: Meta batches changes across entries and may repeat a leadgen_id.
 * Changes other than `leadgen` are ignored.
 */
export function parseMetaWebhook(text: string): MetaLeadChange[] {
  let json: unknown;
  try {
    json = parseJsonLossless(text);
  } catch (error) {
    throw new HttpError(400, 'malformed_json', `The body is not valid JSON: ${(error as Error).message}.`);
  }
  const webhook = MetaWebhook.safeParse(json);
  if (!webhook.success)
    throw new HttpError(
      400,
      'invalid_webhook',
      'This is not a Meta webhook payload.',
      issuesFromZod(webhook.error),
    );
  const leads = new Map<string, MetaLeadChange>();
  webhook.data.entry.forEach((entry, i) => {
    entry.changes.forEach((change, j) => {
      if (change.field !== 'leadgen') return;
      const value = LeadgenValue.safeParse(change.value);
      if (!value.success) {
        const issues = issuesFromZod(value.error).map((issue) => ({
          ...issue,
          path: `entry[${i}].changes[${j}].value.${issue.path}`,
        }));
        throw new HttpError(400, 'invalid_webhook', 'A leadgen change is missing its ids.', issues);
      }
      const v = value.data;
      if (leads.has(v.leadgen_id)) return;
      // Organic and test leads carry ad_id 0. `adgroup_id` is the legacy name of the ad (an ad group was Meta's
      // old word for an ad), not of the ad set: it is the ad id when ad_id is absent.
      const adgroupId = v.adgroup_id && v.adgroup_id !== '0' ? v.adgroup_id : undefined;
      const adId = v.ad_id && v.ad_id !== '0' ? v.ad_id : adgroupId;
      leads.set(v.leadgen_id, {
        leadgenId: v.leadgen_id,
        pageId: v.page_id,
        formId: v.form_id,
        ...(adId ? { adId } : {}),
        ...(adgroupId ? { adgroupId } : {}),
        ...(v.created_time !== undefined ? { createdTime: v.created_time } : {}),
        raw: stringify({ object: webhook.data.object, entry: [{ id: entry.id, changes: [change] }] }) ?? '',
      });
    });
  });
  return [...leads.values()];
}

/** The intake message for one Meta lead; its id is derived from the leadgen_id, so duplicates collapse. */
export function metaIntakeMessage(
  change: MetaLeadChange,
  facebook: FacebookConfig,
  receivedAt: string,
): IntakeMessage {
  const { raw, ...notice } = change;
  return {
    v: 1,
    leadId: leadIdFor('facebook', change.leadgenId),
    source: 'facebook',
    formId: change.formId,
    externalId: change.leadgenId,
    receivedAt,
    ...(change.createdTime !== undefined ? withSubmittedAt(isoTime(change.createdTime)) : {}),
    contact: {},
    answers: {},
    attribution: {
      utm: {},
      pageId: change.pageId,
      platformFormId: change.formId,
      ...(change.adId ? { adId: change.adId } : {}),
    },
    request: {},
    locale: facebook.locale,
    ...(facebook.defaultCountry ? { defaultCountry: facebook.defaultCountry } : {}),
    test: false,
    meta: notice,
    raw,
  };
}

function withSubmittedAt(submittedAt: string | undefined): { submittedAt?: string } {
  return submittedAt ? { submittedAt } : {};
}
