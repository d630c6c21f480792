import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { z } from 'zod';
import type { Config } from '../shared/config.ts';
import { assetResponse, type DashboardAssets, type DashboardSignIn } from '../shared/dashboard-assets.ts';
import { HttpError } from '../shared/errors.ts';
import { errorResponse, type HttpResponse, htmlResponse, jsonResponse } from '../shared/http.ts';
import { summariseFunnel, summariseResponseTimes } from '../shared/kpi.ts';
import type { Lead, RoutingMessage } from '../shared/lead.ts';
import { LeadListQuery } from '../shared/lead-list.ts';
import { ACTIONS, type Action, verifyAction, verifyUnsubscribe } from '../shared/links.ts';
import type {
  KpiStore,
  LeadLister,
  LeadRepository,
  MessageSender,
  RepDirectory,
  RepRecord,
  SuppressionList,
} from '../shared/ports.ts';
import { DASHBOARD_API_PREFIX, type OpsRouteKey } from '../shared/routes.ts';
import { withSla } from '../shared/sla.ts';
import {
  KpiQuery,
  kpiRange,
  listRange,
  manualAssignment,
  NewRepInput,
  PauseInput,
  parseBody,
  parseQuery,
  ReassignInput,
  RepPatchInput,
  ResumeInput,
  requireManager,
  type Viewer,
  viewerOf,
} from './core.ts';
import { confirmPage, resultPage, unsubscribeConfirmPage, unsubscribeResultPage } from './pages.ts';
import { applyStatusEvent, StatusEvent } from './status.ts';

/** The claims API Gateway's JWT authorizer passes on; absent on IAM and public routes. */
const JwtAuthorizer = z.object({
  authorizer: z
    .object({
      jwt: z.object({
        claims: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])),
      }),
    })
    .optional(),
});

/** What a route's handler gets: the event, the clock's reading, the path's ids, and who is asking. */
type OpsRequest = {
  event: APIGatewayProxyEventV2;
  now: Date;
  leadId: string;
  repId: string;
  viewer: Viewer;
  routeKey: string;
};

export type OpsDeps = {
  config: Config;
  leads: LeadRepository;
  lister: LeadLister;
  /** The dashboard's built files; without them `/dashboard` answers 404. */
  dashboard?: DashboardAssets;
  /** Cognito's sign-in for the dashboard in AWS; locally none (loopback needs no sign-in). */
  signIn?: DashboardSignIn;
  reps: RepDirectory;
  kpis: KpiStore;
  routingQueue: MessageSender<RoutingMessage>;
  suppressions: SuppressionList;
  now: () => Date;
  logger: Logger;
};

/**
 * The ops API: read a lead, move it by hand, manage reps. In AWS these routes need IAM-signed requests; the
 * local runner serves them on loopback only.
 */
export function createOpsHandler(deps: OpsDeps) {
  const { config, logger } = deps;

  async function repOr404(id: string): Promise<RepRecord> {
    const rep = await deps.reps.get(id);
    if (rep === undefined) throw new HttpError(404, 'unknown_rep', `There is no rep "${id}".`);
    return rep;
  }

  /** A rep who can take leads again may be what waiting leads wait for: send them back to routing now. */
  async function wakeWaitingLeads(rep: RepRecord): Promise<number> {
    const pools = config.routing.pools.filter((p) => p.reps.includes(rep.id) || rep.pools?.includes(p.id));
    const ids = (await Promise.all(pools.map((p) => deps.leads.waiting(p.id)))).flat();
    await deps.routingQueue.sendAll([...new Set(ids)].map((leadId) => ({ v: 1 as const, leadId })));
    return ids.length;
  }

  async function changeRep(
    id: string,
    patch: Parameters<RepDirectory['update']>[1],
    by: string,
  ): Promise<HttpResponse> {
    await repOr404(id);
    const updated = await deps.reps.update(id, patch, by, deps.now());
    if (updated === undefined) throw new HttpError(404, 'unknown_rep', `There is no rep "${id}".`);
    const woken = updated.active ? await wakeWaitingLeads(updated) : 0;
    logger.info('rep changed', { repId: id, fields: Object.keys(patch), woken });
    return jsonResponse(200, { rep: updated, waitingLeadsRequeued: woken });
  }

  /** Applies a status event, once: a repeated or concurrent click changes nothing more. */
  async function changeStatus(
    leadId: string,
    statusEvent: StatusEvent,
    now: Date,
  ): Promise<{ lead: Lead; changed: boolean }> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const lead = await deps.leads.get(leadId);
      if (lead === undefined) throw new HttpError(404, 'unknown_lead', `There is no lead "${leadId}".`);
      const update = applyStatusEvent(lead, statusEvent, now);
      if (update === undefined) return { lead, changed: false };
      // A closed lead frees a place in its owner's capacity, in the transaction that closes it.
      const closes = (update.status === 'won' || update.status === 'lost') && lead.ownerId !== undefined;
      const owner = closes && lead.ownerId ? await deps.reps.get(lead.ownerId) : undefined;
      const release = owner?.capacity?.maxOpen !== undefined ? owner.id : undefined;
      if ((await deps.leads.recordStatus(lead.id, update, lead.status, release)) === 'conflict') continue;
      logger.info('lead status changed', { leadId, from: lead.status, to: update.status });
      return { lead: (await deps.leads.get(lead.id)) ?? lead, changed: true };
    }
    throw new HttpError(409, 'status_changed', 'The lead changed meanwhile; read it again and retry.');
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
    if (event.requestContext.http.method === 'GET')
      return htmlResponse(200, confirmPage(locale, typed, token));
    const statusEvent = StatusEvent.safeParse({
      type: typed,
      by: verified.grant.repId,
      ...(form.get('reason') ? { reason: form.get('reason') } : {}),
      ...(form.get('competitor') ? { competitor: form.get('competitor') } : {}),
    });
    if (!statusEvent.success) return htmlResponse(400, confirmPage(locale, typed, token));
    try {
      const { changed } = await changeStatus(leadId, statusEvent.data, now);
      return htmlResponse(200, resultPage(locale, changed ? 'done' : 'already', typed));
    } catch (error) {
      if (error instanceof HttpError && error.status === 409)
        return htmlResponse(409, resultPage(locale, 'refused', typed));
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

  const LEAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  /** A lead the viewer may see: a rep asking for another rep's lead hears it does not exist. */
  async function visibleLead(leadId: string, viewer: Viewer): Promise<Lead> {
    const lead = await deps.leads.get(leadId);
    if (lead === undefined || (viewer.role === 'rep' && lead.ownerId !== viewer.repId))
      throw new HttpError(404, 'unknown_lead', `There is no lead "${leadId}".`);
    return lead;
  }

  function ownRep(viewer: Viewer, repId: string): void {
    if (viewer.role === 'rep' && viewer.repId !== repId)
      throw new HttpError(403, 'not_your_record', 'A rep can change only their own availability.');
  }

  /** Every ops route of functions/shared/routes.ts, each once: the compiler refuses a route without a handler. */
  const dashboardFile = async ({ event }: OpsRequest) => {
    const name = event.pathParameters?.asset ?? 'index.html';
    if (name === 'config.json')
      return assetResponse({
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify({ signIn: deps.signIn ?? null }),
      });
    const files = deps.dashboard ?? {};
    const asset = Object.hasOwn(files, name) ? files[name] : undefined;
    if (asset === undefined)
      throw new HttpError(404, 'not_found', `There is no dashboard file "${event.pathParameters?.asset}".`);
    return assetResponse(asset);
  };
  const actionLinkRoute = async ({ event, now, leadId }: OpsRequest) => {
    return actionLink(event, leadId, now);
  };
  const unsubscribeRoute = async ({ event, now }: OpsRequest) => {
    return unsubscribe(event, now);
  };
  const kpiReport = async ({ event, now, viewer, routeKey }: OpsRequest) => {
    const asked = parseQuery(KpiQuery, event.queryStringParameters);
    // A rep's figures are their own row of the per-rep aggregates.
    const query = viewer.role === 'rep' ? { ...asked, groupBy: 'rep' as const } : asked;
    const { from, to } = kpiRange(query, now);
    const table = routeKey === 'GET /v1/kpi/funnel' ? 'funnel' : 'rt';
    const dimType = query.groupBy === 'day' ? 'all' : query.groupBy;
    const rows = (await deps.kpis.query(table, dimType, from, to))
      .filter((r) => viewer.role !== 'rep' || r.value === viewer.repId)
      .map((r) => ({ day: r.day, group: query.groupBy === 'day' ? r.day : r.value, adds: r.adds }));
    const summarise = table === 'rt' ? summariseResponseTimes : summariseFunnel;
    const days = [...new Set(rows.map((r) => r.day))].sort();
    return jsonResponse(200, {
      from,
      to,
      groupBy: query.groupBy,
      ...(table === 'rt' ? { slaMinutes: config.sla.firstContactMinutes } : {}),
      groups: summarise(rows),
      ...(query.daily
        ? { days: days.map((day) => ({ day, groups: summarise(rows.filter((r) => r.day === day)) })) }
        : {}),
    });
  };

  const routes: Record<OpsRouteKey, (request: OpsRequest) => Promise<HttpResponse>> = {
    'GET /dashboard': dashboardFile,
    'GET /dashboard/{asset}': dashboardFile,
    'GET /v1/leads': async ({ event, now, viewer }: OpsRequest) => {
      const query = parseQuery(LeadListQuery, event.queryStringParameters);
      const range = listRange(query, now);
      const scoped = viewer.role === 'rep' ? { ...query, ownerId: viewer.repId } : query;
      return jsonResponse(200, { ...range, ...(await deps.lister.list(scoped, range)) });
    },
    'GET /v1/leads/{leadId}': async ({ leadId, viewer }: OpsRequest) => {
      return jsonResponse(200, { lead: await visibleLead(leadId, viewer) });
    },
    'POST /v1/leads/{leadId}/assign': async ({ event, now, leadId, viewer }: OpsRequest) => {
      requireManager(viewer, 'move a lead to another rep');
      const input = parseBody(ReassignInput, event.body);
      const lead = await deps.leads.get(leadId);
      if (lead === undefined) throw new HttpError(404, 'unknown_lead', `There is no lead "${leadId}".`);
      const rep = await repOr404(input.repId);
      if (lead.status === 'won' || lead.status === 'lost')
        throw new HttpError(
          409,
          'lead_closed',
          `The lead is ${lead.status}: a closed lead is not moved (its owner would be mailed a "new" lead and a clock started).`,
        );
      if (lead.ownerId === rep.id) return jsonResponse(200, { lead, moved: false });
      // A manual move starts a new first-contact clock for the new owner; capacity follows the lead in the
      // same transaction (a manager may move a lead to a full rep on purpose: no limit on `take`).
      const assignment = withSla(manualAssignment(lead, input, now), config, lead, rep);
      const previous = lead.ownerId ? await deps.reps.get(lead.ownerId) : undefined;
      const moved = await deps.leads.reassign(lead.id, assignment, lead, {
        ...(previous?.capacity?.maxOpen !== undefined ? { release: previous.id } : {}),
        ...(rep.capacity?.maxOpen !== undefined
          ? { take: { repId: rep.id, maxOpen: Number.MAX_SAFE_INTEGER } }
          : {}),
      });
      if (moved !== 'moved')
        throw new HttpError(
          409,
          'owner_changed',
          'The lead changed owner or closed meanwhile; read it again and retry.',
        );
      if (lead.waitingPool) await deps.leads.leaveWaiting(lead.id, lead.waitingPool);
      logger.info('lead moved by hand', { leadId, from: lead.ownerId, to: rep.id });
      return jsonResponse(200, { lead: await deps.leads.get(lead.id), moved: true });
    },
    'POST /v1/leads/{leadId}/events': async ({ event, now, leadId, viewer }: OpsRequest) => {
      const input = parseBody(StatusEvent, event.body);
      // A rep may act only on their own lead (one more read; a manager's request costs what it did).
      if (viewer.role === 'rep') await visibleLead(leadId, viewer);
      // A signed-in rep acts as themself, whatever the body says.
      const statusEvent = viewer.role === 'rep' ? { ...input, by: viewer.repId } : input;
      const { lead, changed } = await changeStatus(leadId, statusEvent, now);
      return jsonResponse(200, { lead, changed });
    },
    'GET /v1/leads/{leadId}/actions/{action}': actionLinkRoute,
    'POST /v1/leads/{leadId}/actions/{action}': actionLinkRoute,
    'GET /v1/unsubscribe': unsubscribeRoute,
    'POST /v1/unsubscribe': unsubscribeRoute,
    'GET /v1/kpi/response-time': kpiReport,
    'GET /v1/kpi/funnel': kpiReport,
    'GET /v1/reps': async ({ now, viewer }: OpsRequest) => {
      const { reps, days } = await deps.reps.roster();
      const today = now.toISOString().slice(0, 10);
      const visible = viewer.role === 'rep' ? reps.filter((r) => r.id === viewer.repId) : reps;
      // Today's leads per rep: the roster counts per rep and their local day; UTC's today is close enough here.
      return jsonResponse(200, {
        reps: visible.map((r) => ({ ...r, leadsToday: days.get(`${r.id}#${today}`) ?? 0 })),
      });
    },
    'POST /v1/reps': async ({ event, now, viewer }: OpsRequest) => {
      requireManager(viewer, 'add a rep');
      const { by, ...rep } = parseBody(NewRepInput, event.body);
      if (!(await deps.reps.add(rep, by, now)))
        throw new HttpError(409, 'rep_exists', `A rep "${rep.id}" exists already.`);
      if (rep.pools) await deps.reps.update(rep.id, { pools: rep.pools }, by, now);
      logger.info('rep added', { repId: rep.id });
      return jsonResponse(201, { rep: await deps.reps.get(rep.id) });
    },
    'PATCH /v1/reps/{repId}': async ({ event, repId, viewer }: OpsRequest) => {
      requireManager(viewer, 'change a rep');
      const { by, ...patch } = parseBody(RepPatchInput, event.body);
      return changeRep(repId, patch, by);
    },
    'POST /v1/reps/{repId}/pause': async ({ event, repId, viewer }: OpsRequest) => {
      const { by, reason } = parseBody(PauseInput, event.body);
      ownRep(viewer, repId);
      const who = viewer.role === 'rep' ? viewer.repId : by;
      return changeRep(repId, { active: false, pausedReason: reason ?? 'paused' }, who);
    },
    'POST /v1/reps/{repId}/resume': async ({ event, repId, viewer }: OpsRequest) => {
      const { by } = parseBody(ResumeInput, event.body);
      ownRep(viewer, repId);
      return changeRep(
        repId,
        { active: true, pausedReason: undefined },
        viewer.role === 'rep' ? viewer.repId : by,
      );
    },
  };

  async function handle(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
    const now = deps.now();
    const { leadId = '', repId = '' } = event.pathParameters ?? {};
    // Lead ids are UUIDs: anything else (a 2 KB id would exceed DynamoDB's key size) names no lead.
    if (leadId !== '' && !LEAD_ID.test(leadId))
      throw new HttpError(404, 'unknown_lead', `There is no lead "${leadId.slice(0, 100)}".`);
    if (repId.length > 100) throw new HttpError(404, 'unknown_rep', 'There is no rep with so long an id.');
    // The dashboard's copy of a route is the same route, seen by a signed-in viewer.
    const dashboard = event.routeKey.includes(` ${DASHBOARD_API_PREFIX}/`);
    const routeKey = dashboard ? event.routeKey.replace(` ${DASHBOARD_API_PREFIX}/`, ' /') : event.routeKey;
    const viewer = viewerOf(JwtAuthorizer.parse(event.requestContext).authorizer?.jwt.claims, dashboard);
    const route = Object.hasOwn(routes, routeKey) ? routes[routeKey as OpsRouteKey] : undefined;
    if (route === undefined) throw new HttpError(404, 'unknown_route', `No route for ${event.routeKey}.`);
    return route({ event, now, leadId, repId, viewer, routeKey });
  }

  async function handleSafely(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
    try {
      return await handle(event);
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error);
      logger.error('ops request failed', { error: error as Error, routeKey: event.routeKey });
      return jsonResponse(500, {
        error: { code: 'internal', message: 'The request failed on our side; please retry.' },
      });
    }
  }

  return middy<APIGatewayProxyEventV2, HttpResponse, Error, Context>(handleSafely).use(
    injectLambdaContext(logger),
  );
}
