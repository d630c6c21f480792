import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';
import { parse as parseYaml } from 'yaml';
import type { Config } from '../../functions/shared/config.ts';
import { parseConfig } from '../../functions/shared/config-text.ts';
import type { Assignment, IntakeMessage, Lead } from '../../functions/shared/lead.ts';
import { lambdaContext } from '../../local/lambda-context.ts';

const BASE_CONFIG = `
sources:
  forms:
    demo:
      honeypot: website
      defaultCountry: SA
    contact-us:
      allowedOrigins: [https://www.example.com]
      fields: { your-email: email, your-name: name }
      required: [email, name]
      redirect: https://www.example.com/thanks
      defaultCountry: AE
      locale: ar
  facebook:
    appSecret: test-app-secret-0123
    verifyToken: test-verify-token
    pageAccessToken: test-page-token
    defaultCountry: SA
    forms: ['172036835026334']
  google:
    key: local-google-key
    defaultCountry: AE
normalisation:
  homeCountry: AE
  campaignCountries: { tehran-q1: IR }
scoring:
  rules:
    - { id: has-phone, when: { field: phone.valid, op: equals, value: true }, points: 20 }
    - { id: has-email, when: { field: email, op: exists }, points: 10 }
    - { id: big-budget, when: { field: answers.budget, op: between, min: 10000 }, points: 25 }
    - { id: returning, when: { field: touches, op: between, min: 1 }, points: 15 }
  segments:
    - { id: gulf, when: { field: phone.country, op: in, values: [SA, AE] } }
  grades:
    - { grade: A, min: 60 }
    - { grade: B, min: 40 }
    - { grade: C, min: 0 }
  thresholds: { mql: 40, sql: 60 }
routing:
  defaultPool: default
  pools:
    - { id: gulf, segments: [gulf], reps: [sara, layla] }
    - { id: default, reps: [sara, omid, layla] }
  reps:
    - { id: sara, name: Sara, email: sara@sales.example, locale: ar, timezone: Asia/Riyadh }
    - { id: omid, name: Omid, email: omid@sales.example, locale: fa, timezone: Asia/Tehran }
    - { id: layla, name: Layla, email: layla@sales.example, locale: en, timezone: Asia/Dubai }
mail:
  from: leads@leadpipe.example
  publicBaseUrl: https://leads.example.com
  linkSigningKey: test-link-signing-key-0123456789
`;

/** A WhatsApp Cloud API setup for tests: Meta's test number id, and the assignment template in Arabic. */
export const testWhatsApp = {
  phoneNumberId: '106540352242922',
  accessToken: 'test-whatsapp-token',
  appSecret: 'test-whatsapp-app-secret',
  verifyToken: 'test-whatsapp-verify',
  templates: { assignment: { name: 'leadpipe_new_lead', languages: { ar: 'ar' } } },
};

/** The test configuration; `patch` replaces whole top-level sections (routing, sla, nurture…). */
export function testConfig(patch: Record<string, unknown> = {}): Config {
  const base = parseYaml(BASE_CONFIG) as Record<string, unknown>;
  return parseConfig(JSON.stringify({ ...base, ...patch }), 'test config');
}

export function silentLogger(): Logger {
  return new Logger({ serviceName: 'test', logLevel: 'SILENT' });
}

export function context(name = 'test'): Context {
  return lambdaContext(name, 30_000);
}

let people = 0;

/** A person nobody else in the run is: distinct email and phone, so de-duplication leaves them alone. */
export function uniqueContact(name = 'Test Person'): IntakeMessage['contact'] {
  people++;
  return {
    name: `${name} ${people}`,
    email: `person.${people}.${randomUUID().slice(0, 8)}@example.com`,
    phone: `+9665${String(40000000 + people)}`,
  };
}

export function intakeMessage(overrides: Partial<IntakeMessage> = {}): IntakeMessage {
  return {
    v: 1,
    leadId: randomUUID(),
    source: 'web-form',
    formId: 'demo',
    receivedAt: '2026-03-19T16:00:00.000Z',
    contact: { name: 'Sara Ahmed', email: 'Sara.Ahmed@Example.com', phone: '050 123 4567' },
    answers: {},
    attribution: { utm: {} },
    request: {},
    locale: 'en',
    defaultCountry: 'SA',
    test: false,
    ...overrides,
  };
}

export function lead(overrides: Partial<Lead> = {}): Lead {
  return {
    id: randomUUID(),
    source: 'web-form',
    formId: 'demo',
    receivedAt: '2026-03-19T16:00:00.000Z',
    createdAt: '2026-03-19T16:00:01.000Z',
    contact: { name: 'Sara Ahmed', email: 'sara@example.com', phone: '0501234567' },
    phoneE164: '+966501234567',
    phoneCountry: 'SA',
    keys: { email: 'sara@example.com', phone: '+966501234567' },
    answers: {},
    attribution: { utm: {} },
    locale: 'en',
    score: {
      qualification: 'none',
      total: 30,
      breakdown: [
        { ruleId: 'has-phone', points: 20 },
        { ruleId: 'has-email', points: 10 },
      ],
    },
    segments: ['gulf'],
    status: 'new',
    touches: [],
    followUps: [],
    history: [],
    statusHistory: [],
    version: 1,
    test: false,
    ...overrides,
  };
}

export function assignment(overrides: Partial<Assignment> = {}): Assignment {
  return {
    repId: 'sara',
    poolId: 'default',
    counter: 1,
    rule: 'default pool',
    skipped: [],
    reason: 'default pool; pool default, rotation slot 1',
    at: '2026-03-19T16:00:02.000Z',
    ...overrides,
  };
}

export function sqsEvent(bodies: unknown[], receiveCount = 1): SQSEvent {
  return {
    Records: bodies.map((body) => ({
      messageId: randomUUID(),
      receiptHandle: randomUUID(),
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: String(Date.now()),
        SenderId: 'test',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:test',
      awsRegion: 'us-east-1',
    })),
  };
}

export function httpEvent(input: {
  method: string;
  path: string;
  routeKey: string;
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath: input.path,
    rawQueryString: '',
    headers: input.headers ?? {},
    ...(input.pathParameters ? { pathParameters: input.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'leads.example.com',
      domainPrefix: 'leads',
      http: {
        method: input.method,
        path: input.path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.9',
        userAgent: 'vitest',
      },
      requestId: randomUUID(),
      routeKey: input.routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(input.body !== undefined ? { body: input.body } : {}),
    isBase64Encoded: input.isBase64Encoded ?? false,
  };
}

/** A form post event for `POST /v1/forms/{formId}/leads`. */
export function formPost(
  formId: string,
  body: string,
  headers: Record<string, string> = {},
): APIGatewayProxyEventV2 {
  return httpEvent({
    method: 'POST',
    path: `/v1/forms/${formId}/leads`,
    routeKey: 'POST /v1/forms/{formId}/leads',
    pathParameters: { formId },
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}
