/** The HTTP API's routes: one list for the CDK stack and the local gateway, so they cannot drift. */
export const HTTP_ROUTES = [
  { method: 'POST', path: '/v1/forms/{formId}/leads', fn: 'ingest' },
  { method: 'OPTIONS', path: '/v1/forms/{formId}/leads', fn: 'ingest' },
  { method: 'GET', path: '/v1/webhooks/facebook', fn: 'ingest' },
  { method: 'POST', path: '/v1/webhooks/facebook', fn: 'ingest' },
  { method: 'POST', path: '/v1/webhooks/google', fn: 'ingest' },
] as const;

export type HttpRoute = (typeof HTTP_ROUTES)[number];
export type HttpFunctionName = HttpRoute['fn'];

export function routeKey(route: Pick<HttpRoute, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
