import { evaluateCondition, type LeadFacts } from '../shared/conditions.ts';
import type { Config, ScoringRule, SegmentRule } from '../shared/config.ts';
import {
  displayName,
  type IntakeMessage,
  isClosed,
  type Lead,
  type Score,
  type Touch,
} from '../shared/lead.ts';
import { isEmailAddress, matchingKey, normaliseEmail, normalisePhone } from '../shared/normalise.ts';
import { ownValue } from '../shared/records.ts';

type Scorable = Omit<Lead, 'score' | 'segments'>;

/** The facts rules can test, from a lead's stored fields. */
export function leadFacts(lead: Scorable, now: Date): LeadFacts {
  const lastTouch = lead.lastTouchAt ?? lead.receivedAt;
  const facts: Record<string, string | number | boolean | undefined> = {
    source: lead.source,
    form: lead.formId,
    name: displayName(lead.contact),
    email: lead.keys.email,
    'email.domain': lead.emailDomain,
    'email.free': lead.emailFree,
    'email.role': lead.emailRole,
    phone: lead.phoneE164 ?? lead.contact.phone,
    'phone.valid': lead.phoneE164 !== undefined,
    'phone.country': lead.phoneCountry,
    'phone.type': lead.phoneType,
    'phone.mobile': lead.phoneType === 'MOBILE' || lead.phoneType === 'FIXED_LINE_OR_MOBILE',
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
    touches: lead.touches.length,
    hoursSinceLastTouch: Math.max(0, (now.getTime() - Date.parse(lastTouch)) / 3600_000),
    test: lead.test,
  };
  for (const [key, value] of Object.entries(lead.answers)) facts[`answers.${key}`] = value;
  return facts;
}

/** Sums the points of every matching rule and keeps the breakdown, so a score explains itself. */
export function scoreFacts(
  facts: LeadFacts,
  scoring: Pick<Config['scoring'], 'rules' | 'grades' | 'thresholds'>,
): Score {
  const breakdown = scoring.rules
    .filter((rule: ScoringRule) => evaluateCondition(rule.when, facts))
    .map((rule) => ({ ruleId: rule.id, points: rule.points }));
  const total = breakdown.reduce((sum, b) => sum + b.points, 0);
  const grade = [...scoring.grades].sort((a, b) => b.min - a.min).find((g) => total >= g.min)?.grade;
  const { thresholds } = scoring;
  const qualification =
    thresholds === undefined
      ? 'none'
      : total >= thresholds.sql
        ? 'sql'
        : total >= thresholds.mql
          ? 'mql'
          : 'none';
  return { total, breakdown, ...(grade ? { grade } : {}), qualification };
}

export function segmentFacts(facts: LeadFacts, segments: readonly SegmentRule[]): string[] {
  return segments.filter((segment) => evaluateCondition(segment.when, facts)).map((segment) => segment.id);
}

function scored(lead: Scorable, config: Config, now: Date): Lead {
  const facts = leadFacts(lead, now);
  return {
    ...lead,
    score: scoreFacts(facts, config.scoring),
    segments: segmentFacts(facts, config.scoring.segments),
  };
}

/**
 * Countries to read a national phone number in, most specific first: the campaign's, then the form's or
 * source's, then the home country. Google sends no country at all, so this order matters.
 */
export function phoneCountries(intake: IntakeMessage, config: Config): string[] {
  const { campaignCountries, homeCountry } = config.normalisation;
  const { attribution } = intake;
  const campaign = [attribution.campaignId, attribution.campaignName, attribution.utm.campaign]
    .map((c) => (c ? ownValue(campaignCountries, c) : undefined))
    .find(Boolean);
  return [
    ...new Set([campaign, intake.defaultCountry, homeCountry].filter((c): c is string => c !== undefined)),
  ];
}

/** Builds the stored lead from an intake message: normalised keys, score with breakdown, segments. */
export function buildLead(intake: IntakeMessage, config: Config, now: Date): Lead {
  const phone = normalisePhone(intake.contact.phone, phoneCountries(intake, config));
  // Ad platforms send what the person typed: an invalid address is kept for the rep to read, never mailed or
  // used to merge two people (web forms refuse it up front).
  const emailValid = intake.contact.email === undefined ? undefined : isEmailAddress(intake.contact.email);
  const email = emailValid ? normaliseEmail(intake.contact.email) : undefined;
  const name = matchingKey(displayName(intake.contact));
  return scored(
    {
      id: intake.leadId,
      source: intake.source,
      formId: intake.formId,
      ...(intake.externalId ? { externalId: intake.externalId } : {}),
      receivedAt: intake.receivedAt,
      submittedAt: intake.submittedAt ?? intake.receivedAt,
      createdAt: now.toISOString(),
      contact: intake.contact,
      ...(phone ? { phoneE164: phone.e164, phoneCountry: phone.country, phoneType: phone.type } : {}),
      ...(email ? { emailDomain: email.domain, emailFree: email.free, emailRole: email.role } : {}),
      keys: {
        ...(email ? { email: email.key } : {}),
        ...(phone ? { phone: phone.e164 } : {}),
        ...(name ? { name } : {}),
      },
      ...(emailValid !== undefined ? { emailValid } : {}),
      answers: intake.answers,
      ...(intake.answerLabels ? { answerLabels: intake.answerLabels } : {}),
      attribution: intake.attribution,
      locale: intake.locale,
      ...(intake.consent ? { consent: intake.consent } : {}),
      status: 'new',
      touches: [],
      followUps: [],
      history: [],
      statusHistory: [],
      ...(intake.import ? { importId: intake.import.id } : {}),
      version: 1,
      test: intake.test,
    },
    config,
    now,
  );
}

export type DedupeKey = { kind: 'email' | 'phone'; value: string };

/**
 * The keys that identify a person: a valid phone, and an email unless it is a role address (info@, sales@),
 * which a whole office shares. Test leads never merge with real ones.
 */
export function dedupeKeys(lead: Lead): DedupeKey[] {
  if (lead.test) return [];
  const keys: DedupeKey[] = [];
  if (lead.keys.email && !lead.emailRole) keys.push({ kind: 'email', value: lead.keys.email });
  if (lead.keys.phone) keys.push({ kind: 'phone', value: lead.keys.phone });
  return keys;
}

/** A touch writes the identity keys again (their window starts over) at most this often. */
export const KEY_REFRESH_MS = 86_400_000;

/**
 * The identity keys a touch must write: a key the lead did not have, and every key when all of them were last
 * written a day or more ago (`keysRefreshedAt`, else the lead's creation). A person who comes back within a day (a Meta form and the website, the same
 * afternoon) writes none: their keys then expire at most a day before the exact window's end.
 */
export function keysToRefresh(existing: Lead, merged: Lead, now: Date): DedupeKey[] {
  const all = dedupeKeys(merged);
  const lastRefresh = Date.parse(existing.keysRefreshedAt ?? existing.createdAt);
  if (now.getTime() - lastRefresh >= KEY_REFRESH_MS) return all;
  const had = new Set(dedupeKeys(existing).map((k) => `${k.kind}:${k.value}`));
  return all.filter((k) => !had.has(`${k.kind}:${k.value}`));
}

/** A closed lead (won or lost) may come back as a new lead instead of a touch, by config. */
export function reopensAsNewLead(existing: Lead, config: Config): boolean {
  return config.duplicates.reopenClosed && isClosed(existing.status);
}

/**
 * Records a returning person on their existing lead: the touch (source, campaign, answers, time), contact
 * details the lead lacked, the newest answers, and a score and segments recomputed. The owner, the status and
 * the first-touch attribution stay as they are.
 */
export function mergeTouch(
  existing: Lead,
  incoming: Lead,
  matchedOn: DedupeKey['kind'][],
  config: Config,
  now: Date,
): Lead {
  if (existing.touches.some((t) => t.id === incoming.id)) return existing;
  const touch: Touch = {
    id: incoming.id,
    at: incoming.receivedAt,
    source: incoming.source,
    formId: incoming.formId,
    ...(incoming.externalId ? { externalId: incoming.externalId } : {}),
    matchedOn,
    attribution: incoming.attribution,
    answers: incoming.answers,
  };
  const contact = { ...existing.contact };
  for (const [field, value] of Object.entries(incoming.contact) as [
    keyof typeof contact,
    string | undefined,
  ][]) {
    if (value !== undefined && contact[field] === undefined) contact[field] = value;
  }
  const { score: _score, segments: _segments, ...rest } = existing;
  return scored(
    {
      ...rest,
      contact,
      ...(existing.phoneE164 === undefined && incoming.phoneE164
        ? {
            phoneE164: incoming.phoneE164,
            phoneCountry: incoming.phoneCountry,
            phoneType: incoming.phoneType,
          }
        : {}),
      ...(existing.keys.email === undefined && incoming.keys.email
        ? { emailDomain: incoming.emailDomain, emailFree: incoming.emailFree, emailRole: incoming.emailRole }
        : {}),
      keys: { ...incoming.keys, ...existing.keys },
      answers: { ...existing.answers, ...incoming.answers },
      // Consent the person gave stays: a later form without the box (or with it unticked) does not take it back;
      // withdrawing is an unsubscribe. A lead without a given consent takes the newer evidence.
      consent: existing.consent?.given ? existing.consent : (incoming.consent ?? existing.consent),
      touches: [...existing.touches, touch],
      lastTouchAt: incoming.receivedAt,
      version: existing.version + 1,
    },
    config,
    now,
  );
}

/** The lead scored again with the current rules (`npm run rescore`); undefined when nothing would change. */
export function rescore(lead: Lead, config: Config, now: Date): Lead | undefined {
  const { score: _score, segments: _segments, ...rest } = lead;
  const again = scored(rest, config, now);
  const same = JSON.stringify([again.score, again.segments]) === JSON.stringify([lead.score, lead.segments]);
  return same ? undefined : { ...again, version: lead.version + 1 };
}
