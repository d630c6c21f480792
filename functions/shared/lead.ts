import * as z from 'zod';
import { Valued } from './money.ts';

export const Locale = z.enum(['en', 'ar', 'fa']);
export type Locale = z.infer<typeof Locale>;

/** Where a lead came from; `import` is a spreadsheet with no platform ids (Meta and Google files keep theirs). */
export const LeadSource = z.enum(['web-form', 'facebook', 'google', 'import']);
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
  region: z.string().optional(),
  postalCode: z.string().optional(),
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
  /** Platform ids, always strings (Meta and Google ids exceed 2^53). */
  campaignId: z.string().optional(),
  campaignName: z.string().optional(),
  adsetId: z.string().optional(),
  adId: z.string().optional(),
  adName: z.string().optional(),
  creativeId: z.string().optional(),
  pageId: z.string().optional(),
  platformFormId: z.string().optional(),
  gclId: z.string().optional(),
  /** Google Performance Max: the asset group that brought the lead. */
  assetGroupId: z.string().optional(),
  organic: z.boolean().optional(),
  /** Meta: `fb` or `ig`, where the form was filled in. */
  platform: z.string().optional(),
});
export type Attribution = z.infer<typeof Attribution>;

export const RequestContext = z.object({
  ip: z.string().optional(),
  userAgent: z.string().optional(),
});

/** Evidence that the person agreed to be contacted: what they saw, when, and from where. */
export const Consent = z.object({
  given: z.boolean(),
  textVersion: z.string().optional(),
  at: z.iso.datetime(),
  ip: z.string().optional(),
  /** Each box of a Meta form's custom disclaimer: its key and whether it was ticked. */
  boxes: z.array(z.object({ key: z.string(), checked: z.boolean() })).optional(),
});
export type Consent = z.infer<typeof Consent>;

/** An id that may arrive as a JSON number (parsed losslessly) but is always kept as a string. */
const StringId = z.union([z.string(), z.number().int()]).transform(String);

/** A lead as Meta's Graph API returns it (`GET /{leadgen_id}`); ids are strings. */
export const GraphLead = z.object({
  id: StringId,
  created_time: z.string().optional(),
  form_id: StringId.optional(),
  ad_id: StringId.optional(),
  ad_name: z.string().optional(),
  adset_id: StringId.optional(),
  campaign_id: StringId.optional(),
  campaign_name: z.string().optional(),
  is_organic: z.boolean().optional(),
  platform: z.string().optional(),
  field_data: z.array(z.object({ name: z.string(), values: z.array(z.string()).default([]) })).default([]),
  custom_disclaimer_responses: z
    .array(
      z.object({
        checkbox_key: z.string().optional(),
        is_checked: z.union([z.string(), z.boolean()]).optional(),
      }),
    )
    .optional(),
});
export type GraphLead = z.infer<typeof GraphLead>;

/** What a Meta webhook says about one lead: ids only; the answers are fetched in scoring. */
export const MetaNotice = z.object({
  leadgenId: z.string(),
  pageId: z.string().optional(),
  formId: z.string(),
  adId: z.string().optional(),
  adgroupId: z.string().optional(),
  createdTime: z.number().optional(),
  /** Present when the lead was read from the Graph API already (the reconcile job). */
  lead: GraphLead.optional(),
});
export type MetaNotice = z.infer<typeof MetaNotice>;

/** What ingest puts on the intake queue: everything scoring needs, nothing it has to fetch for web forms. */
export const IntakeMessage = z.object({
  v: z.literal(1),
  leadId: z.string().min(1),
  source: LeadSource,
  formId: z.string().min(1),
  /** The platform's own id (leadgen_id, lead_id) or the web form's idempotency key. */
  externalId: z.string().optional(),
  receivedAt: z.iso.datetime(),
  /** When the person submitted, by the platform's own clock (Meta created_time, Google lead_submit_time). */
  submittedAt: z.iso.datetime().optional(),
  contact: Contact,
  answers: z.record(z.string(), z.string()).default({}),
  /** The question text of answers keyed by an id (Google custom questions), for display. */
  answerLabels: z.record(z.string(), z.string()).optional(),
  attribution: Attribution.default({ utm: {} }),
  request: RequestContext.default({}),
  locale: Locale,
  defaultCountry: z.string().length(2).optional(),
  test: z.boolean().default(false),
  consent: Consent.optional(),
  /** Meta leads arrive as ids; scoring fetches the answers. */
  meta: MetaNotice.optional(),
  /** Short-window duplicate key for web forms posted without an Idempotency-Key (a hash, never PII). */
  dedupeKey: z.string().optional(),
  /** The payload as received, kept (with a TTL) so the lead can be replayed after a bug. */
  raw: z.string().optional(),
  /** The payload was too large to travel with the lead: ingest kept it in the table before queueing. */
  rawKept: z.boolean().optional(),
  /** A spreadsheet row: which import and row, counted there once stored; `route: false` keeps it unassigned. */
  import: z.object({ id: z.string(), row: z.number().int().min(2), route: z.boolean() }).optional(),
});
export type IntakeMessage = z.infer<typeof IntakeMessage>;

export const RoutingMessage = z.object({
  v: z.literal(1),
  leadId: z.string().min(1),
  /**
   * Pass the lead on from this rep's assignment, if it is still theirs and uncontacted: an SLA escalation, or the
   * rep answering "Not mine" on WhatsApp.
   */
  escalate: z
    .object({
      fromRepId: z.string(),
      assignmentAt: z.iso.datetime(),
      reason: z.enum(['missed-sla', 'declined']).default('missed-sla'),
    })
    .optional(),
});
export type RoutingMessage = z.infer<typeof RoutingMessage>;

export const ScoreBreakdown = z.array(z.object({ ruleId: z.string(), points: z.number() }));

export const Score = z.object({
  total: z.number(),
  breakdown: ScoreBreakdown,
  grade: z.string().optional(),
  qualification: z.enum(['none', 'mql', 'sql']).default('none'),
});
export type Score = z.infer<typeof Score>;

export const LeadStatus = z.enum([
  'new',
  'unassigned',
  'assigned',
  'contacted',
  'qualified',
  'won',
  'lost',
  'disqualified',
]);
export type LeadStatus = z.infer<typeof LeadStatus>;

/**
 * The outcomes: won, lost (an opportunity that went elsewhere) and disqualified (never one: spam, a wrong
 * number, not a buyer…). A closed lead is off its owner's count, its clocks and its sequences.
 */
export const CLOSED_STATUSES = ['won', 'lost', 'disqualified'] as const satisfies readonly LeadStatus[];
export function isClosed(status: LeadStatus): boolean {
  return (CLOSED_STATUSES as readonly LeadStatus[]).includes(status);
}

/** One status change: what, when, who, for a lost or disqualified lead why, and how long the last stage took. */
export const StatusChange = z.object({
  status: LeadStatus,
  at: z.iso.datetime(),
  by: z.string(),
  reason: z.string().optional(),
  competitor: z.string().optional(),
  /** The status the lead left, and the minutes it spent there (from its last change, else its assignment). */
  from: LeadStatus.optional(),
  stageMinutes: z.number().min(0).optional(),
});
export type StatusChange = z.infer<typeof StatusChange>;

/** Why a lead went to its owner, so "why did Sara get this lead?" always has an answer. */
export const Assignment = z.object({
  repId: z.string(),
  poolId: z.string(),
  /** The pool's rotation slot (0 when no rotation was used: sticky owner, fallback owner, a manual move). */
  counter: z.number().int(),
  /** What decided it: `segment gulf`, `default pool`, `sticky owner`, `fallback owner`, `manual`. */
  rule: z.string().default('rotation'),
  skipped: z.array(z.object({ repId: z.string(), why: z.string() })).default([]),
  reason: z.string(),
  /** Who moved the lead by hand. */
  by: z.string().optional(),
  at: z.iso.datetime(),
  /** The first-contact clock this assignment started: reminder at `dueAt`, escalation at `escalateAt`. */
  sla: z
    .object({ minutes: z.number(), dueAt: z.iso.datetime(), escalateAt: z.iso.datetime().optional() })
    .optional(),
});
export type Assignment = z.infer<typeof Assignment>;

/** Matching keys: only valid, normalised values; used for de-duplication, never shown. */
export const LeadKeys = z.object({
  email: z.string().optional(),
  phone: z.string().optional(),
  /** Folded name, to confirm a match by hand; never merges by itself. */
  name: z.string().optional(),
});

/** A later contact from a person who already has a lead: kept on that lead instead of a second lead. */
export const Touch = z.object({
  /** The lead id the contact would have had: makes recording a touch idempotent. */
  id: z.string(),
  at: z.iso.datetime(),
  source: LeadSource,
  formId: z.string(),
  externalId: z.string().optional(),
  matchedOn: z.array(z.enum(['email', 'phone'])),
  attribution: Attribution,
  answers: z.record(z.string(), z.string()),
});
export type Touch = z.infer<typeof Touch>;

/** One thing an automation did: a timer's effect, recorded once (the timer id is the key). */
export const FollowUp = z.object({
  id: z.string(),
  kind: z.enum(['sla-reminder', 'sla-escalation', 'nurture-email', 'nurture-stopped', 'task-reminder']),
  at: z.iso.datetime(),
  repId: z.string().optional(),
  /** For escalations: who heard (`manager`) and what happened (`reassigned`); for nurture: sequence and step. */
  detail: z.string().optional(),
});
export type FollowUp = z.infer<typeof FollowUp>;

export const Lead = z.object({
  id: z.string(),
  source: LeadSource,
  formId: z.string(),
  externalId: z.string().optional(),
  receivedAt: z.iso.datetime(),
  /**
   * When the person submitted (the platform's clock; for web forms, the receipt): the start of the lead's wait.
   * Leads stored before it was kept have none; their wait starts at `receivedAt`.
   */
  submittedAt: z.iso.datetime().optional(),
  createdAt: z.iso.datetime(),
  contact: Contact,
  /** E.164 phone when the number is valid; the typed value stays in `contact.phone`. */
  phoneE164: z.string().optional(),
  phoneCountry: z.string().optional(),
  phoneType: z.string().optional(),
  emailDomain: z.string().optional(),
  emailFree: z.boolean().optional(),
  emailRole: z.boolean().optional(),
  keys: LeadKeys,
  /** False when the typed email is not a valid address: it is kept as typed, never mailed or used as a key. */
  emailValid: z.boolean().optional(),
  answers: z.record(z.string(), z.string()),
  answerLabels: z.record(z.string(), z.string()).optional(),
  attribution: Attribution,
  locale: Locale,
  consent: Consent.optional(),
  score: Score,
  segments: z.array(z.string()),
  status: LeadStatus,
  ownerId: z.string().optional(),
  assignment: Assignment.optional(),
  /** The first contact (contacted, qualified or won): the end of the speed-to-lead clock. */
  firstContactAt: z.iso.datetime().optional(),
  statusHistory: z.array(StatusChange).default([]),
  /** Earlier assignments of this lead, oldest first (manual moves, escalations). */
  history: z.array(Assignment).default([]),
  /** Since when nobody could take the lead (it waits and is tried again). */
  unassignedSince: z.iso.datetime().optional(),
  /** The pool whose waiting list holds the lead while it is unassigned. */
  waitingPool: z.string().optional(),
  /** The owner of this person's earlier, closed lead: routing prefers them while they are active. */
  previousOwnerId: z.string().optional(),
  touches: z.array(Touch).default([]),
  /** What the automations did with the lead: reminders, escalations, nurture emails; each once. */
  followUps: z.array(FollowUp).default([]),
  lastTouchAt: z.iso.datetime().optional(),
  /** When a touch last wrote all the identity keys again (the keys were written at creation before that). */
  keysRefreshedAt: z.iso.datetime().optional(),
  /** The workspace's summary (notes and tasks are items of their own): the last note, the open tasks. */
  lastNote: z.object({ at: z.iso.datetime(), by: z.string(), text: z.string() }).optional(),
  openTasks: z.number().int().min(0).optional(),
  nextTaskDueAt: z.iso.datetime().optional(),
  /** Bumped on every task change, so two changes at once cannot leave the summary wrong. */
  workspaceVersion: z.number().int().optional(),
  /** The import that created the lead, when a spreadsheet did. */
  importId: z.string().optional(),
  /** What the deal should be worth (set on the open lead, or with `qualified`): the forecast weighs it. */
  expectedValue: Valued.optional(),
  /** What the won deal was worth (with `won`); a lost or disqualified lead keeps its expected value. */
  dealValue: Valued.optional(),
  /** When the deal should close: the forecast's "this month". */
  expectedCloseDate: z.iso.date().optional(),
  /** Bumped by every change of the values above, so each change reaches the reports exactly once. */
  valueVersion: z.number().int().min(0).optional(),
  /** Bumped on every merge, for optimistic locking. */
  version: z.number().int().default(1),
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
