import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline } from '../../local/pipeline.ts';
import { testEmulators, testPipeline } from '../support/aws.ts';

/** The local addresses listening on `port`, read from the kernel's socket tables (IPv4 and IPv6). */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      // State 0A is LISTEN.
      if (state !== '0A' || !local?.endsWith(`:${hexPort}`)) continue;
      const address = local.slice(0, local.indexOf(':'));
      found.push(
        address === '0100007F'
          ? '127.0.0.1'
          : address === '0000000000000000FFFF00000100007F'
            ? '::ffff:127.0.0.1'
            : /^0+$/.test(address)
              ? 'every interface'
              : address,
      );
    }
  }
  return found;
}

const portOf = (url: string) => Number(new URL(url).port);

let pipeline: Pipeline;

beforeAll(async () => {
  pipeline = await testPipeline('loop');
}, 60_000);

afterAll(async () => {
  await pipeline?.stop();
});

describe('what the local runner starts', () => {
  it.each([
    ['DynamoDB Local', () => portOf(testEmulators().dynamodbEndpoint)],
    ['the SQS emulator', () => portOf(testEmulators().sqsEndpoint)],
    ['the SES emulator', () => portOf(testEmulators().sesEndpoint)],
    ['the HTTP gateway', () => pipeline.port],
    ['the fake Graph API', () => portOf(pipeline.graphApiUrl)],
  ])('%s listens on loopback only', (_, port) => {
    const addresses = listeners(port());
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(address).toMatch(/127\.0\.0\.1$/);
  });
});
