import { Webhook } from 'standardwebhooks';
import { CRM_SUBSCRIPTION_ID, crmSubscription } from '../shared/crm/crm-config.ts';
import type { CrmLead } from '../shared/crm/odoo-leads.ts';
import type { Lead } from '../shared/lead.ts';
import { scheduleTimers } from '../shared/timer-service.ts';
import type { WebhookTimer } from '../shared/timers.ts';
import {
  eventIdFor,
  eventSeq,
  leadEvents,
  type OutboxEvent,
  type Subscription,
  webhookBody,
} from '../shared/webhooks.ts';
import type { NurtureDeps } from './deps.ts';

/**
 * How long subscriptions read once serve later records: a new one is heard of within this time. One Query of a
 * small partition per warm function per 2 s costs nothing worth saving.
 */
export const SUBSCRIPTIONS_CACHE_MS = 2_000;
/** Events one timer delivers before handing on to a fresh one (a lead with a long backlog). */
const EVENTS_PER_RUN = 20;
/** How long one try holds an event: longer than the POST's deadline. */
const LEASE_MS = 30_000;
/** The first try waits a moment, so a change's sibling events (one stream batch) are all in the outbox. */
const FIRST_TRY_SECONDS = 1;

export class WebhookUndeliverable extends Error {
  override readonly name = 'WebhookUndeliverable';
}

type Kit = Pick<NurtureDeps, 'config' | 'webhooks' | 'webhookSender' | 'crm' | 'timers' | 'logger' | 'now'>;

/**
 * The CRM as a subscriber of every event, built in: its pushes go through the same outbox, order, retries, DLQ
 * and delivery log as any webhook (GET /v1/subscriptions/crm-odoo/deliveries). It is never disabled.
 */
function crmOf(kit: Kit): Subscription | undefined {
  const odoo = kit.config.crm.odoo;
  return odoo === undefined || kit.crm === undefined ? undefined : crmSubscription(odoo);
}

const timerFor = (
  subscriptionId: string,
  leadId: string,
  seq: string,
  attempt: number,
  dueAt: Date,
): WebhookTimer => ({
  kind: 'webhook',
  id: `webhook#${subscriptionId}#${leadId}#${seq}#${attempt}`,
  leadId,
  subscriptionId,
  dueAt: dueAt.toISOString(),
});

/**
 * A lead change's events go into each interested subscriber's outbox for that lead, with a timer to deliver
 * them. Both steps are idempotent (the event's key is the lead's version and the event type; the timer's id
 * follows), so a redelivered stream record queues and schedules nothing twice.
 */
export function createWebhookFanout(kit: Kit) {
  let cached: { at: number; subscriptions: Promise<Subscription[]> } | undefined;
  const active = () => {
    const at = kit.now().getTime();
    if (cached === undefined || at - cached.at > SUBSCRIPTIONS_CACHE_MS) {
      const crm = crmOf(kit);
      const subscriptions = kit.webhooks
        .subscriptions()
        .then((all) => [...all.filter((s) => s.status === 'active'), ...(crm ? [crm] : [])]);
      cached = { at, subscriptions };
      subscriptions.catch(() => {
        cached = undefined;
      });
    }
    return cached.subscriptions;
  };

  return async (before: Lead | undefined, after: Lead, now: Date): Promise<void> => {
    const types = leadEvents(before, after);
    if (types.length === 0) return;
    const subscriptions = await active();
    const at = now.toISOString();
    const timers: WebhookTimer[] = [];
    for (const subscription of subscriptions) {
      const wanted = types.filter((t) => subscription.events.includes(t));
      for (const type of wanted) {
        const seq = eventSeq(after, type);
        await kit.webhooks.enqueue({
          subscriptionId: subscription.id,
          leadId: after.id,
          seq,
          eventId: eventIdFor(subscription.id, after.id, seq),
          type,
          body: webhookBody(type, after, at),
          attempts: 0,
          createdAt: at,
        });
      }
      const first = wanted[0];
      if (first !== undefined)
        timers.push(
          timerFor(
            subscription.id,
            after.id,
            eventSeq(after, first),
            0,
            new Date(now.getTime() + FIRST_TRY_SECONDS * 1000),
          ),
        );
    }
    if (timers.length > 0) await scheduleTimers(kit.timers, timers, now);
  };
}

/**
 * A webhook timer: the subscriber's oldest undelivered events of the lead, one by one, in order. A try holds its
 * event (a lease), so two timers never send one event at once. A failure waits its turn (`webhooks.retrySeconds`)
 * before the next try (the events behind it wait too: per lead, order is kept); after the last, the timer
 * message fails into the DLQ. A subscriber failing for `webhooks.disableAfterHours` is disabled, and says so in
 * the log (alarm).
 */
export function webhookDeliveryJob(kit: Kit) {
  return async (timer: WebhookTimer, lead: Lead, now: Date): Promise<string> => {
    const subscription =
      timer.subscriptionId === CRM_SUBSCRIPTION_ID
        ? crmOf(kit)
        : await kit.webhooks.subscription(timer.subscriptionId);
    if (subscription === undefined) return 'moot: subscription removed';
    if (subscription.status !== 'active') return `moot: subscription ${subscription.status}`;
    const signer = subscription.id === CRM_SUBSCRIPTION_ID ? undefined : new Webhook(subscription.secret);
    let delivered = 0;
    for (let i = 0; i < EVENTS_PER_RUN; i++) {
      const event = await kit.webhooks.oldest(subscription.id, lead.id);
      if (event === undefined) return delivered > 0 ? `delivered ${delivered}` : 'nothing pending';
      const at = kit.now();
      if (
        !(await kit.webhooks.lease(event, new Date(at.getTime() + LEASE_MS).toISOString(), at.toISOString()))
      )
        return delivered > 0 ? `delivered ${delivered}; another try holds the next` : 'another try holds it';
      const outcome = await attempt(subscription, signer, event);
      if (outcome.ok) {
        delivered++;
        continue;
      }
      return retryLater(subscription, event, outcome.error, now);
    }
    // A long backlog: the rest in a fresh timer, so one run stays short.
    const next = await kit.webhooks.oldest(subscription.id, lead.id);
    if (next)
      await scheduleTimers(
        kit.timers,
        [timerFor(subscription.id, lead.id, next.seq, next.attempts, now)],
        now,
      );
    return `delivered ${delivered}; more to come`;
  };

  async function attempt(
    subscription: Subscription,
    signer: Webhook | undefined,
    event: OutboxEvent,
  ): Promise<{ ok: true } | { ok: false; error: string }> {
    const sentAt = kit.now();
    const started = performance.now();
    let status = 0;
    let error: string | undefined;
    try {
      if (subscription.id === CRM_SUBSCRIPTION_ID && kit.crm) {
        const { data } = JSON.parse(event.body) as { data: CrmLead };
        await kit.crm.push(event.type, data);
        status = 200;
      } else {
        // Standard Webhooks: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, the same id on
        // every try of this event.
        if (signer === undefined) throw new Error('a webhook subscriber has no signer');
        const signature = signer.sign(event.eventId, sentAt, event.body);
        ({ status } = await kit.webhookSender.post(subscription.url, event.body, {
          'webhook-id': event.eventId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signature,
        }));
        if (status < 200 || status > 299) error = `HTTP ${status}`;
      }
    } catch (e) {
      error = `${(e as Error).name}: ${(e as Error).message}`.slice(0, 300);
    }
    const tries = event.attempts + 1;
    await kit.webhooks.log(subscription.id, {
      eventId: event.eventId,
      type: event.type,
      leadId: event.leadId,
      attempt: tries,
      at: sentAt.toISOString(),
      outcome: error === undefined ? 'delivered' : 'failed',
      status,
      ms: Math.round(performance.now() - started),
      ...(error ? { error } : {}),
    });
    if (error !== undefined) return { ok: false, error };
    await kit.webhooks.done(event);
    if (subscription.failingSince) await kit.webhooks.recordHealth(subscription.id, { failing: false });
    kit.logger.info('webhook delivered', {
      subscriptionId: subscription.id,
      leadId: event.leadId,
      type: event.type,
      attempt: tries,
      status,
    });
    return { ok: true };
  }

  async function retryLater(subscription: Subscription, event: OutboxEvent, error: string, now: Date) {
    const tries = await kit.webhooks.failed(event, error);
    const { retrySeconds, disableAfterHours } = kit.config.webhooks;
    const disableBefore = new Date(now.getTime() - disableAfterHours * 3_600_000).toISOString();
    // 410 Gone is the subscriber asking to stop (as Standard Webhooks suggests): no waiting for days.
    const gone = error === 'HTTP 410';
    const health = await kit.webhooks.recordHealth(subscription.id, {
      failing: true,
      at: now.toISOString(),
      disableBefore: gone ? new Date(now.getTime() + 1000).toISOString() : disableBefore,
      reason: gone
        ? 'the endpoint answered 410 Gone'
        : `every delivery failed for ${disableAfterHours} hours`,
    });
    kit.logger.warn('webhook delivery failed', {
      subscriptionId: subscription.id,
      leadId: event.leadId,
      type: event.type,
      attempt: tries,
      error: error.startsWith('HTTP') ? error : error.split(':')[0],
    });
    if (health === 'disabled') {
      // The line the WebhookSubscriptionDisabled alarm counts.
      kit.logger.error('webhook subscription disabled', { subscriptionId: subscription.id, gone });
      return 'subscription disabled';
    }
    const wait = retrySeconds[tries - 1];
    if (wait === undefined)
      throw new WebhookUndeliverable(
        `event ${event.eventId} for subscription ${subscription.id} failed ${tries} times; it waits in the timer DLQ`,
      );
    await scheduleTimers(
      kit.timers,
      [timerFor(subscription.id, event.leadId, event.seq, tries, new Date(now.getTime() + wait * 1000))],
      now,
    );
    return `failed (try ${tries}); next in ${wait} s`;
  }
}
