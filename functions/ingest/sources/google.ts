import { answerKey, isoTime, LINE_MAX_CHARS } from '../../shared/answers.ts';
import type { ContactField, GoogleConfig } from '../../shared/config.ts';
import { HttpError, issuesFromZod } from '../../shared/errors.ts';
import { leadIdFor } from '../../shared/ids.ts';
import { parseJsonLossless } from '../../shared/json.ts';
import type { IntakeMessage } from '../../shared/lead.ts';
import { cutAnswer, fitAnswers } from '../../shared/limits.ts';
import { secretsEqual } from '../../shared/meta-signature.ts';
import { ownValue } from '../../shared/records.ts';
import { cleanValue } from '../../shared/text.ts';
import * as z from '../../shared/zod.ts';

// int64 in Google's proto: parsed losslessly, kept as strings.
const Int64 = z.pipe(
  z.union([z.string().check(z.regex(/^-?\d+$/)), z.number().check(z.int())]),
  z.transform(String),
);

/** Google Ads lead form webhook body (WebhookLead). Unknown fields are ignored, as Google asks. */
export const GoogleWebhook = z.object({
  lead_id: z.string().check(z.minLength(1), z.maxLength(500)),
  user_column_data: z._default(
    z
      .array(
        z.object({
          column_id: z.optional(z.string().check(z.maxLength(200))),
          column_name: z.optional(z.string().check(z.maxLength(500))),
          // No length limit here: Google retries what is refused, forever; a long answer is cut, not refused.
          string_value: z.optional(z.string()),
        }),
      )
      .check(z.maxLength(200)),
    [],
  ),
  api_version: z.optional(z.string()),
  form_id: z.optional(Int64),
  campaign_id: z.optional(Int64),
  adgroup_id: z.optional(Int64),
  creative_id: z.optional(Int64),
  asset_group_id: z.optional(Int64),
  gcl_id: z.optional(z.string().check(z.maxLength(500))),
  google_key: z._default(z.string().check(z.maxLength(500)), ''),
  is_test: z._default(z.boolean(), false),
  lead_stage: z.optional(z.string().check(z.maxLength(100))),
  /** ISO-8601, e.g. 2024-09-26T12:30:00Z: when the person submitted the form. */
  lead_submit_time: z.optional(z.string().check(z.maxLength(100))),
});
export type GoogleWebhook = z.infer<typeof GoogleWebhook>;

/** Google's column ids for the standard questions; anything else is kept as an answer. */
const COLUMNS: Record<string, ContactField> = {
  FULL_NAME: 'name',
  FIRST_NAME: 'firstName',
  LAST_NAME: 'lastName',
  EMAIL: 'email',
  WORK_EMAIL: 'email',
  PHONE_NUMBER: 'phone',
  WORK_PHONE: 'phone',
  POSTAL_CODE: 'postalCode',
  CITY: 'city',
  REGION: 'region',
  COUNTRY: 'country',
  COMPANY_NAME: 'company',
  JOB_TITLE: 'jobTitle',
};

export function parseGoogleWebhook(text: string): GoogleWebhook {
  let json: unknown;
  try {
    json = parseJsonLossless(text);
  } catch (error) {
    throw new HttpError(400, 'malformed_json', `The body is not valid JSON: ${(error as Error).message}.`);
  }
  const result = GoogleWebhook.safeParse(json);
  if (!result.success)
    throw new HttpError(
      400,
      'invalid_webhook',
      'This is not a Google Ads lead form webhook.',
      issuesFromZod(result.error),
    );
  return result.data;
}

/** The key is a shared secret in the body (Google signs nothing): per form if configured, else the default. */
export function checkGoogleKey(webhook: GoogleWebhook, google: GoogleConfig): void {
  const expected = (webhook.form_id && ownValue(google.forms, webhook.form_id)?.key) || google.key;
  if (!secretsEqual(webhook.google_key, expected)) {
    throw new HttpError(
      403,
      'invalid_google_key',
      'The google_key does not match the key configured for this form.',
    );
  }
}

/** The raw body without its shared secret, for keeping. */
export function redactGoogleKey(raw: string): string {
  return raw.replace(/("google_key"\s*:\s*)"(?:[^"\\]|\\.)*"/g, '$1"[redacted]"');
}

export function googleIntakeMessage(
  webhook: GoogleWebhook,
  google: GoogleConfig,
  receivedAt: string,
  raw: string,
): IntakeMessage {
  const contact: Record<string, string> = {};
  const answers: Record<string, string> = {};
  const labels: Record<string, string> = {};
  for (const column of webhook.user_column_data) {
    const value = cleanValue(column.string_value ?? '', true);
    if (value === '') continue;
    const field = column.column_id ? ownValue(COLUMNS, column.column_id) : undefined;
    // EMAIL wins over WORK_EMAIL and PHONE_NUMBER over WORK_PHONE: the first one seen is kept.
    if (field !== undefined && contact[field] === undefined) {
      contact[field] = cutAnswer(cleanValue(value, false), LINE_MAX_CHARS);
      continue;
    }
    // Custom questions are keyed by a stable id a scoring rule can name (`answers.budget`); the question
    // text, which the advertiser may reword or translate, is kept apart for display.
    const key = answerKey(column.column_id ?? column.column_name ?? 'answer');
    answers[key] = cutAnswer(value);
    const label = column.column_name ? cleanValue(column.column_name, false) : undefined;
    if (label && label !== key) labels[key] = label;
  }
  const submittedAt = isoTime(webhook.lead_submit_time);
  const test = webhook.is_test && google.testLeads === 'flag';
  return {
    v: 1,
    leadId: leadIdFor('google', webhook.lead_id),
    source: 'google',
    formId: webhook.form_id ?? 'unknown',
    externalId: webhook.lead_id,
    receivedAt,
    ...(submittedAt ? { submittedAt } : {}),
    contact,
    answers: fitAnswers(answers),
    ...(Object.keys(labels).length > 0 ? { answerLabels: labels } : {}),
    attribution: {
      utm: {},
      ...(webhook.campaign_id ? { campaignId: webhook.campaign_id } : {}),
      // Google's ad group is the ad set's counterpart; its creative is the ad.
      ...(webhook.adgroup_id ? { adsetId: webhook.adgroup_id } : {}),
      ...(webhook.asset_group_id ? { assetGroupId: webhook.asset_group_id } : {}),
      ...(webhook.creative_id ? { creativeId: webhook.creative_id } : {}),
      ...(webhook.form_id ? { platformFormId: webhook.form_id } : {}),
      ...(webhook.gcl_id ? { gclId: webhook.gcl_id } : {}),
    },
    request: {},
    locale: google.locale,
    ...(google.defaultCountry ? { defaultCountry: google.defaultCountry } : {}),
    test,
    raw: redactGoogleKey(raw),
  };
}
