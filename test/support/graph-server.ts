import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptedResponse = { status: number; body: unknown };

/**
 * An HTTP server that answers Graph API requests from a script, for the failures Meta produces in practice.
 * Records every request so tests can count calls.
 */
export async function scriptedGraphServer(answer: (req: IncomingMessage, call: number) => ScriptedResponse) {
  const requests: { path: string; authorization: string | undefined; query: URLSearchParams }[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ path: url.pathname, authorization: req.headers.authorization, query: url.searchParams });
    const { status, body } = answer(req, requests.length);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
