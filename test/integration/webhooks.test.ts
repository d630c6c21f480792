import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { wireIngest } from '../../functions/ingest/wiring.ts';
import { leadIdFor } from '../../functions/shared/ids.ts';
import { IntakeMessage } from '../../functions/shared/lead.ts';
import { freshResources, queueDepth, type TestAws, takeAll } from '../support/aws.ts';
import { context, httpEvent, silentLogger, testConfig } from '../support/factories.ts';
import { functionOn } from '../support/handlers.ts';
import { metaSignature } from '../support/signing.ts';

const config = testConfig();
const appSecret = config.sources.facebook?.appSecret ?? '';
let aws: TestAws;
let ingest: ReturnType<typeof wireIngest>;

beforeAll(async () => {
  aws = await freshResources('webhooks');
  ingest = wireIngest({
    ...functionOn(aws, 'ingest'),
    config,
    newId: () => 'unused',
    now: () => new Date('2026-03-19T16:00:00.000Z'),
    logger: silentLogger(),
  });
});

beforeEach(async () => {
  expect(await queueDepth(aws.sqs, aws.resources.intake.url)).toBe(0);
});

const facebookPost = (body: string, headers: Record<string, string> = {}, base64 = false) =>
  httpEvent({
    method: 'POST',
    path: '/v1/webhooks/facebook',
    routeKey: 'POST /v1/webhooks/facebook',
    headers: { 'content-type': 'application/json', ...headers },
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  });

const googlePost = (body: string) =>
  httpEvent({
    method: 'POST',
    path: '/v1/webhooks/google',
    routeKey: 'POST /v1/webhooks/google',
    headers: { 'content-type': 'application/json' },
    body,
  });

async function intakeMessages(expected: number) {
  const messages = await takeAll(aws.sqs, aws.resources.intake.url, expected);
  return messages.map((m) => IntakeMessage.parse(JSON.parse(m.Body ?? '')));
}

describe('GET /v1/webhooks/facebook', () => {
  it('answers the subscription handshake with the challenge as plain text', async () => {
    const response = await ingest(
      {
        ...httpEvent({ method: 'GET', path: '/v1/webhooks/facebook', routeKey: 'GET /v1/webhooks/facebook' }),
        queryStringParameters: {
          'hub.mode': 'subscribe',
          'hub.verify_token': 'test-verify-token',
          'hub.challenge': '1158201444',
        },
      },
      context(),
    );
    expect(response).toMatchObject({
      statusCode: 200,
      body: '1158201444',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  });

  it('answers 403 to a wrong verify token', async () => {
    const response = await ingest(
      {
        ...httpEvent({ method: 'GET', path: '/v1/webhooks/facebook', routeKey: 'GET /v1/webhooks/facebook' }),
        queryStringParameters: {
          'hub.mode': 'subscribe',
          'hub.verify_token': 'wrong-token',
          'hub.challenge': '1',
        },
      },
      context(),
    );
    expect(response.statusCode).toBe(403);
  });
});

describe('POST /v1/webhooks/facebook', () => {
  it('queues one intake message per lead of a batched, signed webhook before answering 200', async () => {
    const body = readFileSync('test/fixtures/facebook/webhook-batched-numeric.json', 'utf8');
    const response = await ingest(
      facebookPost(body, { 'x-hub-signature-256': metaSignature(body, appSecret) }),
      context(),
    );
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body ?? '')).toEqual({ received: 3 });
    const messages = await intakeMessages(3);
    expect(messages.map((m) => m.externalId).sort()).toEqual([
      '55459717045641545',
      '55459717045641547',
      '912345678901234567',
    ]);
    expect(messages.every((m) => m.leadId === leadIdFor('facebook', m.externalId ?? ''))).toBe(true);
  });

  it('verifies the raw bytes when API Gateway hands the body over base64-encoded', async () => {
    const body = readFileSync('test/fixtures/facebook/webhook-single.json', 'utf8');
    const response = await ingest(
      facebookPost(body, { 'x-hub-signature-256': metaSignature(body, appSecret) }, true),
      context(),
    );
    expect(response.statusCode).toBe(200);
    expect(await intakeMessages(1)).toHaveLength(1);
  });

  it.each([
    ['without a signature', {}, 'missing_signature'],
    [
      'with a forged signature',
      { 'x-hub-signature-256': metaSignature('{}', appSecret) },
      'invalid_signature',
    ],
  ])('answers 401 %s and queues nothing', async (_, headers, code) => {
    const body = readFileSync('test/fixtures/facebook/webhook-single.json', 'utf8');
    const response = await ingest(facebookPost(body, headers), context());
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body ?? '').error.code).toBe(code);
    expect(await queueDepth(aws.sqs, aws.resources.intake.url)).toBe(0);
  });

  it('answers 400 to a signed body that is not a Meta payload, and queues nothing', async () => {
    const body = '{"object":"page","entry":[{"id":"1","changes":[{"field":"leadgen","value":{}}]}]}';
    const response = await ingest(
      facebookPost(body, { 'x-hub-signature-256': metaSignature(body, appSecret) }),
      context(),
    );
    expect(response.statusCode).toBe(400);
    expect(await queueDepth(aws.sqs, aws.resources.intake.url)).toBe(0);
  });
});

describe('POST /v1/webhooks/google', () => {
  it('queues the lead and answers 200', async () => {
    const response = await ingest(
      googlePost(readFileSync('test/fixtures/google/lead-arabic.json', 'utf8')),
      context(),
    );
    expect(response.statusCode).toBe(200);
    const [message] = await intakeMessages(1);
    expect(message).toMatchObject({
      source: 'google',
      externalId: 'Cj0KCQjw-lead-7f3a9c',
      contact: { name: 'خالد العتيبي' },
    });
  });

  it('answers 200 again for a duplicate lead_id, with the same lead id (scoring keeps one)', async () => {
    const body = readFileSync('test/fixtures/google/test-lead.json', 'utf8');
    expect((await ingest(googlePost(body), context())).statusCode).toBe(200);
    expect((await ingest(googlePost(body), context())).statusCode).toBe(200);
    const messages = await intakeMessages(2);
    expect(new Set(messages.map((m) => m.leadId)).size).toBe(1);
  });

  it('answers 403 to a wrong google_key and queues nothing', async () => {
    const body = readFileSync('test/fixtures/google/lead-arabic.json', 'utf8').replace(
      'local-google-key',
      'guessed-key',
    );
    const response = await ingest(googlePost(body), context());
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body ?? '').error.code).toBe('invalid_google_key');
    expect(await queueDepth(aws.sqs, aws.resources.intake.url)).toBe(0);
  });
});
