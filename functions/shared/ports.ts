import type { GraphLead, Lead } from './lead.ts';

/** A durable queue: `send` resolves only once the message is stored by the queue service. */
export interface MessageSender<T> {
  send(message: T): Promise<void>;
  /** Sends many; resolves only once every one is stored, else rejects (the caller answers 5xx, the sender retries). */
  sendAll(messages: readonly T[]): Promise<void>;
}

export type CreateResult = 'created' | 'exists';

export type KeyKind = 'email' | 'phone';
export type CreateOutcome =
  | { kind: 'created' }
  /** This lead id is stored already (a redelivery). */
  | { kind: 'exists' }
  /** Another lead holds one of the person's keys: this is a returning person. */
  | { kind: 'duplicate'; holders: { key: KeyKind; leadId: string }[] };
export type AssignResult = 'assigned' | 'already-assigned';

export interface LeadRepository {
  /** Stores a new lead unless a lead with this id exists (redelivery): a conditional put. */
  create(lead: Lead): Promise<CreateResult>;
  /**
   * Stores a new lead and claims its identity keys (valid phone, email) in one transaction, so two copies of
   * one person arriving at once end as one lead. `takeOver` claims keys held by another lead (a reopened one).
   */
  createWithKeys(
    lead: Lead,
    keys: readonly { kind: KeyKind; value: string }[],
    window: { nowEpoch: number; expiresAt: number },
    options?: { takeOver?: boolean },
  ): Promise<CreateOutcome>;
  /**
   * Saves what scoring owns of a lead (contact, keys, answers, touches, score, segments) if nobody changed it
   * since `expectedVersion`: a merged touch, or a re-score. Owner, assignment and status are untouched.
   */
  saveMerged(merged: Lead, expectedVersion: number): Promise<'recorded' | 'conflict'>;
  /** Points free (or own, or expired) identity keys at this lead for another window. Best effort. */
  refreshKeys(
    leadId: string,
    keys: readonly { kind: KeyKind; value: string }[],
    window: { nowEpoch: number; expiresAt: number },
  ): Promise<void>;
  /** Strongly consistent read. */
  get(id: string): Promise<Lead | undefined>;
  exists(id: string): Promise<boolean>;
  /** Keeps the payload as received, with a TTL, so the lead can be replayed after a bug. */
  keepRaw(
    id: string,
    raw: { source: string; payload?: string; graph?: string },
    expiresAt: number,
  ): Promise<void>;
  /**
   * Claims a short-window duplicate key for a lead: false when another lead holds it and it has not expired.
   * Idempotent for the same lead (a redelivery claims its own key again).
   */
  claimDedupeKey(key: string, leadId: string, nowEpoch: number, expiresAt: number): Promise<boolean>;
  /** Sets the owner only if the lead has none: a conditional update, so a lead is never assigned twice. */
  assign(id: string, assignment: NonNullable<Lead['assignment']>): Promise<AssignResult>;
}

/** Meta's lead store (the Graph API). Errors are GraphApiError: `permanent` ones need a person. */
export interface MetaLeads {
  getLead(leadgenId: string): Promise<GraphLead>;
  listFormLeads(formId: string, since: Date, after?: string): Promise<{ leads: GraphLead[]; after?: string }>;
}

export type FailureRecord = {
  source: string;
  externalId: string;
  leadId: string;
  code: string;
  message: string;
  hint: string;
  at: string;
};

export interface FailureLog {
  /** Upserts the failure of one lead, counting attempts, so ops can see what to fix. */
  record(failure: FailureRecord): Promise<void>;
}

export interface PoolCounter {
  /** Atomically increments the pool's rotation counter and returns the new value (1, 2, 3…). */
  next(poolId: string): Promise<number>;
}

export type OutgoingMail = {
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
  tags?: Record<string, string>;
};

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}
