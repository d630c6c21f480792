import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from '../../shared/errors.ts';
import { type HttpResponse, htmlResponse } from '../../shared/http.ts';
import { leadIdFor } from '../../shared/ids.ts';
import type { Lead } from '../../shared/lead.ts';
import { ACTIONS, type Action, verifyAction, verifyUnsubscribe } from '../../shared/links.ts';
import { typedAmount } from '../../shared/money.ts';
import { zonedTimeToUtc } from '../../shared/workspace.ts';
import type { OpsDeps, OpsRoutes } from '../deps.ts';
import type { ChangeStatus } from '../lead-status.ts';
import { confirmPage, resultPage, unsubscribeConfirmPage, unsubscribeResultPage } from '../pages.ts';
import { createTaskPlanner } from '../plan-task.ts';
import { StatusEvent } from '../status.ts';

type LinkRouteKey =
  | 'GET /v1/leads/{leadId}/actions/{action}'
  | 'POST /v1/leads/{leadId}/actions/{action}'
  | 'GET /v1/unsubscribe'
  | 'POST /v1/unsubscribe';

/** The signed links in mail: a rep's one-click status actions and a lead's unsubscribe. No sign-in: the token is it. */
export function linkRoutes(
  deps: Pick<
    OpsDeps,
    'config' | 'leads' | 'reps' | 'suppressions' | 'workspace' | 'timers' | 'newId' | 'logger'
  >,
  changeStatus: ChangeStatus,
): OpsRoutes<LinkRouteKey> {
  const { config, logger } = deps;

  const { planTask } = createTaskPlanner(deps);

  /**
   * "Call back later" from the assignment email: a call task at the time the rep picked (their own wall time,
   * read in their zone), reminded like any task. The same form sent twice plans one call (its id comes from
   * the link and the time).
   */
  async function callBackLater(
    lead: Lead,
    repId: string,
    timeZone: string,
    form: URLSearchParams,
    token: string,
    now: Date,
  ): Promise<HttpResponse> {
    const locale = (await deps.reps.get(repId))?.locale ?? 'en';
    const dueAt = zonedTimeToUtc(form.get('dueAt') ?? '', timeZone);
    if (dueAt === undefined) return htmlResponse(400, confirmPage(locale, 'later', token));
    try {
      await planTask(
        lead,
        { type: 'call', dueAt },
        repId,
        now,
        repId,
        leadIdFor('call-back-later', `${token}#${dueAt}`),
      );
      return htmlResponse(200, resultPage(locale, 'done', 'later'));
    } catch (error) {
      if (error instanceof HttpError && error.code === 'task_changed')
        return htmlResponse(200, resultPage(locale, 'already', 'later'));
      throw error;
    }
  }

  /**
   * A signed link from a rep's email. GET only shows a confirm page (mail scanners follow links); the POST from
   * that page acts, as the rep the link was made for.
   */
  async function actionLink(event: APIGatewayProxyEventV2, leadId: string, now: Date): Promise<HttpResponse> {
    const action = event.pathParameters?.action ?? '';
    if (!(ACTIONS as readonly string[]).includes(action))
      throw new HttpError(404, 'unknown_action', `There is no action "${action}".`);
    const form = new URLSearchParams(event.requestContext.http.method === 'POST' ? (event.body ?? '') : '');
    const token = form.get('token') ?? event.queryStringParameters?.token ?? '';
    const verified = verifyAction(
      token,
      config.mail.linkSigningKey,
      { leadId, action },
      Math.floor(now.getTime() / 1000),
    );
    const typed = action as Action;
    if (!verified.ok) {
      logger.warn('action link refused', { leadId, action, why: verified.why });
      return htmlResponse(verified.why === 'expired' ? 410 : 403, resultPage('en', verified.why, typed));
    }
    const rep = await deps.reps.get(verified.grant.repId);
    const locale = rep?.locale ?? 'en';
    // A link acts only for the owner and the assignment it was mailed for: after a move or an escalation the
    // old owner's link would stop the new owner's clock. They hear the lead has moved on.
    const lead = await deps.leads.get(leadId);
    if (lead === undefined) return htmlResponse(404, resultPage(locale, 'invalid', typed));
    const grant = verified.grant;
    if (
      lead.ownerId !== grant.repId ||
      (grant.assignmentAt !== undefined && lead.assignment?.at !== grant.assignmentAt)
    ) {
      logger.info('action link of a former owner', { leadId, action });
      return htmlResponse(409, resultPage(locale, 'moved', typed));
    }
    const currency = config.money.reportingCurrency;
    if (event.requestContext.http.method === 'GET')
      return htmlResponse(200, confirmPage(locale, typed, token, currency));
    if (typed === 'later') return callBackLater(lead, grant.repId, rep?.timezone ?? 'UTC', form, token, now);
    const statusEvent = StatusEvent.safeParse({
      type: typed,
      by: verified.grant.repId,
      ...(form.get('reason') ? { reason: form.get('reason') } : {}),
      ...(form.get('competitor') ? { competitor: form.get('competitor') } : {}),
      ...(form.get('amount')?.trim()
        ? {
            amount: typedAmount(form.get('amount') ?? ''),
            currency: (form.get('currency') || currency).trim().toUpperCase(),
          }
        : {}),
    });
    if (!statusEvent.success) return htmlResponse(400, confirmPage(locale, typed, token, currency));
    try {
      const { changed } = await changeStatus(leadId, statusEvent.data, now);
      return htmlResponse(200, resultPage(locale, changed ? 'done' : 'already', typed));
    } catch (error) {
      if (error instanceof HttpError && error.status === 409)
        return htmlResponse(409, resultPage(locale, 'refused', typed));
      // An amount that cannot be read (or has no rate): the same page again, to correct it.
      if (error instanceof HttpError && error.status === 400)
        return htmlResponse(400, confirmPage(locale, typed, token, currency));
      throw error;
    }
  }

  /**
   * The unsubscribe link of a marketing email. GET asks (scanners follow links); POST unsubscribes at once:
   * both the confirm page's button and a mail client's RFC 8058 one-click (`List-Unsubscribe=One-Click`).
   */
  async function unsubscribe(event: APIGatewayProxyEventV2, now: Date): Promise<HttpResponse> {
    const post = event.requestContext.http.method === 'POST';
    const body = post ? (event.body ?? '') : '';
    const form = new URLSearchParams(
      post && event.isBase64Encoded ? Buffer.from(body, 'base64').toString() : body,
    );
    const leadId = form.get('lead') ?? event.queryStringParameters?.lead ?? '';
    const token = form.get('token') ?? event.queryStringParameters?.token ?? '';
    if (leadId === '' || !verifyUnsubscribe(leadId, token, config.mail.linkSigningKey)) {
      logger.warn('unsubscribe link refused', { leadId });
      return htmlResponse(403, unsubscribeResultPage('en', 'invalid'));
    }
    const lead = await deps.leads.get(leadId);
    const locale = lead?.locale ?? 'en';
    if (!post) return htmlResponse(200, unsubscribeConfirmPage(locale, leadId, token));
    const address = lead?.keys.email;
    if (address !== undefined)
      await deps.suppressions.suppress(address, {
        reason: 'unsubscribe',
        at: now.toISOString(),
        detail: leadId,
      });
    logger.info('lead unsubscribed', { leadId, oneClick: form.get('List-Unsubscribe') === 'One-Click' });
    return htmlResponse(200, unsubscribeResultPage(locale, 'done'));
  }

  return {
    'GET /v1/leads/{leadId}/actions/{action}': ({ event, now, leadId }) => actionLink(event, leadId, now),
    'POST /v1/leads/{leadId}/actions/{action}': ({ event, now, leadId }) => actionLink(event, leadId, now),
    'GET /v1/unsubscribe': ({ event, now }) => unsubscribe(event, now),
    'POST /v1/unsubscribe': ({ event, now }) => unsubscribe(event, now),
  };
}
