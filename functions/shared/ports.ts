import type { Channel } from './channel-config.ts';
import type { ChannelMessage, DeliveryStatus } from './channels/message.ts';
import type { RepConfig } from './config.ts';
import type { ImportOutcome, ImportRecord } from './imports.ts';
import type { Assignment, FollowUp, GraphLead, Lead, StatusChange } from './lead.ts';
import type { LeadListQuery, LeadSummary, ListedLead } from './lead-list.ts';
import type { Valued } from './money.ts';
import type { SearchQuery, SearchTerm } from './search.ts';
import type { Timer } from './timers.ts';
import type { DeliveryAttempt, OutboxEvent, Subscription } from './webhooks.ts';
import type { Note, Task, WorkspaceSummary } from './workspace.ts';

/** A durable queue: `send` resolves only once the message is stored by the queue service. */
export interface MessageSender<T> {
  /** `delaySeconds` (at most 900) hides the message that long: how a waiting lead is tried again later. */
  send(message: T, options?: { delaySeconds?: number }): Promise<void>;
  /** Sends many; resolves only once every one is stored, else rejects (the caller answers 5xx, the sender retries). */
  sendAll(messages: readonly T[], options?: { delaySeconds?: (message: T) => number }): Promise<void>;
}

export type CreateResult = 'created' | 'exists';

/** A rep as stored: the profile (seeded from the config, then managed by ops) and their open-lead count. */
export type RepRecord = RepConfig & {
  openLeads: number;
  /** Pools ops added the rep to, beyond those the config names. */
  pools?: string[];
  pausedReason?: string;
  updatedAt?: string;
  updatedBy?: string;
};
export type RepPatch = Partial<Omit<RepConfig, 'id'>> & {
  pausedReason?: string | undefined;
  pools?: string[];
};

export interface RepDirectory {
  /** Adds the configured reps that are not stored yet; changes nothing that ops changed since. */
  seed(reps: readonly RepConfig[], now: Date): Promise<number>;
  add(rep: RepConfig, by: string, now: Date): Promise<boolean>;
  /** Every rep, and the leads each got per local day (`<repId>#<date>` → count). */
  roster(): Promise<{ reps: RepRecord[]; days: Map<string, number> }>;
  get(id: string): Promise<RepRecord | undefined>;
  update(id: string, patch: RepPatch, by: string, now: Date): Promise<RepRecord | undefined>;
}

/** Capacity a rep must still have at the moment of assignment (checked in the same transaction). */
export type CapacityGuard = { repId: string; maxOpen?: number; perDay?: { date: string; limit: number } };

export type KeyKind = 'email' | 'phone';
export type CreateOutcome =
  | { kind: 'created' }
  /** This lead id is stored already (a redelivery). */
  | { kind: 'exists' }
  /** Another lead holds one of the person's keys: this is a returning person. */
  | { kind: 'duplicate'; holders: { key: KeyKind; leadId: string }[] };
export type AssignResult = 'assigned' | 'already-assigned' | 'rep-unavailable';

/** The lead list a dashboard pages through: newest first, filtered. */
export interface LeadLister {
  list(
    query: LeadListQuery,
    range: { from: string; to: string },
  ): Promise<{ leads: LeadSummary[]; next?: string }>;
  /** A page of the list with each lead's listed attributes (what the export writes). */
  page(
    query: LeadListQuery,
    range: { from: string; to: string },
  ): Promise<{ leads: ListedLead[]; next?: string }>;
  /** The listed attributes of these leads, in this order; ids of leads not stored are left out. */
  read(ids: readonly string[]): Promise<ListedLead[]>;
}

/** The search entries of leads: written when a lead is stored, read by key. */
export interface LeadSearch {
  index(leadId: string, terms: readonly SearchTerm[]): Promise<void>;
  lookup(query: SearchQuery): Promise<{ exact: string[]; byName: string[] }>;
}

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
  /** Strongly consistent reads of many leads, 100 to a request; a lead not stored has no entry. */
  getMany(ids: readonly string[]): Promise<Map<string, Lead>>;
  exists(id: string): Promise<boolean>;
  /** Keeps the payload as received, with a TTL, so the lead can be replayed after a bug. */
  keepRaw(
    id: string,
    raw: { source: string; payload?: string; graph?: string },
    expiresAt: number,
  ): Promise<void>;
  /** The kept payload, put together from its parts. */
  getRaw(id: string): Promise<{ source: string; payload?: string; graph?: string } | undefined>;
  /**
   * Claims a web form's Idempotency-Key (by its hash) for a body (by its hash): `retry` when the same key came
   * with the same body before, `conflict` when it came with another body (the caller answers 422).
   */
  claimIdempotencyKey(
    keyHash: string,
    claim: { bodyHash: string; leadId: string },
    nowEpoch: number,
    expiresAt: number,
  ): Promise<'new' | 'retry' | 'conflict'>;
  /**
   * Claims a short-window duplicate key for a lead: false when another lead holds it and it has not expired.
   * Idempotent for the same lead (a redelivery claims its own key again).
   */
  claimDedupeKey(key: string, leadId: string, nowEpoch: number, expiresAt: number): Promise<boolean>;
  /**
   * Sets the owner only if the lead has none: a conditional update, so a lead is never assigned twice. With a
   * capacity guard, the rep's counters move in the same transaction and a full rep refuses (`rep-unavailable`).
   */
  assign(id: string, assignment: Assignment, guard?: CapacityGuard): Promise<AssignResult>;
  /** Nobody can take the lead now: it waits (status `unassigned`) in the pool's waiting list. */
  markUnassigned(id: string, poolId: string, now: Date): Promise<void>;
  /** Leads waiting in a pool, oldest first. */
  waiting(poolId: string): Promise<string[]>;
  /**
   * A move (by hand or an escalation): the new assignment replaces the current one, which goes to the history.
   * Only an open lead moves. The old owner's place (`release`) and the new owner's (`take`, refused when full)
   * change in the same transaction as the owner.
   */
  reassign(
    id: string,
    assignment: Assignment,
    current: Pick<Lead, 'ownerId' | 'assignment'>,
    counts?: { release?: string; take?: CapacityGuard },
  ): Promise<'moved' | 'conflict' | 'rep-unavailable'>;
  leaveWaiting(id: string, poolId: string): Promise<void>;
  /** Records what an automation did, once per follow-up id: false when it was recorded before. */
  recordFollowUp(id: string, followUp: FollowUp): Promise<boolean>;
  /**
   * Records a status change if the lead is still in `expected` status (two clicks at once count once); with
   * `release`, that rep's open-lead count goes down in the same transaction (the lead closed).
   */
  recordStatus(
    id: string,
    update: StatusWrite,
    expected: Lead['status'],
    release?: string,
  ): Promise<'recorded' | 'conflict'>;
  /**
   * Sets an open lead's expected value and close date (`null` clears one) over the `valueVersion` it was read
   * with: `conflict` when it changed meanwhile, `closed` when the lead is won, lost or disqualified.
   */
  setValues(
    id: string,
    patch: ValuePatch,
    readVersion: number | undefined,
  ): Promise<'saved' | 'conflict' | 'closed'>;
}

/** A status change as written: the status, its record, the first contact, the amount it came with. */
export type StatusWrite = {
  status: Lead['status'];
  change: StatusChange;
  firstContactAt?: string;
  value?: { field: 'expectedValue' | 'dealValue'; money: Valued };
};

export type ValuePatch = { expectedValue?: Valued | null; expectedCloseDate?: string | null };

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
  /**
   * Atomically reserves `count` rotation slots of the pool and returns the last one: the block is
   * [last − count + 1, last]. One write serves a whole batch, which lifts the one-item ceiling tenfold.
   */
  next(poolId: string, count?: number): Promise<number>;
}

/** A stored timer and what has happened to it. */
export type TimerState = { fired: boolean; indexed: boolean };

export interface TimerStore {
  /**
   * Stores a timer once (by id). `indexed` puts it in the due index for a sweep to enqueue; otherwise the caller
   * enqueues it now. When it exists already, says what state it is in.
   */
  put(timer: Timer, options: { indexed: boolean; now: Date }): Promise<'created' | TimerState>;
  /** Timers in one due-index partition, due at or before `until`, oldest first. */
  due(bucket: string, until: string): Promise<Timer[]>;
  /** Takes an enqueued timer out of the due index (a sweep that repeats it only sends a duplicate). */
  markEnqueued(id: string, now: Date): Promise<void>;
  /** Records that the timer fired and what it did; `already` when it had fired before. */
  markFired(id: string, now: Date, outcome: string): Promise<'fired' | 'already'>;
}

export type Suppression = { reason: 'unsubscribe' | 'bounce' | 'complaint'; at: string; detail?: string };

/** Addresses never to mail again: unsubscribes, hard bounces and complaints. Keyed by the normalised address. */
export interface SuppressionList {
  suppress(address: string, suppression: Suppression): Promise<void>;
  /** The suppressions among these addresses (one batch read for a whole mail). */
  find(addresses: readonly string[]): Promise<Map<string, Suppression>>;
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

export type KpiTable = 'rt' | 'funnel' | 'forecast';

/** One lead event for the KPI aggregates. */
export type KpiEntry = {
  leadId: string;
  event: {
    key: string;
    table: KpiTable;
    day: string;
    dims: readonly { type: string; value: string }[];
    adds: Record<string, number>;
  };
};

/** A lead event read from a stream record: where the record stands in its shard. */
export type ShardKpiEntry = KpiEntry & { sequence: string };

/** Aggregates that each lead event changes exactly once. */
export interface KpiStore {
  /** Counts the events not counted before, by a marker per event; returns those it counted now. */
  recordAll(entries: readonly KpiEntry[]): Promise<KpiEntry[]>;
  /**
   * Counts the events of one shard's records that lie past the shard's counted position, and moves the position
   * to the last of them, in one transaction; returns those it counted now. The records must be the first time
   * their shard is read in order (one batch of a shard at a time, as Lambda reads a stream).
   */
  recordFromShard(shardId: string, entries: readonly ShardKpiEntry[], nowEpoch: number): Promise<KpiEntry[]>;
  /** Aggregate rows of one dimension type for days from…to (inclusive): cost independent of the lead count. */
  query(
    table: KpiTable,
    dimType: string,
    from: string,
    to: string,
  ): Promise<{ day: string; value: string; adds: Record<string, number> }[]>;
}

/** A task write: the task as it will be, what it must be now, and the lead summary made from all its tasks. */
export type TaskWrite = {
  task: Task;
  /** `new` for a new task; else the status and due time it was read with (a concurrent change is a conflict). */
  expect: 'new' | { status: Task['status']; dueAt: string };
  summary: Pick<WorkspaceSummary, 'openTasks' | 'nextTaskDueAt'>;
  /** The lead's `workspaceVersion` the summary was made from. */
  leadVersion: number | undefined;
};

/** A lead's notes and tasks, and each rep's agenda. */
export interface Workspace {
  timeline(leadId: string): Promise<{ notes: Note[]; tasks: Task[]; messages: ChannelMessage[] }>;
  addNote(note: Note, lastNote: NonNullable<WorkspaceSummary['lastNote']>): Promise<'added' | 'no-lead'>;
  getTask(leadId: string, taskId: string): Promise<Task | undefined>;
  writeTask(write: TaskWrite): Promise<'saved' | 'conflict'>;
  /** A rep's open tasks due until then (ISO), soonest first. */
  agenda(ownerId: string, until: string): Promise<Task[]>;
  /** A lead's open tasks become its new owner's (their agenda, their reminders); answers how many moved. */
  handOver(leadId: string, toOwnerId: string): Promise<number>;
}

/** A day's ad spend on one source's campaign, in its currency and the reporting one. */
export type SpendRow = { day: string; source: string; campaign: string; amount: Valued };

/** Ad spend: one figure per source, campaign and day, summed by day for the ROI report. */
export interface SpendBook {
  /** Sets the day's spend (a second report of the same day replaces the first): `same` when nothing changed. */
  put(row: SpendRow): Promise<'set' | 'same'>;
}

/** Imported spreadsheets: the import's record, and each row's outcome counted once as the pipeline stores it. */
export interface ImportLog {
  create(record: ImportRecord): Promise<void>;
  get(id: string): Promise<ImportRecord | undefined>;
  /** Counts the row's outcome once, however often its message is delivered; false when it was counted already. */
  recordRow(importId: string, row: number, outcome: ImportOutcome, leadId: string): Promise<boolean>;
  /** Queueing stopped part-way: said on the record, so the import is not waited on forever. */
  markInterrupted(id: string, why: string): Promise<void>;
}

/** A WhatsApp Cloud API message: an approved template (any time) or text (inside the 24-hour service window). */
export type WhatsAppOutgoing =
  | {
      type: 'template';
      to: string;
      template: { name: string; language: string; body: string[]; buttons: string[] };
      /** Comes back on every status of the message (Meta's biz_opaque_callback_data). */
      callbackData?: string;
    }
  | { type: 'text'; to: string; text: string; callbackData?: string };

export interface WhatsAppSender {
  send(message: WhatsAppOutgoing): Promise<{ id: string }>;
}

export type SmsOutgoing = { to: string; body: string; context?: Record<string, string> };

export interface SmsSender {
  send(sms: SmsOutgoing): Promise<{ messageId: string }>;
}

/** Posts JSON to a chat's webhook; throws when the chat did not take it. */
export interface ChatPoster {
  post(request: { url: string; body: Record<string, unknown> }): Promise<void>;
}

/**
 * A send's claim on its message: ours to send, already sent (its id), sent with no answer (maybe delivered: never
 * again), or held by a send still running.
 */
export type MessageClaim =
  | { kind: 'claimed' }
  | { kind: 'sent'; externalId?: string }
  | { kind: 'unknown' }
  /**
   * It failed before, and the notice then reached the person on a later channel: not tried again. `unrecorded`:
   * the claim was taken (the failure's write died with its invocation), and the caller writes the failure.
   */
  | { kind: 'superseded'; reachedBy: Channel; unrecorded?: true }
  | { kind: 'held' };

/** The messages of a lead's timeline, one per notice, channel and person. */
export interface MessageLog {
  /** Writes the outcome of a try, and frees the message's claim. */
  record(message: ChannelMessage): Promise<void>;
  /**
   * Claims the message for one send until `untilMs` (epoch ms): refused when it was sent or may have been
   * (outcome unknown), when it failed and a later channel reached the person (`reachedBy`), or when another
   * send holds a claim that has not expired at `nowMs`. A message tried before is also superseded when one of
   * `laterInChain` (the ids of the channels its notice tries after it) was sent.
   */
  claim(
    leadId: string,
    messageId: string,
    untilMs: number,
    nowMs: number,
    laterInChain?: readonly string[],
  ): Promise<MessageClaim>;
  /** A channel's later report (WhatsApp's statuses); ignored when it does not move the message on. */
  updateStatus(
    leadId: string,
    messageId: string,
    status: DeliveryStatus,
    at: string,
    detail?: string,
  ): Promise<'updated' | 'ignored'>;
}

/** Outbound webhooks: subscriptions, each subscriber's per-lead outbox, and the delivery log. */
export interface WebhookStore {
  addSubscription(subscription: Subscription): Promise<void>;
  subscriptions(): Promise<Subscription[]>;
  subscription(id: string): Promise<Subscription | undefined>;
  removeSubscription(id: string): Promise<boolean>;
  setStatus(id: string, status: Subscription['status']): Promise<Subscription | undefined>;
  /** A delivery's verdict on the subscriber: healthy again, or failing (and disabled once failing long enough). */
  recordHealth(
    id: string,
    health: { failing: false } | { failing: true; at: string; disableBefore?: string; reason?: string },
  ): Promise<'ok' | 'failing' | 'disabled'>;
  enqueue(event: OutboxEvent): Promise<'queued' | 'exists'>;
  /** The subscriber's oldest undelivered event of the lead. */
  oldest(subscriptionId: string, leadId: string): Promise<OutboxEvent | undefined>;
  /** Takes the event for one delivery attempt until `until`; false when another attempt holds it. */
  lease(event: OutboxEvent, until: string, now: string): Promise<boolean>;
  /** Counts a failed try and frees the event; the number of tries so far. */
  failed(event: OutboxEvent, error: string): Promise<number>;
  done(event: OutboxEvent): Promise<void>;
  log(subscriptionId: string, attempt: DeliveryAttempt): Promise<void>;
  deliveries(subscriptionId: string, limit: number): Promise<DeliveryAttempt[]>;
}

/** POSTs a signed webhook to a subscriber; the answer's status (a refused address throws). */
export interface WebhookSender {
  post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number }>;
}
