import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wireScoring } from '../../functions/scoring/wiring.ts';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import { DynamoImportLog } from '../../functions/shared/aws/dynamo-import-log.ts';
import { leadIdFor } from '../../functions/shared/ids.ts';
import { IMPORT_MAX_BYTES, type ImportRecord, type ImportView } from '../../functions/shared/imports.ts';
import type { Pipeline } from '../../local/pipeline.ts';
import {
  emulatorClients,
  eventually,
  freshResources,
  queueDepth,
  type TestAws,
  testPipeline,
} from '../support/aws.ts';
import { context, intakeMessage, silentLogger, sqsEvent, testConfig } from '../support/factories.ts';
import { functionOn } from '../support/handlers.ts';
import { metaSignature } from '../support/signing.ts';

const config = testConfig();
const fixture = (name: string) => readFileSync(new URL(`../fixtures/imports/${name}`, import.meta.url));
type Json = Record<string, unknown>;

let pipeline: Pipeline;

beforeAll(async () => {
  pipeline = await testPipeline('imports', config);
}, 60_000);

afterAll(async () => {
  await pipeline?.stop();
});

async function postFile(
  body: Uint8Array | string,
  query: string,
  headers: Record<string, string> = { 'content-type': 'application/octet-stream' },
  path = '/v1/imports',
) {
  const response = await fetch(`${pipeline.url}${path}?${query}`, { method: 'POST', headers, body });
  return { status: response.status, json: (await response.json()) as Json, headers: response.headers };
}

async function get(path: string) {
  const response = await fetch(`${pipeline.url}${path}`);
  return { status: response.status, json: (await response.json()) as Json };
}

/** Posts a file and waits until the pipeline has stored every row it queued. */
async function imported(body: Uint8Array, query: string): Promise<ImportView & { id: string }> {
  const posted = await postFile(body, query);
  expect(posted.status, JSON.stringify(posted.json)).toBe(202);
  const id = String(posted.json.id);
  expect(posted.headers.get('location')).toBe(`/v1/imports/${id}`);
  const view = await eventually(`import ${id} done`, async () => {
    const { json } = await get(`/v1/imports/${id}`);
    return json.status === 'done' ? (json as unknown as ImportView) : undefined;
  });
  return { ...view, id };
}

async function storedLead(id: string): Promise<Json | undefined> {
  const { status, json } = await get(`/v1/leads/${id}`);
  return status === 200 ? (json.lead as Json) : undefined;
}

describe("Meta's lead download", () => {
  const webhookLeadId = leadIdFor('facebook', '233370042045345');

  it('is the same lead as the webhook brought: merged, never a second lead', async () => {
    const body = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: '138124712925158',
          time: 1630087927,
          changes: [
            {
              field: 'leadgen',
              value: {
                leadgen_id: '233370042045345',
                page_id: '138124712925158',
                form_id: '172036835026334',
              },
            },
          ],
        },
      ],
    });
    const hook = await fetch(`${pipeline.url}/v1/webhooks/facebook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': metaSignature(body, config.sources.facebook?.appSecret ?? ''),
      },
      body,
    });
    expect(hook.status).toBe(200);
    await eventually('webhook lead stored', () => storedLead(webhookLeadId));

    const result = await imported(fixture('meta-leads-download.tsv'), 'source=meta-march');
    expect(result).toMatchObject({ status: 'done', rows: 4, created: 3, merged: 1, pending: 0, refused: [] });
    expect((await storedLead(webhookLeadId))?.importId).toBeUndefined();
  });

  it('stores the other rows with their Meta attribution, and the Testing Tool row as a test lead', async () => {
    const second = await storedLead(leadIdFor('facebook', '233370042045346'));
    expect(second).toMatchObject({
      source: 'facebook',
      externalId: '233370042045346',
      phoneE164: '+966551112299',
      attribution: { campaignId: '23849853425910183', adId: '23849853425890183', platform: 'fb' },
      submittedAt: '2026-03-20T07:05:41.000Z',
    });
    expect((await storedLead(leadIdFor('facebook', '233370042045347')))?.test).toBe(true);
  });

  it('imported again, creates nothing: every row is merged', async () => {
    const again = await imported(fixture('meta-leads-download.tsv'), 'source=meta-march');
    expect(again).toMatchObject({ rows: 4, created: 0, merged: 4 });
  });
});

describe('a list with Arabic columns', () => {
  it('goes through the pipeline: stored, scored, routed to a rep, findable by phone', async () => {
    const result = await imported(fixture('expo-arabic.csv'), 'source=expo-riyadh');
    expect(result).toMatchObject({
      rows: 4,
      created: 3,
      merged: 0,
      refused: [{ row: 5, reason: expect.stringMatching(/no email or phone/) }],
    });
    const { json } = await get(`/v1/leads?q=${encodeURIComponent('0505123456')}`);
    const [sara] = json.leads as { id: string; source: string }[];
    expect(sara?.source).toBe('import');
    const owner = await eventually('imported lead routed', async () => {
      const lead = await storedLead(sara?.id ?? '');
      return lead?.ownerId as string | undefined;
    });
    expect(['sara', 'layla', 'omid']).toContain(owner);
  });

  it('with route=false, leaves the leads unassigned for a manager to hand out', async () => {
    const result = await imported(
      fixture('webinar-persian.csv'),
      'source=webinar&route=false&locale=fa&country=IR',
    );
    expect(result).toMatchObject({ created: 2 });
    const { json } = await get(`/v1/leads?q=${encodeURIComponent('09123456789')}`);
    const [zahra] = json.leads as { id: string }[];
    const lead = await storedLead(zahra?.id ?? '');
    expect(lead).toMatchObject({ status: 'new', locale: 'fa', phoneE164: '+989123456789' });
    expect(lead?.ownerId).toBeUndefined();
  });
});

describe('a file that cannot be imported is refused whole, and nothing is written', () => {
  async function leadsNow(): Promise<number> {
    const { json } = await get('/v1/leads?source=import&limit=100');
    return (json.leads as unknown[]).length;
  }

  it('ragged rows, formulas, an empty file, a wrong encoding: 4xx with what to fix, no rows queued', async () => {
    const before = await leadsNow();
    const cases: [string | Uint8Array, number, string][] = [
      ['email,name\r\na@example.com,A\r\nb@example.com\r\n', 422, 'ragged_rows'],
      ['email,name\r\na@example.com,"=1+1"\r\n', 422, 'formula_cells'],
      ['', 422, 'empty_file'],
      [fixture('excel-windows-1256.csv'), 422, 'wrong_encoding'],
    ];
    for (const [body, status, code] of cases) {
      const response = await postFile(body, 'source=broken');
      expect(response.status, code).toBe(status);
      expect((response.json.error as Json).code).toBe(code);
    }
    expect(await queueDepth(emulatorClients().sqs, pipeline.resources.intake.url)).toBe(0);
    expect(await leadsNow()).toBe(before);
  });

  it('a file past the size limit gets 413 naming the limit', async () => {
    const big = Buffer.alloc(IMPORT_MAX_BYTES + 1, 'a');
    const response = await postFile(big, 'source=big');
    expect(response.status).toBe(413);
    expect(response.json.error).toMatchObject({
      code: 'file_too_large',
      message: expect.stringMatching(/4 MB/),
    });
  });

  it('a form upload or JSON is 415, a missing source 400, a rep 403', async () => {
    expect(
      (await postFile('x', 'source=a', { 'content-type': 'multipart/form-data; boundary=x' })).status,
    ).toBe(415);
    expect((await postFile('email\r\na@example.com\r\n', '')).status).toBe(400);
    const asRep = await postFile(
      'email\r\na@example.com\r\n',
      'source=a',
      { 'content-type': 'text/csv', 'x-leadpipe-local-user': 'rep:sara' },
      '/dashboard/api/v1/imports',
    );
    expect(asRep.status).toBe(403);
  });

  it('an unknown import is 404', async () => {
    expect((await get('/v1/imports/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await get('/v1/imports/not-an-id')).status).toBe(404);
  });
});

describe('counting rows as the pipeline stores them', () => {
  let aws: TestAws;
  let log: DynamoImportLog;
  const record: ImportRecord = {
    id: '0193f2a4-0000-7000-8000-000000000001',
    source: 'counted',
    format: 'generic',
    route: false,
    by: 'ops',
    createdAt: '2026-03-22T09:00:00.000Z',
    rows: 1,
    queued: 1,
    refused: [],
    refusedCount: 0,
    created: 0,
    merged: 0,
  };

  beforeAll(async () => {
    aws = await freshResources('import-count');
    log = new DynamoImportLog(documentClient(aws.dynamodb), aws.resources.tableName);
    await log.create(record);
  });

  it('counts a row delivered twice once, and sends an unrouted row to nobody', async () => {
    const scoring = wireScoring({ ...functionOn(aws, 'scoring'), config, logger: silentLogger() });
    const row = intakeMessage({ source: 'import', import: { id: record.id, row: 2, route: false } });
    expect((await scoring(sqsEvent([row]), context())).batchItemFailures).toEqual([]);
    expect((await scoring(sqsEvent([row], 2), context())).batchItemFailures).toEqual([]);
    expect(await log.get(record.id)).toMatchObject({ created: 1, merged: 0 });
    expect(await queueDepth(aws.sqs, aws.resources.routing.url)).toBe(0);
  });
});
