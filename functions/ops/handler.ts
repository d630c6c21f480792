import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { HttpError } from '../shared/errors.ts';
import { errorResponse, type HttpResponse, jsonResponse } from '../shared/http.ts';
import { DASHBOARD_API_PREFIX, type OpsRouteKey } from '../shared/routes.ts';
import * as z from '../shared/zod.ts';
import { UUID, viewerOf } from './core.ts';
import type { OpsDeps, OpsRoute } from './deps.ts';
import { createChangeStatus } from './lead-status.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { exportRoutes } from './routes/export.ts';
import { importRoutes } from './routes/imports.ts';
import { kpiRoutes } from './routes/kpi.ts';
import { leadRoutes } from './routes/leads.ts';
import { linkRoutes } from './routes/links.ts';
import { moneyRoutes } from './routes/money.ts';
import { repRoutes } from './routes/reps.ts';
import { subscriptionRoutes } from './routes/subscriptions.ts';
import { whatsappRoutes } from './routes/whatsapp.ts';
import { workspaceRoutes } from './routes/workspace.ts';

export type { OpsDeps } from './deps.ts';

/** The claims API Gateway's JWT authorizer passes on; absent on IAM and public routes. */
const JwtAuthorizer = z.object({
  authorizer: z.optional(
    z.object({
      jwt: z.object({
        claims: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])),
      }),
    }),
  ),
});

/**
 * The ops API: leads, reps, KPIs, the links in mail and the dashboard. In AWS the API routes need IAM-signed
 * requests (or, for the dashboard's copies, a Cognito token); the local runner serves them on loopback only.
 * One module per area under routes/; this one merges them into one table and dispatches.
 */
export function createOpsHandler(deps: OpsDeps) {
  const { logger } = deps;
  const changeStatus = createChangeStatus(deps);
  // Every ops route of functions/shared/routes.ts, each once: the compiler refuses a route without a handler.
  const routes: Record<OpsRouteKey, OpsRoute> = {
    ...dashboardRoutes(deps),
    ...leadRoutes(deps, changeStatus),
    ...linkRoutes(deps, changeStatus),
    ...kpiRoutes(deps),
    ...moneyRoutes(deps),
    ...repRoutes(deps),
    ...workspaceRoutes(deps),
    ...exportRoutes(deps),
    ...importRoutes(deps),
    ...whatsappRoutes(deps, changeStatus),
    ...subscriptionRoutes(deps),
  };

  async function handle(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
    const now = deps.now();
    const { leadId = '', repId = '', taskId = '', importId = '' } = event.pathParameters ?? {};
    // Lead and task ids are UUIDs: anything else (a 2 KB id would exceed DynamoDB's key size) names nothing.
    if (leadId !== '' && !UUID.test(leadId))
      throw new HttpError(404, 'unknown_lead', `There is no lead "${leadId.slice(0, 100)}".`);
    if (taskId !== '' && !UUID.test(taskId))
      throw new HttpError(404, 'unknown_task', `There is no task "${taskId.slice(0, 100)}".`);
    if (importId !== '' && !UUID.test(importId))
      throw new HttpError(404, 'unknown_import', `There is no import "${importId.slice(0, 100)}".`);
    if (repId.length > 100) throw new HttpError(404, 'unknown_rep', 'There is no rep with so long an id.');
    // The dashboard's copy of a route is the same route, seen by a signed-in viewer.
    const dashboard = event.routeKey.includes(` ${DASHBOARD_API_PREFIX}/`);
    const routeKey = dashboard ? event.routeKey.replace(` ${DASHBOARD_API_PREFIX}/`, ' /') : event.routeKey;
    const viewer = viewerOf(JwtAuthorizer.parse(event.requestContext).authorizer?.jwt.claims, dashboard);
    const route = Object.hasOwn(routes, routeKey) ? routes[routeKey as OpsRouteKey] : undefined;
    if (route === undefined) throw new HttpError(404, 'unknown_route', `No route for ${event.routeKey}.`);
    return route({ event, now, leadId, repId, taskId, viewer, routeKey });
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
