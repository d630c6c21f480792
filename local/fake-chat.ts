import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultInjector } from './faults.ts';

/**
 * Team chats on loopback: one server answering as each chat's webhook answers. Slack's incoming webhooks
 * (`/slack/…`, 200 `ok`), Teams Workflows webhooks (`/teams/…`, 202) and Telegram's Bot API
 * (`/bot<token>/sendMessage`, 200 `{ "ok": true, "result": { "message_id" } }`). Every post is recorded.
 */
export type ChatPost = { at: string; kind: 'slack' | 'teams' | 'telegram'; path: string; body: unknown };

export type FakeChat = {
  url: string;
  posts(): ChatPost[];
  /** Makes one webhook path refuse posts (a revoked Slack webhook answers 404 `no_service`). */
  refuse(pathPrefix: string): void;
  stop(): Promise<void>;
};

export async function startFakeChat(options: { faults?: FaultInjector } = {}): Promise<FakeChat> {
  const posts: ChatPost[] = [];
  const refused = new Set<string>();
  let telegramId = 1;
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += chunk;
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'GET' && path === '/_fake/chat/posts') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(posts));
      return;
    }
    const kind = path.startsWith('/slack/')
      ? 'slack'
      : path.startsWith('/teams/')
        ? 'teams'
        : /^\/bot[^/]+\/sendMessage$/.test(path)
          ? 'telegram'
          : undefined;
    if (req.method !== 'POST' || kind === undefined) {
      res.writeHead(404).end('no_service');
      return;
    }
    if ([...refused].some((p) => path.startsWith(p))) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no_service');
      return;
    }
    if (options.faults?.channelFault()) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('service unavailable');
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
      return;
    }
    posts.push({
      at: new Date().toISOString(),
      kind,
      path: kind === 'telegram' ? '/bot…/sendMessage' : path,
      body,
    });
    if (kind === 'slack') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    else if (kind === 'teams') res.writeHead(202).end();
    else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, result: { message_id: telegramId++ } }));
    }
  }
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts: () => [...posts],
    refuse: (prefix) => refused.add(prefix),
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
