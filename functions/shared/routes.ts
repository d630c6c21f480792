/**
 * The HTTP API's routes: one list for the CDK stack and the local gateway, so they cannot drift. `iam` routes
 * are for ops (IAM-signed requests in AWS; open on loopback locally).
 */
const BASE_ROUTES = [
  { method: 'POST', path: '/v1/forms/{formId}/leads', fn: 'ingest', auth: 'none' },
  { method: 'OPTIONS', path: '/v1/forms/{formId}/leads', fn: 'ingest', auth: 'none' },
  { method: 'GET', path: '/v1/webhooks/facebook', fn: 'ingest', auth: 'none' },
  { method: 'POST', path: '/v1/webhooks/facebook', fn: 'ingest', auth: 'none' },
  { method: 'POST', path: '/v1/webhooks/google', fn: 'ingest', auth: 'none' },
  // WhatsApp Cloud API: reps' button replies and delivery statuses, signed by Meta (they act as mail links do).
  { method: 'GET', path: '/v1/webhooks/whatsapp', fn: 'ops', auth: 'none' },
  { method: 'POST', path: '/v1/webhooks/whatsapp', fn: 'ops', auth: 'none' },
  { method: 'GET', path: '/v1/leads', fn: 'ops', auth: 'iam' },
  { method: 'GET', path: '/v1/leads/{leadId}', fn: 'ops', auth: 'iam' },
  { method: 'POST', path: '/v1/leads/{leadId}/assign', fn: 'ops', auth: 'iam' },
  { method: 'POST', path: '/v1/leads/{leadId}/events', fn: 'ops', auth: 'iam' },
  // An open deal's expected value and close date.
  { method: 'PATCH', path: '/v1/leads/{leadId}', fn: 'ops', auth: 'iam' },
  // Action links from reps' emails: the signed token in the link is the authentication.
  { method: 'GET', path: '/v1/leads/{leadId}/actions/{action}', fn: 'ops', auth: 'none' },
  { method: 'POST', path: '/v1/leads/{leadId}/actions/{action}', fn: 'ops', auth: 'none' },
  // Unsubscribe links in marketing email: signed per lead; POST is RFC 8058 one-click.
  { method: 'GET', path: '/v1/unsubscribe', fn: 'ops', auth: 'none' },
  { method: 'POST', path: '/v1/unsubscribe', fn: 'ops', auth: 'none' },
  { method: 'GET', path: '/v1/kpi/response-time', fn: 'ops', auth: 'iam' },
  { method: 'GET', path: '/v1/kpi/funnel', fn: 'ops', auth: 'iam' },
  // Money: the return on each source and campaign, the weighted pipeline, and the ad spend that goes in.
  { method: 'GET', path: '/v1/kpi/roi', fn: 'ops', auth: 'iam' },
  { method: 'GET', path: '/v1/kpi/forecast', fn: 'ops', auth: 'iam' },
  { method: 'PUT', path: '/v1/spend', fn: 'ops', auth: 'iam' },
  // The dashboard's page, script and style sheet: public files with no data in them (the data routes below
  // need a Cognito token).
  { method: 'GET', path: '/dashboard', fn: 'ops', auth: 'none' },
  { method: 'GET', path: '/dashboard/{asset}', fn: 'ops', auth: 'none' },
  { method: 'GET', path: '/v1/reps', fn: 'ops', auth: 'iam' },
  { method: 'POST', path: '/v1/reps', fn: 'ops', auth: 'iam' },
  { method: 'PATCH', path: '/v1/reps/{repId}', fn: 'ops', auth: 'iam' },
  { method: 'POST', path: '/v1/reps/{repId}/pause', fn: 'ops', auth: 'iam' },
  { method: 'POST', path: '/v1/reps/{repId}/resume', fn: 'ops', auth: 'iam' },
  // The rep's workspace: notes, planned calls with reminders, the agenda.
  { method: 'POST', path: '/v1/leads/{leadId}/notes', fn: 'ops', auth: 'iam' },
  { method: 'POST', path: '/v1/leads/{leadId}/tasks', fn: 'ops', auth: 'iam' },
  { method: 'POST', path: '/v1/leads/{leadId}/tasks/{taskId}/done', fn: 'ops', auth: 'iam' },
  { method: 'POST', path: '/v1/leads/{leadId}/tasks/{taskId}/cancel', fn: 'ops', auth: 'iam' },
  { method: 'POST', path: '/v1/leads/{leadId}/tasks/{taskId}/reschedule', fn: 'ops', auth: 'iam' },
  { method: 'GET', path: '/v1/tasks', fn: 'ops', auth: 'iam' },
  // The list as a spreadsheet (a static path: it wins over /v1/leads/{leadId}, in API Gateway and locally).
  { method: 'GET', path: '/v1/leads/export.csv', fn: 'ops', auth: 'iam' },
  // Spreadsheets of leads in (Meta's and Google's lead downloads, any list with a header row).
  { method: 'POST', path: '/v1/imports', fn: 'ops', auth: 'iam' },
  { method: 'GET', path: '/v1/imports/{importId}', fn: 'ops', auth: 'iam' },
  // Outbound webhooks (Standard Webhooks) for any tool, with a delivery log per subscription.
  { method: 'POST', path: '/v1/subscriptions', fn: 'ops', auth: 'iam' },
  { method: 'GET', path: '/v1/subscriptions', fn: 'ops', auth: 'iam' },
  { method: 'DELETE', path: '/v1/subscriptions/{subscriptionId}', fn: 'ops', auth: 'iam' },
  { method: 'GET', path: '/v1/subscriptions/{subscriptionId}/deliveries', fn: 'ops', auth: 'iam' },
] as const;

/**
 * The dashboard calls the ops routes under this prefix, where a Cognito token authorizes (an HTTP API route
 * has one authorizer, and scripts keep IAM on the plain paths). The ops function treats both alike.
 */
export const DASHBOARD_API_PREFIX = '/dashboard/api';

/** The ops routes the dashboard uses: reading and acting on leads, the KPIs, and the reps. */
const DASHBOARD_OPS = new Set([
  'GET /v1/leads',
  'GET /v1/leads/{leadId}',
  'POST /v1/leads/{leadId}/events',
  'PATCH /v1/leads/{leadId}',
  'POST /v1/leads/{leadId}/assign',
  'GET /v1/kpi/response-time',
  'GET /v1/kpi/funnel',
  'GET /v1/kpi/roi',
  'GET /v1/kpi/forecast',
  'GET /v1/reps',
  'POST /v1/reps/{repId}/pause',
  'POST /v1/reps/{repId}/resume',
  'POST /v1/leads/{leadId}/notes',
  'POST /v1/leads/{leadId}/tasks',
  'POST /v1/leads/{leadId}/tasks/{taskId}/done',
  'POST /v1/leads/{leadId}/tasks/{taskId}/cancel',
  'POST /v1/leads/{leadId}/tasks/{taskId}/reschedule',
  'GET /v1/tasks',
  'GET /v1/leads/export.csv',
  'POST /v1/imports',
  'GET /v1/imports/{importId}',
]);

type BaseRoute = (typeof BASE_ROUTES)[number];
type OpsRoute = Extract<BaseRoute, { fn: 'ops' }>;
/** Every route the ops function serves, as API Gateway names it (`GET /v1/leads`): its route table's keys. */
export type OpsRouteKey = KeyOf<OpsRoute>;
type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string }
  ? `${M} ${P}`
  : never;
type Route = {
  method: BaseRoute['method'];
  path: string;
  fn: BaseRoute['fn'];
  auth: BaseRoute['auth'] | 'jwt';
};

export const HTTP_ROUTES: readonly Route[] = [
  ...BASE_ROUTES,
  ...BASE_ROUTES.filter((r) => DASHBOARD_OPS.has(`${r.method} ${r.path}`)).map((r) => ({
    ...r,
    path: `${DASHBOARD_API_PREFIX}${r.path}`,
    auth: 'jwt' as const,
  })),
];

export type HttpRoute = Route;
export type HttpFunctionName = HttpRoute['fn'];

export function routeKey(route: Pick<HttpRoute, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
