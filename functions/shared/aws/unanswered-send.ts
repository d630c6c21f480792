import { type ClientRequest, Agent as HttpAgent, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';

/**
 * A send whose request went out and got no answer (a reset, a timeout): AWS may have acted on it. SES's SendEmail
 * and End User Messaging's SendTextMessage take no idempotency token, so sending it again may deliver it twice.
 * It carries no `cause` and no network code, so the SDK's retry strategy does not take it for a transient error.
 */
export class SendNoAnswerError extends Error {
  override readonly name = 'SendNoAnswerError';
}

/** Failures that happen before a byte of the request leaves: safe to try again. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether an error from the HTTP exchange means the request may have reached AWS without an answer coming back. */
export function wentOutUnanswered(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
  // An answer came (a 5xx, a throttle, a refusal): AWS said what it did, and the SDK's retry rules hold.
  if (e.$metadata?.httpStatusCode !== undefined) return false;
  if (e.name === 'AbortError') return false;
  if (NEVER_CONNECTED.has(e.code ?? '')) return false;
  // A kept-alive connection the server closed as the request went out (see `markingReusedConnections`).
  if ((error as { reusedConnection?: boolean }).reusedConnection === true && e.code === 'ECONNRESET')
    return false;
  // The SDK's connection timeout (@smithy/node-http-handler's words): no connection, so nothing was sent.
  if (e.name === 'TimeoutError' && /did not establish a connection/.test(e.message)) return false;
  return true;
}

declare module 'http' {
  interface Agent {
    /** Node's hook for each request the agent serves (what `agent-base` and `agentkeepalive` override too). */
    addRequest(request: ClientRequest, options: RequestOptions): void;
  }
}

/**
 * A keep-alive agent that marks the error of a request sent on a reused connection. A server closing an idle
 * connection just as a request goes out on it resets it having done nothing: Node's documented case for trying
 * again (`request.reusedSocket`), which the SDK's handler does not pass on.
 */
function markingReusedConnections<A extends HttpAgent>(agent: A): A {
  const addRequest = agent.addRequest.bind(agent);
  agent.addRequest = (request, options) => {
    // Registered while the request is made, so it runs before the SDK's own error listener.
    request.once('error', (error: Error) => {
      if (request.reusedSocket) Object.assign(error, { reusedConnection: true });
    });
    addRequest(request, options);
  };
  return agent;
}

/**
 * A send client's connections: kept alive between sends (the SDK's defaults), 3 s to connect, 10 s to answer (the
 * Graph API's own timeout), so a hung request ends as no answer well inside the time a send is begun with
 * (`SEND_TIME_NEEDED_MS`), never as a timed-out invocation whose retry sends again.
 */
export function sendConnections() {
  const pool = { keepAlive: true, maxSockets: 50 };
  return {
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    // Without it the SDK only logs a warning when the request timeout passes, and goes on waiting.
    throwOnRequestTimeout: true,
    httpAgent: markingReusedConnections(new HttpAgent(pool)),
    httpsAgent: markingReusedConnections(new HttpsAgent(pool)),
  };
}

const NAME = 'leadpipeNeverRepeatUnanswered';

/**
 * Makes a client's send commands fail with `SendNoAnswerError`, tried once, when a request went out and no
 * answer came back; throttling, 5xx answers and refused connections are still retried by the SDK. Sits inside
 * the retry loop, so the retry strategy sees the error it can no longer take for a timeout.
 */
export function neverRepeatUnanswered<I extends object, O extends object>(
  client: { middlewareStack: MiddlewareStack<I, O> },
  commands: readonly string[],
  service: string,
): void {
  if (client.middlewareStack.identify().some((entry) => entry.startsWith(NAME))) return;
  const middleware: DeserializeMiddleware<I, O> = (next, context) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      if (!commands.includes(context.commandName ?? '') || !wentOutUnanswered(error)) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new SendNoAnswerError(`${service} did not answer (it may have sent it): ${reason}`.slice(0, 300));
    }
  };
  client.middlewareStack.add(middleware, { step: 'deserialize', name: NAME });
}
