import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { invokeWithTimeout } from './lambda-context.ts';

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export type GatewayRoute = {
  method: string;
  path: string;
  functionName: string;
  handler: HttpHandler;
  /** `jwt`: the gateway plays the Cognito authorizer (see `localClaims`). */
  auth?: string;
};

/**
 * On loopback nobody signs in: a dashboard request is a manager's, unless it names a rep in
 * `x-leadpipe-local-user: rep:<id>` (to try a rep's view). The claims have the shape Cognito's access token
 * gives API Gateway's JWT authorizer.
 */
export function localClaims(header: string | undefined): Record<string, string> {
  const rep = /^rep:([\w.-]{1,100})$/.exec(header ?? '')?.[1];
  return rep
    ? { username: rep, 'cognito:groups': '[rep]', token_use: 'access' }
    : { username: 'local-manager', 'cognito:groups': '[manager]', token_use: 'access' };
}

/** Routes served by the runner itself (never in AWS). */
export type LocalRoute = {
  method: string;
  path: string;
  /** A body with a content type is sent as it is; without one, as JSON. */
  handle: (request: IncomingMessage) => Promise<{ status: number; body: unknown; contentType?: string }>;
};

/** API Gateway's own limits: 10 MB payloads, 30 s integration timeout. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const INTEGRATION_TIMEOUT_MS = 30_000;

const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]+\+json|x-www-form-urlencoded|xml|javascript))/i;

class MalformedPath extends Error {}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const patternParts = pattern.split('/');
  const pathParts = path.split('/');
  if (patternParts.length !== pathParts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < patternParts.length; i++) {
    const p = patternParts[i] ?? '';
    const actual = pathParts[i] ?? '';
    if (p.startsWith('{') && p.endsWith('}')) {
      if (actual === '') return undefined;
      // Malformed percent-encoding (%E0%A4%A) is the client's mistake: API Gateway answers 400, so do we.
      try {
        params[p.slice(1, -1)] = decodeURIComponent(actual);
      } catch {
        throw new MalformedPath();
      }
    } else if (p !== actual) return undefined;
  }
  return params;
}

function variables(path: string): number {
  return path.split('/').filter((part) => part.startsWith('{')).length;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

export async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Builds the event API Gateway HTTP API (payload format 2.0) gives a Lambda integration. */
export function buildHttpApiEvent(
  req: IncomingMessage,
  url: URL,
  routeKeyValue: string,
  pathParameters: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') cookies.push(...String(value).split(/;\s*/));
    else headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(',');
  const isText = TEXT_TYPES.test(headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: routeKeyValue,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: routeKeyValue,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

function writeResult(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  const body =
    result.body === undefined
      ? ''
      : result.isBase64Encoded
        ? Buffer.from(result.body, 'base64')
        : result.body;
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(body);
}

/** The local stand-in for API Gateway: matches a route, builds the v2 event, invokes the same handler. */
export function createGateway(
  routes: GatewayRoute[],
  localRoutes: LocalRoute[],
  onError: (e: unknown) => void,
): Server {
  // API Gateway picks the most specific route: a static segment wins over a path variable
  // (`/v1/leads/export.csv` over `/v1/leads/{leadId}`). Fewer variables first does the same here.
  const bySpecificity = [...routes].sort((a, b) => variables(a.path) - variables(b.path));
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      const local = localRoutes.find((r) => r.method === method && r.path === url.pathname);
      if (local) {
        const { status, body, contentType } = await local.handle(req);
        if (contentType === undefined) json(res, status, body);
        else res.writeHead(status, { 'content-type': contentType }).end(String(body));
        return;
      }
      let pathMatched = false;
      for (const route of bySpecificity) {
        const params = matchPath(route.path, url.pathname);
        if (params === undefined) continue;
        pathMatched = true;
        if (route.method !== method) continue;
        const body = await readBody(req);
        if (body === 'too-large') {
          json(res, 413, { message: 'Request Entity Too Large' });
          return;
        }
        const event = buildHttpApiEvent(req, url, `${route.method} ${route.path}`, params, body);
        if (route.auth === 'jwt')
          Object.assign(event.requestContext, {
            authorizer: { jwt: { claims: localClaims(event.headers['x-leadpipe-local-user']), scopes: [] } },
          });
        const result = await invokeWithTimeout(
          route.handler,
          event,
          route.functionName,
          INTEGRATION_TIMEOUT_MS,
        );
        writeResult(res, result);
        return;
      }
      if (pathMatched)
        json(res, 405, { error: { code: 'method_not_allowed', message: `${method} is not allowed here.` } });
      else json(res, 404, { error: { code: 'not_found', message: `Nothing is served at ${url.pathname}.` } });
    } catch (error) {
      if (error instanceof MalformedPath) {
        json(res, 400, {
          error: {
            code: 'malformed_path',
            message: 'The path has a malformed percent-encoding (such as %E0%A4%A).',
          },
        });
        return;
      }
      onError(error);
      // What API Gateway answers when the integration fails.
      if (!res.headersSent) json(res, 500, { message: 'Internal Server Error' });
    }
  });
  // Like a load balancer: idle keep-alive connections live longer than clients usually keep them.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
