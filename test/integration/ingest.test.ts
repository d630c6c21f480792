import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { wireIngest } from '../../functions/ingest/wiring.ts';
import { IntakeMessage } from '../../functions/shared/lead.ts';
import { freshResources, queueDepth, type TestAws, takeAll } from '../support/aws.ts';
import { context, formPost, httpEvent, silentLogger, testConfig } from '../support/factories.ts';
import { functionOn } from '../support/handlers.ts';

let aws: TestAws;
let ingest: ReturnType<typeof wireIngest>;
let ids = 0;

beforeAll(async () => {
  aws = await freshResources('ingest');
  ingest = wireIngest({
    ...functionOn(aws, 'ingest'),
    config: testConfig(),
    newId: () => `lead-${++ids}`,
    now: () => new Date('2026-03-19T16:00:00.000Z'),
    logger: silentLogger(),
  });
});

async function expectNothingEnqueued() {
  expect(await queueDepth(aws.sqs, aws.resources.intake.url)).toBe(0);
}

describe('POST /v1/forms/{formId}/leads', () => {
  it('answers 202 with the lead id only after the message is on the intake queue', async () => {
    const response = await ingest(
      formPost('demo', readFileSync('test/fixtures/web-form/demo-arabic.json', 'utf8')),
      context(),
    );
    expect(response.statusCode).toBe(202);
    const body = JSON.parse(response.body ?? '');
    expect(body).toEqual({ leadId: expect.stringMatching(/^lead-/), status: 'accepted' });
    const [message] = await takeAll(aws.sqs, aws.resources.intake.url, 1);
    const intake = IntakeMessage.parse(JSON.parse(message?.Body ?? ''));
    expect(intake).toMatchObject({
      leadId: body.leadId,
      source: 'web-form',
      formId: 'demo',
      contact: { name: 'سارة الحربي' },
    });
  });

  it('redirects a plain HTML form with 303 when the form has a thank-you page', async () => {
    const event = formPost(
      'contact-us',
      readFileSync('test/fixtures/web-form/contact-us.urlencoded.txt', 'utf8'),
      {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://www.example.com',
      },
    );
    const response = await ingest(event, context());
    expect(response.statusCode).toBe(303);
    expect(response.headers).toMatchObject({
      location: 'https://www.example.com/thanks',
      'access-control-allow-origin': 'https://www.example.com',
    });
    expect(await takeAll(aws.sqs, aws.resources.intake.url, 1)).toHaveLength(1);
  });

  it('answers a CORS preflight for an allowed origin and refuses others', async () => {
    const preflight = (origin: string) =>
      httpEvent({
        method: 'OPTIONS',
        path: '/v1/forms/contact-us/leads',
        routeKey: 'OPTIONS /v1/forms/{formId}/leads',
        pathParameters: { formId: 'contact-us' },
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const allowed = await ingest(preflight('https://www.example.com'), context());
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-methods']).toBe('POST, OPTIONS');
    const refused = await ingest(preflight('https://evil.example'), context());
    expect(refused.statusCode).toBe(403);
  });

  describe('bad input gets a clear error and nothing is enqueued', () => {
    it.each([
      ['malformed JSON', formPost('demo', '{"email":'), 400, 'malformed_json'],
      ['a missing email and phone', formPost('demo', '{"name":"Sara"}'), 400, 'validation_failed'],
      ['an invalid email', formPost('demo', '{"email":"sara@"}'), 400, 'validation_failed'],
      ['an unknown form', formPost('nope', '{"email":"a@example.com"}'), 404, 'unknown_form'],
      [
        'a wrong media type',
        formPost('demo', 'email=a@example.com', { 'content-type': 'text/plain' }),
        415,
        'unsupported_media_type',
      ],
      [
        'a body over the form limit',
        formPost('demo', JSON.stringify({ email: 'a@example.com', message: 'x'.repeat(70_000) })),
        413,
        'body_too_large',
      ],
      [
        'a post from an origin the form does not allow',
        formPost('contact-us', '{}', { origin: 'https://evil.example' }),
        403,
        'origin_not_allowed',
      ],
    ])('%s', async (_, event, status, code) => {
      const response = await ingest(event, context());
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toContain('application/json');
      const body = JSON.parse(response.body ?? '');
      expect(body.error.code).toBe(code);
      expect(body.error.message).toEqual(expect.any(String));
      await expectNothingEnqueued();
    });

    it('lists the fields that need fixing', async () => {
      const response = await ingest(formPost('demo', '{"email":"nope","phone":"abc"}'), context());
      expect(JSON.parse(response.body ?? '').error.issues).toEqual([
        { path: 'email', message: 'not a valid email address' },
        { path: 'phone', message: 'must contain digits' },
      ]);
      await expectNothingEnqueued();
    });
  });

  it('gives a honeypot hit the same 202 but enqueues nothing', async () => {
    const response = await ingest(
      formPost('demo', '{"email":"bot@example.com","website":"spam"}'),
      context(),
    );
    expect(response.statusCode).toBe(202);
    await expectNothingEnqueued();
  });

  it('answers 500 with a retry hint, and no 2xx, when the queue cannot take the message', async () => {
    const broken = wireIngest({
      // A queue that is not there (deleted, or a typo in the stack): the raw clients, not IAM, answer.
      clients: aws,
      env: {
        ...functionOn(aws, 'ingest').env,
        INTAKE_QUEUE_URL: `${aws.resources.intake.url}-does-not-exist`,
      },
      config: testConfig(),
      newId: () => 'lead-x',
      now: () => new Date(),
      logger: silentLogger(),
    });
    const response = await broken(formPost('demo', '{"email":"a@example.com"}'), context());
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body ?? '').error.code).toBe('internal');
  });
});
