/**
 * The HTTP API's routes: one list for the CDK stack and the local gateway, so they cannot drift. `iam` routes
 * are for ops (IAM-signed requests in AWS; open on loopback locally).
 */
export const HTTP_ROUTES = [
  { method: 'POST', path: '/v1/forms/{formId}/leads', fn: 'ingest', auth: 'none' },
  { method: 'OPTIONS', path: '/v1/forms/{formId}/leads', fn: 'ingest', auth: 'none' },
  { method: 'GET', path: '/v1/webhooks/facebook', fn: 'ingest', auth: 'none' },
  { method: 'POST', path: '/v1/webhooks/facebook', fn: 'ingest', auth: 'none' },
  { method: 'POST', path: '/v1/webhooks/google', fn: 'ingest', auth: 'none' },
  { method: 'GET', path: '/v1/leads/{leadId}', fn: 'ops', auth: 'iam' },
  { method: 'POST', path: '/v1/leads/{leadId}/assign', fn: 'ops', auth: 'iam' },
  { method: 'POST', path: '/v1/leads/{leadId}/events', fn: 'ops', auth: 'iam' },
  // Action links from reps' emails: the signed token in the link is the authentication.
  { method: 'GET', path: '/v1/leads/{leadId}/actions/{action}', fn: 'ops', auth: 'none' },
  { method: 'POST', path: '/v1/leads/{leadId}/actions/{action}', fn: 'ops', auth: 'none' },
  // Unsubscribe links in marketing email: signed per lead; POST is RFC 8058 one-click.
  { method: 'GET', path: '/v1/unsubscribe', fn: 'ops', auth: 'none' },
  { method: 'POST', path: '/v1/unsubscribe', fn: 'ops', auth: 'none' },
  { method: 'GET', path: '/v1/kpi/response-time', fn: 'ops', auth: 'iam' },
  { method: 'GET', path: '/v1/kpi/funnel', fn: 'ops', auth: 'iam' },
  { method: 'GET', path: '/v1/reps', fn: 'ops', auth: 'iam' },
  { method: 'POST', path: '/v1/reps', fn: 'ops', auth: 'iam' },
  { method: 'PATCH', path: '/v1/reps/{repId}', fn: 'ops', auth: 'iam' },
  { method: 'POST', path: '/v1/reps/{repId}/pause', fn: 'ops', auth: 'iam' },
  { method: 'POST', path: '/v1/reps/{repId}/resume', fn: 'ops', auth: 'iam' },
] as const;

export type HttpRoute = (typeof HTTP_ROUTES)[number];
export type HttpFunctionName = HttpRoute['fn'];

export function routeKey(route: Pick<HttpRoute, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
