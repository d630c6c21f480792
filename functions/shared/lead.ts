import { z } from 'zod';

export const Locale = z.enum(['en', 'ar', 'fa']);
export type Locale = z.infer<typeof Locale>;

export const LeadSource = z.enum(['web-form', 'facebook', 'google']);
export type LeadSource = z.infer<typeof LeadSource>;

/** Contact details as the person typed them (display values; matching keys are derived). */
export const Contact = z.object({
  name: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  company: z.string().optional(),
  jobTitle: z.string().optional(),
  city: z.string().optional(),
  country: z.string().optional(),
  message: z.string().optional(),
});
export type Contact = z.infer<typeof Contact>;

export const Attribution = z.object({
  utm: z
    .object({
      source: z.string().optional(),
      medium: z.string().optional(),
      campaign: z.string().optional(),
      term: z.string().optional(),
      content: z.string().optional(),
    })
    .default({}),
  pageUrl: z.string().optional(),
  referrer: z.string().optional(),
  campaignId: z.string().optional(),
  adId: z.string().optional(),
});
export type Attribution = z.infer<typeof Attribution>;

export const RequestContext = z.object({
  ip: z.string().optional(),
  userAgent: z.string().optional(),
});

/** What ingest puts on the intake queue: everything scoring needs, nothing it has to fetch for web forms. */
export const IntakeMessage = z.object({
  v: z.literal(1),
  leadId: z.string().min(1),
  source: LeadSource,
  formId: z.string().min(1),
  /** The platform's own id (leadgen_id, lead_id) or the web form's idempotency key. */
  externalId: z.string().optional(),
  receivedAt: z.iso.datetime(),
  contact: Contact,
  answers: z.record(z.string(), z.string()).default({}),
  attribution: Attribution.default({ utm: {} }),
  request: RequestContext.default({}),
  locale: Locale,
  defaultCountry: z.string().length(2).optional(),
  test: z.boolean().default(false),
});
export type IntakeMessage = z.infer<typeof IntakeMessage>;

export const RoutingMessage = z.object({
  v: z.literal(1),
  leadId: z.string().min(1),
});
export type RoutingMessage = z.infer<typeof RoutingMessage>;

export const ScoreBreakdown = z.array(z.object({ ruleId: z.string(), points: z.number() }));

export const Score = z.object({
  total: z.number(),
  breakdown: ScoreBreakdown,
});
export type Score = z.infer<typeof Score>;

export const LeadStatus = z.enum(['new', 'assigned', 'contacted', 'qualified', 'won', 'lost']);
export type LeadStatus = z.infer<typeof LeadStatus>;

/** Why a lead went to its owner, so "why did Sara get this lead?" always has an answer. */
export const Assignment = z.object({
  repId: z.string(),
  poolId: z.string(),
  counter: z.number().int(),
  reason: z.string(),
  at: z.iso.datetime(),
});
export type Assignment = z.infer<typeof Assignment>;

/** Matching keys: only valid, normalised values; used for de-duplication, never shown. */
export const LeadKeys = z.object({
  email: z.string().optional(),
  phone: z.string().optional(),
});

export const Lead = z.object({
  id: z.string(),
  source: LeadSource,
  formId: z.string(),
  externalId: z.string().optional(),
  receivedAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  contact: Contact,
  /** E.164 phone when the number is valid; the typed value stays in `contact.phone`. */
  phoneE164: z.string().optional(),
  phoneCountry: z.string().optional(),
  keys: LeadKeys,
  answers: z.record(z.string(), z.string()),
  attribution: Attribution,
  locale: Locale,
  score: Score,
  segments: z.array(z.string()),
  status: LeadStatus,
  ownerId: z.string().optional(),
  assignment: Assignment.optional(),
  test: z.boolean(),
});
export type Lead = z.infer<typeof Lead>;

/** Best display name for a lead: the full name, else first + last, else nothing. */
export function displayName(contact: Contact): string | undefined {
  if (contact.name?.trim()) return contact.name.trim();
  const joined = [contact.firstName, contact.lastName]
    .map((s) => s?.trim())
    .filter(Boolean)
    .join(' ');
  return joined || undefined;
}
