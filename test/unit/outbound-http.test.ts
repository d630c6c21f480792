import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  OutboundNoAnswer,
  OutboundRefused,
  postOutbound,
  refusedAddress,
  refusedUrl,
} from '../../functions/shared/outbound-http.ts';
import { startSilentEndpoint } from '../support/silent-endpoint.ts';

describe('outbound webhooks', () => {
  it('never reach private, link-local or metadata addresses, IPv4 or IPv6', () => {
    for (const address of [
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      'fd00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
    ])
      expect(refusedAddress(address, true), address).toBeDefined();
    expect(refusedAddress('127.0.0.1', false)).toBe('a loopback address');
    expect(refusedAddress('::1', false)).toBe('a loopback address');
    expect(refusedAddress('127.0.0.1', true)).toBeUndefined();
    expect(refusedAddress('93.184.216.34', false)).toBeUndefined();
    expect(refusedAddress('2606:2800:220:1::1', false)).toBeUndefined();
  });

  it('take HTTPS only, HTTP just to loopback in local runs, and no credentials in the URL', () => {
    expect(refusedUrl('https://hooks.slack.com/services/T/B/X', false)).toBeUndefined();
    expect(refusedUrl('http://hooks.slack.com/services/T/B/X', false)).toBe('only https:// URLs');
    expect(refusedUrl('http://127.0.0.1:3000/x', false)).toBe('only https:// URLs');
    expect(refusedUrl('http://127.0.0.1:3000/x', true)).toBeUndefined();
    expect(refusedUrl('http://localhost:3000/x', true)).toBeUndefined();
    expect(refusedUrl('http://10.0.0.1/x', true)).toBe('only https:// URLs');
    expect(refusedUrl('https://user:pass@example.com/x', false)).toBe('credentials in the URL');
    expect(refusedUrl('file:///etc/passwd', true)).toBe('only https:// URLs');
  });

  it('check the address a name resolves to when connecting, and follow no redirect', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    try {
      // `localhost` resolves to loopback: refused unless loopback is allowed.
      await expect(
        postOutbound(`https://localhost:${port}/hook`, '{}', { allowLoopback: false }),
      ).rejects.toBeInstanceOf(OutboundRefused);
      const response = await postOutbound(`http://127.0.0.1:${port}/hook`, '{}', { allowLoopback: true });
      expect(response.status).toBe(302);
    } finally {
      server.close();
    }
  });
});

describe('an outbound POST that gets no answer', () => {
  it('says the other side may have taken it when the whole request went out, and not when nothing did', async () => {
    const silent = await startSilentEndpoint();
    try {
      await expect(
        postOutbound(`${silent.url}/hook`, '{"text":"x"}', { allowLoopback: true }),
      ).rejects.toBeInstanceOf(OutboundNoAnswer);
      expect(silent.received).toEqual(['{"text":"x"}']);
    } finally {
      silent.close();
    }
    // The port is closed now: the connection is refused and nothing was sent.
    const refused = postOutbound(`${silent.url}/hook`, '{}', { allowLoopback: true });
    await expect(refused).rejects.toThrow('ECONNREFUSED');
    await expect(refused).rejects.not.toBeInstanceOf(OutboundNoAnswer);
  });
});
