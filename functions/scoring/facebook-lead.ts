import type { ContactField } from '../shared/config.ts';
import type { Attribution, GraphLead, IntakeMessage } from '../shared/lead.ts';

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

/** Fills an id-only Meta intake message with the answers and attribution the Graph API returned. */
export function applyGraphLead(intake: IntakeMessage, lead: GraphLead): IntakeMessage {
  const contact: Record<string, string> = {};
  const answers: Record<string, string> = {};
  for (const field of lead.field_data) {
    const value = field.values.join(', ').trim();
    if (value === '') continue;
    const target = FIELDS[field.name];
    if (target !== undefined && contact[target] === undefined) contact[target] = oneLine(value);
    else answers[field.name] = value;
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
  };
  const disclaimers = lead.custom_disclaimer_responses ?? [];
  const createdAt = lead.created_time ? new Date(lead.created_time.replace(/\+0000$/, 'Z')) : undefined;
  const consentAt =
    createdAt && !Number.isNaN(createdAt.getTime()) ? createdAt.toISOString() : intake.receivedAt;
  return {
    ...intake,
    contact,
    answers,
    attribution,
    ...(disclaimers.length > 0
      ? {
          consent: {
            given: disclaimers.every(
              (d) => d.is_checked === true || d.is_checked === '1' || d.is_checked === 'true',
            ),
            textVersion: `meta-form-${lead.form_id ?? intake.formId}`,
            at: consentAt,
          },
        }
      : {}),
  };
}
