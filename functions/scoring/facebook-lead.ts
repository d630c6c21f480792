import { isoTime, LINE_MAX_CHARS } from '../shared/answers.ts';
import type { ContactField } from '../shared/config.ts';
import type { Attribution, GraphLead, IntakeMessage } from '../shared/lead.ts';
import { cutAnswer, fitAnswers } from '../shared/limits.ts';
import { ownValue, safeKey } from '../shared/records.ts';

/** Meta's standard question keys; custom questions keep their own key as answers. */
const FIELDS: Record<string, ContactField> = {
  full_name: 'name',
  first_name: 'firstName',
  last_name: 'lastName',
  email: 'email',
  work_email: 'email',
  phone_number: 'phone',
  work_phone_number: 'phone',
  city: 'city',
  state: 'region',
  province: 'region',
  zip_code: 'postalCode',
  post_code: 'postalCode',
  country: 'country',
  company_name: 'company',
  job_title: 'jobTitle',
};

function oneLine(value: string): string {
  return value.replace(/[\r\n\t\u2028\u2029]+/g, ' ').trim();
}

/**
 * Meta's Lead Ads Testing Tool fills every question with `<test lead: dummy data for full_name>` and the email
 * with test@meta.com (formerly test@fb.com): such a lead is a test, like Google's `is_test`.
 */
const TEST_VALUE = /^<test lead: dummy data for [^>]*>$/;
const TEST_EMAILS = new Set(['test@meta.com', 'test@fb.com']);

export function isMetaTestLead(lead: GraphLead): boolean {
  return lead.field_data.some((field) =>
    field.values.some(
      (value) => TEST_VALUE.test(value.trim()) || TEST_EMAILS.has(value.trim().toLowerCase()),
    ),
  );
}

function checked(value: string | boolean | undefined): boolean {
  return value === true || value === '1' || value === 'true';
}

/** Fills an id-only Meta intake message with the answers and attribution the Graph API returned. */
export function applyGraphLead(intake: IntakeMessage, lead: GraphLead): IntakeMessage {
  const contact: Record<string, string> = {};
  const answers: Record<string, string> = {};
  for (const field of lead.field_data) {
    const value = field.values.join(', ').trim();
    if (value === '') continue;
    const target = ownValue(FIELDS, field.name);
    if (target !== undefined && contact[target] === undefined)
      contact[target] = cutAnswer(oneLine(value), LINE_MAX_CHARS);
    else answers[safeKey(field.name)] = cutAnswer(value);
  }
  const attribution: Attribution = {
    ...intake.attribution,
    ...(lead.campaign_id ? { campaignId: lead.campaign_id } : {}),
    ...(lead.campaign_name ? { campaignName: lead.campaign_name } : {}),
    ...(lead.adset_id ? { adsetId: lead.adset_id } : {}),
    ...(lead.ad_id && lead.ad_id !== '0' ? { adId: lead.ad_id } : {}),
    ...(lead.ad_name ? { adName: lead.ad_name } : {}),
    ...(lead.form_id ? { platformFormId: lead.form_id } : {}),
    ...(lead.is_organic !== undefined ? { organic: lead.is_organic } : {}),
    ...(lead.platform ? { platform: lead.platform } : {}),
  };
  const disclaimers = lead.custom_disclaimer_responses ?? [];
  const submittedAt = isoTime(lead.created_time) ?? intake.submittedAt;
  const boxes = disclaimers.map((d, i) => ({
    key: d.checkbox_key ?? `box_${i + 1}`,
    checked: checked(d.is_checked),
  }));
  return {
    ...intake,
    ...(submittedAt ? { submittedAt } : {}),
    contact,
    answers: fitAnswers(answers),
    attribution,
    test: intake.test || isMetaTestLead(lead),
    ...(disclaimers.length > 0
      ? {
          consent: {
            // A form's disclaimer may have optional boxes: consent is given when at least one box was ticked,
            // and each box is kept, so a sequence can ask for the one it needs.
            given: boxes.some((b) => b.checked),
            textVersion: `meta-form-${lead.form_id ?? intake.formId}`,
            at: submittedAt ?? intake.receivedAt,
            boxes,
          },
        }
      : {}),
  };
}
