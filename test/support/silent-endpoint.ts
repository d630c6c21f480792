import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP endpoint on loopback that reads each request whole and drops the connection before answering, as a
 * timeout or a reset would leave it: the sender cannot tell whether it was acted on.
 */
export async function startSilentEndpoint(): Promise<{ url: string; received: string[]; close(): void }> {
  const received: string[] = [];
  const server = createServer(async (req) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push(body);
    req.socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => server.close() };
}
