import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses an outbound webhook may never reach: private, shared, link-local (the instance metadata service at
 * 169.254.169.254 among them), multicast and reserved ranges, IPv4 and IPv6. Loopback is refused too, unless
 * allowed (the local runner's own receivers).
 */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

export class OutboundRefused extends Error {
  override readonly name = 'OutboundRefused';
}

/** Why an address may not be reached, or undefined when it may. IPv4-mapped IPv6 is judged as its IPv4. */
export function refusedAddress(address: string, allowLoopback: boolean): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (LOOPBACK.check(ip, family)) return allowLoopback ? undefined : 'a loopback address';
  if (PRIVATE.check(ip, family)) return 'a private, link-local or reserved address';
  return undefined;
}

/** Whether a URL may be called at all: HTTPS, or HTTP to loopback when allowed (local runs). */
export function refusedUrl(url: string, allowLoopback: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.username || parsed.password) return 'credentials in the URL';
  if (parsed.protocol === 'https:') return undefined;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const loopbackHost =
    host === 'localhost' || (isIP(host) !== 0 && refusedAddress(host, false) === 'a loopback address');
  if (parsed.protocol === 'http:' && allowLoopback && loopbackHost) return undefined;
  return 'only https:// URLs';
}

export type OutboundResponse = { status: number; body: string };

/**
 * The request went out whole and no answer came (a timeout, a dropped connection): the other side may have acted
 * on it. A refused or failed connection is not this: nothing was sent.
 */
export class OutboundNoAnswer extends Error {
  override readonly name = 'OutboundNoAnswer';
}

/**
 * POSTs to a URL someone else chose (a chat webhook, a subscriber): HTTPS only, every address the name resolves
 * to checked at connect time (so a DNS answer cannot swap in a private address after the check), no redirect
 * followed, a deadline, and at most 64 KiB of the answer read.
 */
export function postOutbound(
  url: string,
  body: string,
  options: { headers?: Record<string, string>; allowLoopback: boolean; timeoutMs?: number },
): Promise<OutboundResponse> {
  const refused = refusedUrl(url, options.allowLoopback);
  if (refused) return Promise.reject(new OutboundRefused(`refused ${new URL(url).host || url}: ${refused}`));
  const target = new URL(url);
  const lookup = (
    hostname: string,
    lookupOptions: object,
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      const bad = list.map((a) => refusedAddress(a.address, options.allowLoopback)).find(Boolean);
      if (bad) return callback(new OutboundRefused(`refused ${hostname}: it resolves to ${bad}`), []);
      const wantsAll = (lookupOptions as { all?: boolean }).all === true;
      const first = list[0];
      if (wantsAll) return callback(null, list);
      if (first === undefined) return callback(new Error(`${hostname} has no address`), []);
      return callback(null, first.address, first.family);
    });
  };
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body).toString(),
          'user-agent': 'leadpipe-webhooks/1',
          ...options.headers,
        },
        lookup,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < 65_536) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8').slice(0, 65_536),
          }),
        );
        res.on('error', reject);
      },
    );
    // Whether the whole request was handed to the connection: after that, silence may mean it was acted on.
    let sent = false;
    req.on('finish', () => {
      sent = true;
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${target.host} within the deadline`)));
    req.on('error', (error) =>
      reject(
        sent && !(error instanceof OutboundRefused)
          ? new OutboundNoAnswer(`no answer from ${target.host}: ${error.message}`)
          : error,
      ),
    );
    req.end(body);
  });
}
