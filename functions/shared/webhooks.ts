import { createHash, randomBytes } from 'node:crypto';
import { displayName, type Lead } from './lead.ts';
import * as z from './zod.ts';

/** What a subscriber can hear of. */
export const WEBHOOK_EVENTS = [
  'lead.created',
  'lead.assigned',
  'lead.status_changed',
  'lead.won',
  'lead.lost',
  'lead.touched',
] as const;
export const WebhookEventType = z.enum(WEBHOOK_EVENTS);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** A Standard Webhooks secret: `whsec_` and the base64 of 24 to 64 random bytes. */
export const WebhookSecret = z
  .string()
  .check(
    z.regex(
      /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/,
      'a secret as Standard Webhooks writes it: whsec_ and base64 (24–64 bytes)',
    ),
  );

export const SubscriptionInput = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).check(z.maxLength(2000)),
  events: z.array(WebhookEventType).check(z.minLength(1), z.maxLength(WEBHOOK_EVENTS.length)),
  secret: z.optional(WebhookSecret),
  description: z.optional(z.string().check(z.trim(), z.maxLength(200))),
  by: z._default(z.string().check(z.trim(), z.minLength(1), z.maxLength(100), z.regex(/^[^\r\n]*$/)), 'ops'),
});
export type SubscriptionInput = z.infer<typeof SubscriptionInput>;

export const Subscription = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(WebhookEventType),
  secret: WebhookSecret,
  description: z.optional(z.string()),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  status: z.enum(['active', 'disabled']),
  /** Since when every delivery has failed; cleared by the next success. */
  failingSince: z.optional(z.iso.datetime()),
  disabledAt: z.optional(z.iso.datetime()),
  disabledReason: z.optional(z.string()),
});
export type Subscription = z.infer<typeof Subscription>;

/** A subscription as the API shows it: never its secret again after the answer that created it. */
export function publicSubscription(subscription: Subscription): Omit<Subscription, 'secret'> {
  const { secret: _secret, ...rest } = subscription;
  return rest;
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** One event waiting for one subscriber, in the lead's order (by the lead's version). */
export const OutboxEvent = z.object({
  subscriptionId: z.string(),
  leadId: z.string(),
  seq: z.string(),
  /** The `webhook-id`: the same on every try, so a subscriber can drop a repeat. */
  eventId: z.string(),
  type: WebhookEventType,
  /** The body as first built, sent unchanged on every try. */
  body: z.string(),
  attempts: z._default(z.number().check(z.int(), z.gte(0)), 0),
  createdAt: z.iso.datetime(),
  lastError: z.optional(z.string()),
});
export type OutboxEvent = z.infer<typeof OutboxEvent>;

export const DeliveryAttempt = z.object({
  eventId: z.string(),
  type: WebhookEventType,
  leadId: z.string(),
  attempt: z.number().check(z.int(), z.gte(1)),
  at: z.iso.datetime(),
  outcome: z.enum(['delivered', 'failed', 'dropped']),
  /** The subscriber's HTTP status; 0 when it never answered. */
  status: z.number().check(z.int()),
  ms: z.number().check(z.int(), z.gte(0)),
  error: z.optional(z.string()),
});
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;

/**
 * After a failed try, the wait before the next: 5 s, 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (a day and four
 * hours in all, as Svix and Stripe wait about a day). After the last, the event goes to the timer DLQ, from
 * which `npm run redrive -- --queue timers` tries it again.
 */
export const RETRY_SECONDS = [5, 60, 300, 1_800, 7_200, 18_000, 36_000, 36_000];

/** A subscriber failing every delivery this long is disabled (and the alarm says so). */
export const DISABLE_AFTER_HOURS = 72;

/** The events a lead change makes, oldest meaning first; test leads make none. */
export function leadEvents(before: Lead | undefined, after: Lead): WebhookEventType[] {
  if (after.test) return [];
  const events: WebhookEventType[] = [];
  if (before === undefined) events.push('lead.created');
  if (after.ownerId !== undefined && before?.ownerId !== after.ownerId) events.push('lead.assigned');
  if (before !== undefined && before.status !== after.status) {
    events.push('lead.status_changed');
    if (after.status === 'won') events.push('lead.won');
    if (after.status === 'lost') events.push('lead.lost');
  }
  if (before !== undefined && after.touches.length > before.touches.length) events.push('lead.touched');
  return events;
}

/**
 * Where an event sorts among the lead's: the change's number, then its place among that change's events. Every
 * change that makes an event adds one to what is counted here (an assignment, a status, a touch), so the number
 * grows with each and is the same however often one change is seen (a redelivered record, a replay).
 */
export function eventSeq(lead: Lead, type: WebhookEventType): string {
  const change =
    lead.statusHistory.length + lead.history.length + (lead.assignment ? 1 : 0) + lead.touches.length;
  return `${String(change).padStart(6, '0')}#${WEBHOOK_EVENTS.indexOf(type)}`;
}

/** The `webhook-id` of a lead's event for one subscriber: the same however often the change is seen. */
export function eventIdFor(subscriptionId: string, leadId: string, seq: string): string {
  return `msg_${createHash('sha256').update(`${subscriptionId}\n${leadId}\n${seq}`).digest('base64url').slice(0, 27)}`;
}

/** What a subscriber gets of a lead: who, where from, whose, how far; the answers and raw payload stay. */
export function leadSnapshot(lead: Lead) {
  return {
    id: lead.id,
    source: lead.source,
    formId: lead.formId,
    status: lead.status,
    ...(lead.ownerId ? { ownerId: lead.ownerId } : {}),
    name: displayName(lead.contact) ?? null,
    email: lead.contact.email ?? null,
    phone: lead.contact.phone ?? null,
    company: lead.contact.company ?? null,
    score: lead.score.total,
    segments: lead.segments,
    receivedAt: lead.receivedAt,
    ...(lead.firstContactAt ? { firstContactAt: lead.firstContactAt } : {}),
    ...(lead.dealValue
      ? { dealValue: { amount: lead.dealValue.amount, currency: lead.dealValue.currency } }
      : {}),
    touches: lead.touches.length,
  };
}

/** The body Standard Webhooks describes: `type`, `timestamp`, `data`. */
export function webhookBody(type: WebhookEventType, lead: Lead, at: string): string {
  return JSON.stringify({ type, timestamp: at, data: leadSnapshot(lead) });
}
