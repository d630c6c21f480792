import { CLOSED_STATUSES, isClosed, LEAD_STATUSES } from './lead-status.ts';
import { Valued } from './money.ts';
import * as z from './zod.ts';

export const Locale = z.enum(['en', 'ar', 'fa']);
export type Locale = z.infer<typeof Locale>;

/** Where a lead came from; `import` is a spreadsheet with no platform ids (Meta and Google files keep theirs). */
export const LeadSource = z.enum(['web-form', 'facebook', 'google', 'import']);
export type LeadSource = z.infer<typeof LeadSource>;

/** Contact details as the person typed them (display values; matching keys are derived). */
export const Contact = z.object({
  name: z.optional(z.string()),
  firstName: z.optional(z.string()),
  lastName: z.optional(z.string()),
  email: z.optional(z.string()),
  phone: z.optional(z.string()),
  company: z.optional(z.string()),
  jobTitle: z.optional(z.string()),
  city: z.optional(z.string()),
  region: z.optional(z.string()),
  postalCode: z.optional(z.string()),
  country: z.optional(z.string()),
  message: z.optional(z.string()),
});
export type Contact = z.infer<typeof Contact>;

export const Attribution = z.object({
  utm: z._default(
    z.object({
      source: z.optional(z.string()),
      medium: z.optional(z.string()),
      campaign: z.optional(z.string()),
      term: z.optional(z.string()),
      content: z.optional(z.string()),
    }),
    {},
  ),
  pageUrl: z.optional(z.string()),
  referrer: z.optional(z.string()),
  /** Platform ids, always strings (Meta and Google ids exceed 2^53). */
  campaignId: z.optional(z.string()),
  campaignName: z.optional(z.string()),
  adsetId: z.optional(z.string()),
  adId: z.optional(z.string()),
  adName: z.optional(z.string()),
  creativeId: z.optional(z.string()),
  pageId: z.optional(z.string()),
  platformFormId: z.optional(z.string()),
  gclId: z.optional(z.string()),
  /** Google Performance Max: the asset group that brought the lead. */
  assetGroupId: z.optional(z.string()),
  organic: z.optional(z.boolean()),
  /** Meta: `fb` or `ig`, where the form was filled in. */
  platform: z.optional(z.string()),
});
export type Attribution = z.infer<typeof Attribution>;

export const RequestContext = z.object({
  ip: z.optional(z.string()),
  userAgent: z.optional(z.string()),
});

/** Evidence that the person agreed to be contacted: what they saw, when, and from where. */
export const Consent = z.object({
  given: z.boolean(),
  textVersion: z.optional(z.string()),
  at: z.iso.datetime(),
  ip: z.optional(z.string()),
  /** Each box of a Meta form's custom disclaimer: its key and whether it was ticked. */
  boxes: z.optional(z.array(z.object({ key: z.string(), checked: z.boolean() }))),
});
export type Consent = z.infer<typeof Consent>;

/** An id that may arrive as a JSON number (parsed losslessly) but is always kept as a string. */
const StringId = z.pipe(z.union([z.string(), z.number().check(z.int())]), z.transform(String));

/** A lead as Meta's Graph API returns it (`GET /{leadgen_id}`); ids are strings. */
export const GraphLead = z.object({
  id: StringId,
  created_time: z.optional(z.string()),
  form_id: z.optional(StringId),
  ad_id: z.optional(StringId),
  ad_name: z.optional(z.string()),
  adset_id: z.optional(StringId),
  campaign_id: z.optional(StringId),
  campaign_name: z.optional(z.string()),
  is_organic: z.optional(z.boolean()),
  platform: z.optional(z.string()),
  field_data: z._default(
    z.array(z.object({ name: z.string(), values: z._default(z.array(z.string()), []) })),
    [],
  ),
  custom_disclaimer_responses: z.optional(
    z.array(
      z.object({
        checkbox_key: z.optional(z.string()),
        is_checked: z.optional(z.union([z.string(), z.boolean()])),
      }),
    ),
  ),
});
export type GraphLead = z.infer<typeof GraphLead>;

/** What a Meta webhook says about one lead: ids only; the answers are fetched in scoring. */
export const MetaNotice = z.object({
  leadgenId: z.string(),
  pageId: z.optional(z.string()),
  formId: z.string(),
  adId: z.optional(z.string()),
  adgroupId: z.optional(z.string()),
  createdTime: z.optional(z.number()),
  /** Present when the lead was read from the Graph API already (the reconcile job). */
  lead: z.optional(GraphLead),
});
export type MetaNotice = z.infer<typeof MetaNotice>;

/** What ingest puts on the intake queue: everything scoring needs, nothing it has to fetch for web forms. */
export const IntakeMessage = z.object({
  v: z.literal(1),
  leadId: z.string().check(z.minLength(1)),
  source: LeadSource,
  formId: z.string().check(z.minLength(1)),
  /** The platform's own id (leadgen_id, lead_id) or the web form's idempotency key. */
  externalId: z.optional(z.string()),
  receivedAt: z.iso.datetime(),
  /** When the person submitted, by the platform's own clock (Meta created_time, Google lead_submit_time). */
  submittedAt: z.optional(z.iso.datetime()),
  contact: Contact,
  answers: z._default(z.record(z.string(), z.string()), {}),
  /** The question text of answers keyed by an id (Google custom questions), for display. */
  answerLabels: z.optional(z.record(z.string(), z.string())),
  attribution: z._default(Attribution, { utm: {} }),
  request: z._default(RequestContext, {}),
  locale: Locale,
  defaultCountry: z.optional(z.string().check(z.length(2))),
  test: z._default(z.boolean(), false),
  consent: z.optional(Consent),
  /** Meta leads arrive as ids; scoring fetches the answers. */
  meta: z.optional(MetaNotice),
  /** Short-window duplicate key for web forms posted without an Idempotency-Key (a hash, never PII). */
  dedupeKey: z.optional(z.string()),
  /** The payload as received, kept (with a TTL) so the lead can be replayed after a bug. */
  raw: z.optional(z.string()),
  /** The payload was too large to travel with the lead: ingest kept it in the table before queueing. */
  rawKept: z.optional(z.boolean()),
  /** A spreadsheet row: which import and row, counted there once stored; `route: false` keeps it unassigned. */
  import: z.optional(
    z.object({ id: z.string(), row: z.number().check(z.int(), z.gte(2)), route: z.boolean() }),
  ),
});
export type IntakeMessage = z.infer<typeof IntakeMessage>;

export const RoutingMessage = z.object({
  v: z.literal(1),
  leadId: z.string().check(z.minLength(1)),
  /**
   * Pass the lead on from this rep's assignment, if it is still theirs and uncontacted: an SLA escalation, or the
   * rep answering "Not mine" on WhatsApp.
   */
  escalate: z.optional(
    z.object({
      fromRepId: z.string(),
      assignmentAt: z.iso.datetime(),
      reason: z._default(z.enum(['missed-sla', 'declined']), 'missed-sla'),
    }),
  ),
});
export type RoutingMessage = z.infer<typeof RoutingMessage>;

export const ScoreBreakdown = z.array(z.object({ ruleId: z.string(), points: z.number() }));

export const Score = z.object({
  total: z.number(),
  breakdown: ScoreBreakdown,
  grade: z.optional(z.string()),
  qualification: z._default(z.enum(['none', 'mql', 'sql']), 'none'),
});
export type Score = z.infer<typeof Score>;

export const LeadStatus = z.enum(LEAD_STATUSES);
export type LeadStatus = z.infer<typeof LeadStatus>;
export { CLOSED_STATUSES, isClosed };

/** One status change: what, when, who, for a lost or disqualified lead why, and how long the last stage took. */
export const StatusChange = z.object({
  status: LeadStatus,
  at: z.iso.datetime(),
  by: z.string(),
  reason: z.optional(z.string()),
  competitor: z.optional(z.string()),
  /** The status the lead left, and the minutes it spent there (from its last change, else its assignment). */
  from: z.optional(LeadStatus),
  stageMinutes: z.optional(z.number().check(z.gte(0))),
});
export type StatusChange = z.infer<typeof StatusChange>;

/** Why a lead went to its owner, so "why did Sara get this lead?" always has an answer. */
export const Assignment = z.object({
  repId: z.string(),
  poolId: z.string(),
  /** The pool's rotation slot (0 when no rotation was used: sticky owner, fallback owner, a manual move). */
  counter: z.number().check(z.int()),
  /** What decided it: `segment gulf`, `default pool`, `sticky owner`, `fallback owner`, `manual`. */
  rule: z._default(z.string(), 'rotation'),
  skipped: z._default(z.array(z.object({ repId: z.string(), why: z.string() })), []),
  reason: z.string(),
  /** Who moved the lead by hand. */
  by: z.optional(z.string()),
  at: z.iso.datetime(),
  /** The first-contact clock this assignment started: reminder at `dueAt`, escalation at `escalateAt`. */
  sla: z.optional(
    z.object({ minutes: z.number(), dueAt: z.iso.datetime(), escalateAt: z.optional(z.iso.datetime()) }),
  ),
});
export type Assignment = z.infer<typeof Assignment>;

/** Matching keys: only valid, normalised values; used for de-duplication, never shown. */
export const LeadKeys = z.object({
  email: z.optional(z.string()),
  phone: z.optional(z.string()),
  /** Folded name, to confirm a match by hand; never merges by itself. */
  name: z.optional(z.string()),
});

/** A later contact from a person who already has a lead: kept on that lead instead of a second lead. */
export const Touch = z.object({
  /** The lead id the contact would have had: makes recording a touch idempotent. */
  id: z.string(),
  at: z.iso.datetime(),
  source: LeadSource,
  formId: z.string(),
  externalId: z.optional(z.string()),
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
  repId: z.optional(z.string()),
  /** For escalations: who heard (`manager`) and what happened (`reassigned`); for nurture: sequence and step. */
  detail: z.optional(z.string()),
});
export type FollowUp = z.infer<typeof FollowUp>;

export const Lead = z.object({
  id: z.string(),
  source: LeadSource,
  formId: z.string(),
  externalId: z.optional(z.string()),
  receivedAt: z.iso.datetime(),
  /**
   * When the person submitted (the platform's clock; for web forms, the receipt): the start of the lead's wait.
   * Leads stored before it was kept have none; their wait starts at `receivedAt`.
   */
  submittedAt: z.optional(z.iso.datetime()),
  createdAt: z.iso.datetime(),
  contact: Contact,
  /** E.164 phone when the number is valid; the typed value stays in `contact.phone`. */
  phoneE164: z.optional(z.string()),
  phoneCountry: z.optional(z.string()),
  phoneType: z.optional(z.string()),
  emailDomain: z.optional(z.string()),
  emailFree: z.optional(z.boolean()),
  emailRole: z.optional(z.boolean()),
  keys: LeadKeys,
  /** False when the typed email is not a valid address: it is kept as typed, never mailed or used as a key. */
  emailValid: z.optional(z.boolean()),
  answers: z.record(z.string(), z.string()),
  answerLabels: z.optional(z.record(z.string(), z.string())),
  attribution: Attribution,
  locale: Locale,
  consent: z.optional(Consent),
  score: Score,
  segments: z.array(z.string()),
  status: LeadStatus,
  ownerId: z.optional(z.string()),
  assignment: z.optional(Assignment),
  /** The first contact (contacted, qualified or won): the end of the speed-to-lead clock. */
  firstContactAt: z.optional(z.iso.datetime()),
  statusHistory: z._default(z.array(StatusChange), []),
  /** Earlier assignments of this lead, oldest first (manual moves, escalations). */
  history: z._default(z.array(Assignment), []),
  /** Since when nobody could take the lead (it waits and is tried again). */
  unassignedSince: z.optional(z.iso.datetime()),
  /** The pool whose waiting list holds the lead while it is unassigned. */
  waitingPool: z.optional(z.string()),
  /** The owner of this person's earlier, closed lead: routing prefers them while they are active. */
  previousOwnerId: z.optional(z.string()),
  touches: z._default(z.array(Touch), []),
  /** What the automations did with the lead: reminders, escalations, nurture emails; each once. */
  followUps: z._default(z.array(FollowUp), []),
  lastTouchAt: z.optional(z.iso.datetime()),
  /** When a touch last wrote all the identity keys again (the keys were written at creation before that). */
  keysRefreshedAt: z.optional(z.iso.datetime()),
  /** The workspace's summary (notes and tasks are items of their own): the last note, the open tasks. */
  lastNote: z.optional(z.object({ at: z.iso.datetime(), by: z.string(), text: z.string() })),
  openTasks: z.optional(z.number().check(z.int(), z.gte(0))),
  nextTaskDueAt: z.optional(z.iso.datetime()),
  /** Bumped on every task change, so two changes at once cannot leave the summary wrong. */
  workspaceVersion: z.optional(z.number().check(z.int())),
  /** The import that created the lead, when a spreadsheet did. */
  importId: z.optional(z.string()),
  /** What the deal should be worth (set on the open lead, or with `qualified`): the forecast weighs it. */
  expectedValue: z.optional(Valued),
  /** What the won deal was worth (with `won`); a lost or disqualified lead keeps its expected value. */
  dealValue: z.optional(Valued),
  /** When the deal should close: the forecast's "this month". */
  expectedCloseDate: z.optional(z.iso.date()),
  /** Bumped by every change of the values above, so each change reaches the reports exactly once. */
  valueVersion: z.optional(z.number().check(z.int(), z.gte(0))),
  /** Bumped on every merge, for optimistic locking. */
  version: z._default(z.number().check(z.int()), 1),
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
