import { isIP } from 'node:net';
import { CRM_SUBSCRIPTION_ID, crmSubscription } from '../../shared/crm/crm-config.ts';
import { HttpError } from '../../shared/errors.ts';
import { jsonResponse } from '../../shared/http.ts';
import { refusedAddress, refusedUrl } from '../../shared/outbound-http.ts';
import {
  newWebhookSecret,
  publicSubscription,
  type Subscription,
  SubscriptionInput,
} from '../../shared/webhooks.ts';
import * as z from '../../shared/zod.ts';
import { parseBody, parseQuery, requireManager, UUID } from '../core.ts';
import type { OpsDeps, OpsRequest, OpsRoutes } from '../deps.ts';

type SubscriptionRouteKey =
  | 'POST /v1/subscriptions'
  | 'GET /v1/subscriptions'
  | 'DELETE /v1/subscriptions/{subscriptionId}'
  | 'GET /v1/subscriptions/{subscriptionId}/deliveries';

const DeliveriesQuery = z.object({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(500)), 100),
});

/**
 * Outbound webhooks for any tool (a CRM, a spreadsheet, Zapier, n8n): a manager subscribes a URL to lead events;
 * deliveries follow Standard Webhooks and are logged per subscription.
 */
export function subscriptionRoutes(
  deps: Pick<OpsDeps, 'config' | 'webhooks' | 'allowLoopback' | 'newId' | 'logger'>,
): OpsRoutes<SubscriptionRouteKey> {
  const { logger } = deps;

  function subscriptionIdOf(request: OpsRequest): string {
    const id = request.event.pathParameters?.subscriptionId ?? '';
    if (!UUID.test(id) && id !== CRM_SUBSCRIPTION_ID)
      throw new HttpError(404, 'unknown_subscription', `There is no subscription "${id.slice(0, 100)}".`);
    return id;
  }

  /** HTTPS to a public address only (loopback in local runs): no webhook into the VPC or the metadata service. */
  function checkUrl(url: string): void {
    const refused = refusedUrl(url, deps.allowLoopback);
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    const address = refused ?? (isIP(host) !== 0 ? refusedAddress(host, deps.allowLoopback) : undefined);
    if (address)
      throw new HttpError(400, 'url_refused', `This URL cannot receive webhooks: ${address}.`, [
        { path: 'url', message: address },
      ]);
  }

  return {
    'POST /v1/subscriptions': async ({ event, now, viewer }) => {
      requireManager(viewer, 'subscribe to webhooks');
      const input = parseBody(SubscriptionInput, event.body);
      checkUrl(input.url);
      const subscription: Subscription = {
        id: deps.newId(),
        url: input.url,
        events: [...new Set(input.events)],
        secret: input.secret ?? newWebhookSecret(),
        ...(input.description ? { description: input.description } : {}),
        createdAt: now.toISOString(),
        createdBy: input.by,
        status: 'active',
      };
      await deps.webhooks.addSubscription(subscription);
      logger.info('webhook subscription added', {
        subscriptionId: subscription.id,
        events: subscription.events,
      });
      // The secret is shown once, here: keep it to check the signatures.
      return jsonResponse(201, { ...publicSubscription(subscription), secret: subscription.secret });
    },
    'GET /v1/subscriptions': async ({ viewer }) => {
      requireManager(viewer, 'see webhook subscriptions');
      const all = await deps.webhooks.subscriptions();
      return jsonResponse(200, { subscriptions: all.map(publicSubscription) });
    },
    'DELETE /v1/subscriptions/{subscriptionId}': async (request) => {
      requireManager(request.viewer, 'remove a webhook subscription');
      const id = subscriptionIdOf(request);
      if (!(await deps.webhooks.removeSubscription(id)))
        throw new HttpError(404, 'unknown_subscription', `There is no subscription "${id}".`);
      logger.info('webhook subscription removed', { subscriptionId: id });
      return jsonResponse(200, { removed: id });
    },
    'GET /v1/subscriptions/{subscriptionId}/deliveries': async (request) => {
      requireManager(request.viewer, 'see webhook deliveries');
      const id = subscriptionIdOf(request);
      // The CRM's pushes are logged like a subscriber's deliveries, under its own id.
      const odoo = deps.config.crm.odoo;
      const subscription =
        id === CRM_SUBSCRIPTION_ID && odoo ? crmSubscription(odoo) : await deps.webhooks.subscription(id);
      if (subscription === undefined)
        throw new HttpError(404, 'unknown_subscription', `There is no subscription "${id}".`);
      const { limit } = parseQuery(DeliveriesQuery, request.event.queryStringParameters);
      return jsonResponse(200, {
        subscription: publicSubscription(subscription),
        deliveries: await deps.webhooks.deliveries(id, limit),
      });
    },
  };
}
