import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wireReconcile } from '../../functions/reconcile/wiring.ts';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import { DynamoLeadRepository } from '../../functions/shared/aws/dynamo-lead-repository.ts';
import { SqsSender } from '../../functions/shared/aws/sqs-sender.ts';
import { leadIdFor } from '../../functions/shared/ids.ts';
import { IntakeMessage } from '../../functions/shared/lead.ts';
import { personaLead, startFakeGraphApi } from '../../local/fake-graph-api.ts';
import { redrive } from '../../local/redrive.ts';
import { freshResources, queueDepth, type TestAws, takeAll } from '../support/aws.ts';
import { context, lead, silentLogger, testConfig } from '../support/factories.ts';
import { functionOn } from '../support/handlers.ts';

const config = testConfig();
const FORM = '172036835026334';
let aws: TestAws;
let graph: Awaited<ReturnType<typeof startFakeGraphApi>>;
let leads: DynamoLeadRepository;
let reconcile: ReturnType<typeof wireReconcile>;

beforeAll(async () => {
  aws = await freshResources('reconcile');
  graph = await startFakeGraphApi({ accessToken: 'test-page-token' });
  leads = new DynamoLeadRepository(documentClient(aws.dynamodb), aws.resources.tableName);
  reconcile = wireReconcile({
    ...functionOn(aws, 'reconcile', graph.url),
    config,
    now: () => new Date('2026-03-19T16:00:00.000Z'),
    logger: silentLogger(),
  });
});

afterAll(async () => {
  await graph.stop();
});

describe('the reconcile job', () => {
  it('pages through each form and queues only the leads leadpipe does not have', async () => {
    const ids = Array.from({ length: 230 }, (_, i) => String(800000000000000 + i));
    for (const id of ids)
      graph.addLead({ ...personaLead(id, FORM), created_time: '2026-03-19T10:00:00+0000' });
    graph.addLead({ ...personaLead('800000000099999', FORM), created_time: '2026-03-10T10:00:00+0000' });
    // The webhooks of the first 30 did arrive.
    for (const id of ids.slice(0, 30)) await leads.create(lead({ id: leadIdFor('facebook', id) }));

    const summary = await reconcile({}, context('reconcile'));
    expect(summary).toEqual({ forms: [FORM], since: '2026-03-17T16:00:00.000Z', scanned: 230, missing: 200 });
    const queued = (await takeAll(aws.sqs, aws.resources.intake.url, 200, 20_000)).map((m) =>
      IntakeMessage.parse(JSON.parse(m.Body ?? '')),
    );
    expect(queued).toHaveLength(200);
    expect(new Set(queued.map((m) => m.externalId))).toEqual(new Set(ids.slice(30)));
    expect(queued[0]?.meta?.lead?.field_data.length).toBeGreaterThan(0);
  });

  it('takes a form and a start time for a manual backfill, and rejects a bad one', async () => {
    const summary = await reconcile({ forms: [FORM], since: '2026-03-01T00:00:00Z' }, context('reconcile'));
    expect(summary.scanned).toBe(231);
    await takeAll(aws.sqs, aws.resources.intake.url, summary.missing, 20_000);
    await expect(reconcile({ forms: ['not-a-form'] }, context('reconcile'))).rejects.toThrow(
      /numeric Meta form id/,
    );
  });
});

describe('redrive', () => {
  it('moves every DLQ message back to its queue, unchanged', async () => {
    const dlq = new SqsSender<{ n: number }>(aws.sqs, aws.resources.intakeDlq.url);
    await dlq.sendAll(Array.from({ length: 23 }, (_, n) => ({ n })));
    expect(await redrive(aws.sqs, aws.resources.intakeDlq.url, aws.resources.intake.url)).toBe(23);
    expect(await queueDepth(aws.sqs, aws.resources.intakeDlq.url)).toBe(0);
    const moved = await takeAll(aws.sqs, aws.resources.intake.url, 23);
    expect(moved.map((m) => JSON.parse(m.Body ?? '').n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 23 }, (_, n) => n),
    );
  });
});
