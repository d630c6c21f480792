import { evaluateCondition, type LeadFacts } from '../shared/conditions.ts';
import type { Config, ScoringRule, SegmentRule } from '../shared/config.ts';
import { displayName, type IntakeMessage, type Lead, type Score } from '../shared/lead.ts';
import { normaliseEmail, normalisePhone } from './normalise.ts';

/** The facts rules can test, from a lead's stored fields. */
export function leadFacts(lead: Omit<Lead, 'score' | 'segments'>): LeadFacts {
  const facts: Record<string, string | number | boolean | undefined> = {
    source: lead.source,
    form: lead.formId,
    name: displayName(lead.contact),
    email: lead.keys.email,
    'email.domain': lead.keys.email?.split('@')[1],
    phone: lead.phoneE164 ?? lead.contact.phone,
    'phone.valid': lead.phoneE164 !== undefined,
    'phone.country': lead.phoneCountry,
    company: lead.contact.company,
    jobTitle: lead.contact.jobTitle,
    city: lead.contact.city,
    region: lead.contact.region,
    country: lead.contact.country ?? lead.phoneCountry,
    message: lead.contact.message,
    locale: lead.locale,
    'utm.source': lead.attribution.utm.source,
    'utm.medium': lead.attribution.utm.medium,
    'utm.campaign': lead.attribution.utm.campaign,
    'utm.term': lead.attribution.utm.term,
    'utm.content': lead.attribution.utm.content,
    campaign: lead.attribution.campaignName ?? lead.attribution.utm.campaign,
    'campaign.id': lead.attribution.campaignId,
    'ad.id': lead.attribution.adId,
    organic: lead.attribution.organic,
    test: lead.test,
  };
  for (const [key, value] of Object.entries(lead.answers)) facts[`answers.${key}`] = value;
  return facts;
}

/** Sums the points of every matching rule and keeps the breakdown, so a score explains itself. */
export function scoreFacts(facts: LeadFacts, rules: readonly ScoringRule[]): Score {
  const breakdown = rules
    .filter((rule) => evaluateCondition(rule.when, facts))
    .map((rule) => ({ ruleId: rule.id, points: rule.points }));
  return { total: breakdown.reduce((sum, b) => sum + b.points, 0), breakdown };
}

export function segmentFacts(facts: LeadFacts, segments: readonly SegmentRule[]): string[] {
  return segments.filter((segment) => evaluateCondition(segment.when, facts)).map((segment) => segment.id);
}

/** Builds the stored lead from an intake message: normalised keys, score with breakdown, segments. */
export function buildLead(intake: IntakeMessage, config: Config, now: Date): Lead {
  const phone = normalisePhone(intake.contact.phone, intake.defaultCountry);
  const email = normaliseEmail(intake.contact.email);
  const base = {
    id: intake.leadId,
    source: intake.source,
    formId: intake.formId,
    ...(intake.externalId ? { externalId: intake.externalId } : {}),
    receivedAt: intake.receivedAt,
    createdAt: now.toISOString(),
    contact: intake.contact,
    ...(phone ? { phoneE164: phone.e164, ...(phone.country ? { phoneCountry: phone.country } : {}) } : {}),
    keys: { ...(email ? { email } : {}), ...(phone ? { phone: phone.e164 } : {}) },
    answers: intake.answers,
    attribution: intake.attribution,
    locale: intake.locale,
    ...(intake.consent ? { consent: intake.consent } : {}),
    status: 'new' as const,
    test: intake.test,
  };
  const facts = leadFacts({ ...base });
  return {
    ...base,
    score: scoreFacts(facts, config.scoring.rules),
    segments: segmentFacts(facts, config.scoring.segments),
  };
}
