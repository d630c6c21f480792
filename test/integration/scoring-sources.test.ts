import { readFileSync } from 'node:fs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaIntakeMessage, parseMetaWebhook } from '../../functions/ingest/sources/facebook.ts';
import { googleIntakeMessage, parseGoogleWebhook } from '../../functions/ingest/sources/google.ts';
import { acceptFormSubmission } from '../../functions/ingest/sources/web-form.ts';
import { createScoringHandler } from '../../functions/scoring/handler.ts';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import { DynamoImportLog } from '../../functions/shared/aws/dynamo-import-log.ts';
import {
  DynamoFailureLog,
  DynamoLeadRepository,
  keys,
} from '../../functions/shared/aws/dynamo-lead-repository.ts';
import { DynamoLeadSearch } from '../../functions/shared/aws/dynamo-lead-search.ts';
import { SqsSender } from '../../functions/shared/aws/sqs-sender.ts';
import { GraphApiClient } from '../../functions/shared/graph-api.ts';
import type { IntakeMessage } from '../../functions/shared/lead.ts';
import { freshResources, type TestAws, takeAll } from '../support/aws.ts';
import { assignment, context, silentLogger, sqsEvent, testConfig } from '../support/factories.ts';
import { type ScriptedResponse, scriptedGraphServer } from '../support/graph-server.ts';

const config = testConfig();
function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`test config lacks ${what}`);
  return value;
}
const facebook = required(config.sources.facebook, 'facebook');
const google = required(config.sources.google, 'google');
const graphLead = JSON.parse(readFileSync('test/fixtures/facebook/graph-lead-persian.json', 'utf8'));

let aws: TestAws;
let leads: DynamoLeadRepository;
/** The fixture lead, as a different person for each leadgen id (so de-duplication keeps them apart). */
function graphLeadFor(path: string) {
  const id = /\/(\d+)(\?|$)/.exec(path)?.[1] ?? '0';
  if (id === '700000000000001') return graphLead;
  return {
    ...graphLead,
    id,
    field_data: graphLead.field_data.map((f: { name: string; values: string[] }) =>
      f.name === 'email'
        ? { ...f, values: [`lead.${id}@example.com`] }
        : f.name === 'phone_number'
          ? { ...f, values: [`+98912${id.slice(-7)}`] }
          : f,
    ),
  };
}
let script: (call: number, path: string) => ScriptedResponse = (_, path) => ({
  status: 200,
  body: graphLeadFor(path),
});
let graph: Awaited<ReturnType<typeof scriptedGraphServer>>;
let scoring: ReturnType<typeof createScoringHandler>;
let scoringDeps: Parameters<typeof createScoringHandler>[0];

beforeAll(async () => {
  aws = await freshResources('sources');
  const db = documentClient(aws.dynamodb);
  leads = new DynamoLeadRepository(db, aws.resources.tableName);
  graph = await scriptedGraphServer((req, call) => script(call, req.url ?? ''));
  scoringDeps = {
    config,
    leads,
    routingQueue: new SqsSender(aws.sqs, aws.resources.routing.url),
    metaLeads: new GraphApiClient({
      baseUrl: graph.url,
      version: 'v23.0',
      accessToken: facebook.pageAccessToken,
      appSecret: facebook.appSecret,
      backoffMs: 10,
    }),
    failures: new DynamoFailureLog(db, aws.resources.tableName),
    search: new DynamoLeadSearch(db, aws.resources.tableName),
    imports: new DynamoImportLog(db, aws.resources.tableName),
    now: () => new Date('2026-03-19T16:00:10.000Z'),
    logger: silentLogger(),
  };
  scoring = createScoringHandler(scoringDeps);
});

async function assignTo(leadId: string, repId: string) {
  expect(await leads.assign(leadId, assignment({ repId }))).toBe('assigned');
}

afterAll(async () => {
  await graph.close();
});

function metaIntake(leadgenId: string): IntakeMessage {
  const body = readFileSync('test/fixtures/facebook/webhook-single.json', 'utf8').replaceAll(
    '233370042045345',
    leadgenId,
  );
  const [change] = parseMetaWebhook(body);
  if (!change) throw new Error('no change');
  return metaIntakeMessage(change, facebook, '2026-03-19T16:00:05.000Z');
}

async function item(key: { pk: string; sk: string }) {
  const { Item } = await documentClient(aws.dynamodb).send(
    new GetCommand({ TableName: aws.resources.tableName, Key: key }),
  );
  return Item;
}

describe('Meta leads in scoring', () => {
  it('fetches the answers from the Graph API with the page token in a header and appsecret_proof', async () => {
    const intake = metaIntake('700000000000001');
    const result = await scoring(sqsEvent([intake]), context());
    expect(result.batchItemFailures).toEqual([]);
    const request = graph.requests.at(-1);
    expect(request?.path).toBe('/v23.0/700000000000001');
    expect(request?.authorization).toBe(`Bearer ${facebook.pageAccessToken}`);
    expect(request?.query.get('appsecret_proof')).toMatch(/^[0-9a-f]{64}$/);
    expect(request?.query.has('access_token')).toBe(false);
    const lead = await leads.get(intake.leadId);
    expect(lead).toMatchObject({
      source: 'facebook',
      externalId: '700000000000001',
      contact: { name: 'رضا احمدی' },
      keys: { email: 'reza.ahmadi@example.com' },
      attribution: { campaignName: 'RE-Tehran-Q1', pageId: '138124712925158' },
      consent: { given: true },
    });
    expect(await takeAll(aws.sqs, aws.resources.routing.url, 1)).toHaveLength(1);
  });

  it('keeps the webhook payload and the Graph response, with a TTL, for replays', async () => {
    const intake = metaIntake('700000000000002');
    await scoring(sqsEvent([intake]), context());
    const raw = await item(keys.raw(intake.leadId));
    expect(raw).toMatchObject({
      source: 'facebook',
      expiresAt: Math.floor(Date.parse('2026-03-19T16:00:10Z') / 1000) + 30 * 86400,
    });
    expect(JSON.parse(raw?.graph).field_data).toHaveLength(6);
    expect(raw?.payload).toContain('700000000000002');
    await takeAll(aws.sqs, aws.resources.routing.url, 1);
  });

  it('does not call Meta again, or route again, for a lead it already has and has assigned', async () => {
    const intake = metaIntake('700000000000003');
    await scoring(sqsEvent([intake]), context());
    expect(await takeAll(aws.sqs, aws.resources.routing.url, 1)).toHaveLength(1);
    await assignTo(intake.leadId, 'ahmed');
    const calls = graph.requests.length;
    const again = await scoring(sqsEvent([intake, intake], 2), context());
    expect(again.batchItemFailures).toEqual([]);
    expect(graph.requests.length).toBe(calls);
    expect(await takeAll(aws.sqs, aws.resources.routing.url, 2, 1500)).toHaveLength(0);
  });

  it('still routes a Meta lead whose first delivery stored it but failed before its routing message was sent', async () => {
    const intake = metaIntake('700000000000006');
    // The first delivery: the lead stored, then the routing message lost with the failed delivery.
    const lost = createScoringHandler({
      ...scoringDeps,
      routingQueue: {
        send: async () => {
          throw new Error('SQS unavailable');
        },
        sendAll: async () => {
          throw new Error('SQS unavailable');
        },
      },
    });
    const first = await lost(sqsEvent([intake]), context());
    expect(first.batchItemFailures).toHaveLength(1);
    expect(await leads.exists(intake.leadId)).toBe(true);
    const calls = graph.requests.length;
    // The redelivery: no second Graph call, and routing hears of the lead this time.
    const retry = await scoring(sqsEvent([intake], 2), context());
    expect(retry.batchItemFailures).toEqual([]);
    expect(graph.requests.length).toBe(calls);
    const routed = await takeAll(aws.sqs, aws.resources.routing.url, 1);
    expect(routed.map((m) => JSON.parse(m.Body ?? '{}').leadId)).toEqual([intake.leadId]);
  });

  it('retries a Graph API outage within the call and succeeds', async () => {
    const before = graph.requests.length;
    const start = before + 1;
    script = (call, path) =>
      call - start < 2
        ? { status: 503, body: { error: { code: 2, message: 'Service temporarily unavailable' } } }
        : { status: 200, body: graphLeadFor(path) };
    const intake = metaIntake('700000000000004');
    const result = await scoring(sqsEvent([intake]), context());
    expect(result.batchItemFailures).toEqual([]);
    expect(graph.requests.length - before).toBe(3);
    expect(await leads.exists(intake.leadId)).toBe(true);
    await takeAll(aws.sqs, aws.resources.routing.url, 1);
  });

  it('records a permanent Graph error with what ops must fix, and fails the message so it reaches the DLQ', async () => {
    script = () => ({
      status: 400,
      body: {
        error: {
          code: 190,
          type: 'OAuthException',
          message: 'Error validating access token: Session has expired',
        },
      },
    });
    const intake = metaIntake('700000000000005');
    const event = sqsEvent([intake]);
    const result = await scoring(event, context());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(await leads.exists(intake.leadId)).toBe(false);
    const failure = await item(keys.failure('facebook', '700000000000005'));
    expect(failure).toMatchObject({
      leadId: intake.leadId,
      code: 'graph-190',
      attempts: 1,
      hint: expect.stringContaining('facebook.pageAccessToken'),
    });
    await scoring(sqsEvent([intake], 2), context());
    expect((await item(keys.failure('facebook', '700000000000005')))?.attempts).toBe(2);
  });

  it("acknowledges the App Dashboard's Test lead, which Graph says does not exist: recorded, never DLQ'd", async () => {
    // Graph's answer for leadgen_id 444444444444, as Meta sends it for an object that does not exist.
    script = () => ({
      status: 400,
      body: {
        error: {
          message:
            "Unsupported get request. Object with ID '444444444444' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
          type: 'GraphMethodException',
          code: 100,
          error_subcode: 33,
        },
      },
    });
    const [change] = parseMetaWebhook(
      readFileSync('test/fixtures/facebook/dashboard-test-button.json', 'utf8'),
    );
    if (!change) throw new Error('no lead');
    const intake = metaIntakeMessage(change, facebook, '2026-03-19T16:00:05.000Z');
    const result = await scoring(sqsEvent([intake]), context());
    expect(result.batchItemFailures).toEqual([]);
    expect(await leads.exists(intake.leadId)).toBe(false);
    expect(await item(keys.failure('facebook', '444444444444'))).toMatchObject({ code: 'graph-100' });
  });

  it('uses the lead the reconcile job already read, without calling Meta', async () => {
    const before = graph.requests.length;
    const intake = { ...metaIntake('700000000000006') };
    intake.meta = {
      ...(intake.meta ?? { leadgenId: '', pageId: '', formId: '' }),
      lead: graphLeadFor('/v23.0/700000000000006'),
    };
    await scoring(sqsEvent([intake]), context());
    expect(graph.requests.length).toBe(before);
    expect((await leads.get(intake.leadId))?.keys.email).toBe('lead.700000000000006@example.com');
    await takeAll(aws.sqs, aws.resources.routing.url, 1);
  });
});

describe('Google leads in scoring', () => {
  it('stores a Google test lead flagged as test, and routes nothing', async () => {
    const text = readFileSync('test/fixtures/google/test-lead.json', 'utf8');
    const intake = googleIntakeMessage(parseGoogleWebhook(text), google, '2026-03-19T16:00:05.000Z', text);
    await scoring(sqsEvent([intake]), context());
    expect(await leads.get(intake.leadId)).toMatchObject({ test: true, source: 'google', status: 'new' });
    expect(await takeAll(aws.sqs, aws.resources.routing.url, 1, 1500)).toHaveLength(0);
  });

  it('keeps one lead for a lead_id delivered twice', async () => {
    const text = readFileSync('test/fixtures/google/lead-arabic.json', 'utf8');
    const intake = googleIntakeMessage(parseGoogleWebhook(text), google, '2026-03-19T16:00:05.000Z', text);
    await scoring(sqsEvent([intake]), context());
    const first = await leads.get(intake.leadId);
    await scoring(sqsEvent([{ ...intake, receivedAt: '2026-03-19T16:09:00.000Z' }]), context());
    expect(await leads.get(intake.leadId)).toEqual(first);
    await takeAll(aws.sqs, aws.resources.routing.url, 2);
  });
});

describe('web form retries in scoring', () => {
  const form = config.sources.forms.demo;
  if (!form) throw new Error('no demo form');
  const submit = (leadId: string, body: string) => {
    const outcome = acceptFormSubmission({
      formId: 'demo',
      form,
      leadId,
      receivedAt: '2026-03-19T16:00:00.000Z',
      contentType: 'application/json',
      body,
    });
    if (outcome.kind !== 'accepted') throw new Error('not accepted');
    return outcome.message;
  };

  it('stores one lead when the same body is posted twice within the window', async () => {
    const body = JSON.stringify({ name: 'Hana', email: 'hana.double.click@example.com' });
    const first = submit('11111111-1111-4111-8111-111111111111', body);
    const second = submit('22222222-2222-4222-8222-222222222222', body);
    await scoring(sqsEvent([first]), context());
    await scoring(sqsEvent([second]), context());
    expect(await leads.exists(first.leadId)).toBe(true);
    expect(await leads.exists(second.leadId)).toBe(false);
    // A redelivery of the first message is still the first lead, not a duplicate of itself.
    const again = await scoring(sqsEvent([first], 2), context());
    expect(again.batchItemFailures).toEqual([]);
    await takeAll(aws.sqs, aws.resources.routing.url, 2);
  });
});
