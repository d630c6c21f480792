import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { wireOps } from '../../functions/ops/wiring.ts';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import { DynamoKpiStore } from '../../functions/shared/aws/dynamo-kpi-store.ts';
import { DynamoLeadRepository } from '../../functions/shared/aws/dynamo-lead-repository.ts';
import { DynamoRepRepository } from '../../functions/shared/aws/dynamo-rep-repository.ts';
import type { StreamBatchResponse } from '../../functions/shared/batch.ts';
import { sequenceKey } from '../../functions/shared/stream-position.ts';
import { tableKeys } from '../../functions/shared/table-schema.ts';
import { freshResources, streamRecords, type TestAws } from '../support/aws.ts';
import { assignment, context, httpEvent, lead, silentLogger, testConfig } from '../support/factories.ts';
import { functionOn, nurtureOn } from '../support/handlers.ts';

const config = testConfig();
let aws: TestAws;
let leads: DynamoLeadRepository;
let nurture: ReturnType<typeof nurtureOn>['nurture']['handler'];
let ops: ReturnType<typeof wireOps>;
let clock = new Date('2026-03-19T16:00:00.000Z');

beforeAll(async () => {
  aws = await freshResources('kpi');
  const db = documentClient(aws.dynamodb);
  leads = new DynamoLeadRepository(db, aws.resources.tableName);
  const reps = new DynamoRepRepository(db, aws.resources.tableName);
  await reps.seed(config.routing.reps, clock);
  nurture = nurtureOn(aws, config, () => clock).nurture.handler;
  ops = wireOps({ ...functionOn(aws, 'ops'), config, now: () => clock, logger: silentLogger() });
});

function allStreamRecords(): Promise<DynamoDBRecord[]> {
  return streamRecords(aws, (r) => r.dynamodb?.Keys?.sk?.S === 'LEAD');
}

async function event(leadId: string, body: unknown) {
  return ops(
    httpEvent({
      method: 'POST',
      path: `/v1/leads/${leadId}/events`,
      routeKey: 'POST /v1/leads/{leadId}/events',
      pathParameters: { leadId },
      body: JSON.stringify(body),
    }),
    context('ops'),
  );
}

async function kpi(path: 'response-time' | 'funnel', groupBy: string, day = '2026-03-19') {
  const response = await ops(
    {
      ...httpEvent({ method: 'GET', path: `/v1/kpi/${path}`, routeKey: `GET /v1/kpi/${path}` }),
      queryStringParameters: { from: day, to: day, groupBy },
    },
    context('ops'),
  );
  return JSON.parse(response.body ?? '{}');
}

describe('the speed-to-lead KPI', () => {
  it('counts each first contact and funnel step exactly once, however often the stream delivers it', async () => {
    const people = [
      { repId: 'sara', minutes: 4 },
      { repId: 'sara', minutes: 40 },
      { repId: 'layla', minutes: 9 },
    ];
    for (const p of people) {
      // Submitted two minutes before leadpipe received it (a late webhook), assigned on receipt.
      const stored = lead({
        submittedAt: '2026-03-19T15:58:00.000Z',
        receivedAt: '2026-03-19T16:00:00.000Z',
        createdAt: '2026-03-19T16:00:01.000Z',
        segments: ['gulf'],
      });
      await leads.create(stored);
      await leads.assign(stored.id, assignment({ repId: p.repId, at: '2026-03-19T16:00:00.000Z' }));
      clock = new Date(Date.parse('2026-03-19T16:00:00.000Z') + p.minutes * 60_000);
      expect((await event(stored.id, { type: 'contacted', by: p.repId })).statusCode).toBe(200);
      expect((await event(stored.id, { type: 'contacted', by: p.repId })).body).toContain('"changed":false');
    }
    const test = lead({
      test: true,
      receivedAt: '2026-03-19T16:00:00.000Z',
      createdAt: '2026-03-19T16:00:01.000Z',
    });
    await leads.create(test);

    const records = await allStreamRecords();
    // Half the batch first, then all of it twice (a retry after a checkpoint overlaps what was counted):
    // each batch counts its events in one write, and a marker drops every event seen before.
    for (const batch of [records.slice(0, Math.ceil(records.length / 2)), records, records]) {
      const result = await nurture({ Records: batch }, context('nurture'));
      expect(result.batchItemFailures).toEqual([]);
    }

    const byRep = await kpi('response-time', 'rep');
    expect(byRep.slaMinutes).toBe(15);
    expect(byRep.groups).toEqual([
      expect.objectContaining({ group: 'layla', contacted: 1, p50Minutes: 10, slaMetPercent: 100 }),
      expect.objectContaining({
        group: 'sara',
        contacted: 2,
        p50Minutes: 5,
        p90Minutes: 45,
        slaMetPercent: 50,
        bandsMinutes: expect.objectContaining({ '0-5': 1, '15-60': 1 }),
      }),
    ]);
    const all = await kpi('response-time', 'all');
    // The rep's response from assignment; the lead's wait from submission, two minutes longer each.
    expect(all.groups[0]).toMatchObject({
      group: 'all',
      contacted: 3,
      averageMinutes: 17.7,
      leadWait: { averageMinutes: 19.7 },
    });
    const funnel = await kpi('funnel', 'source');
    expect(funnel.groups).toEqual([
      expect.objectContaining({ group: 'web-form', new: 3, contacted: 3, contactedPercent: 100 }),
    ]);
  });

  it('answers 400 for a bad query and 409 for a step backwards', async () => {
    const bad = await ops(
      {
        ...httpEvent({ method: 'GET', path: '/v1/kpi/funnel', routeKey: 'GET /v1/kpi/funnel' }),
        queryStringParameters: { groupBy: 'planet', from: '2026-13-01' },
      },
      context('ops'),
    );
    expect(bad.statusCode).toBe(400);
    expect(
      JSON.parse(bad.body ?? '')
        .error.issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(['from', 'groupBy']);
    const won = lead({ status: 'won' });
    await leads.create(won);
    const back = await event(won.id, { type: 'contacted', by: 'x' });
    expect(back.statusCode).toBe(409);
    expect(JSON.parse(back.body ?? '').error.code).toBe('status_not_allowed');
  });

  it('disqualifies for a configured reason: the funnel counts it by campaign and reason, and time in stage by rep', async () => {
    const day = '2026-03-20';
    const made: { stored: ReturnType<typeof lead>; repId: string }[] = [];
    for (const [campaign, repId] of [
      ['spring', 'sara'],
      ['spring', 'sara'],
      ['brand', 'layla'],
    ] as const) {
      const stored = lead({
        receivedAt: `${day}T09:00:00.000Z`,
        createdAt: `${day}T09:00:01.000Z`,
        attribution: { utm: { campaign } },
      });
      await leads.create(stored);
      await leads.assign(stored.id, assignment({ repId, at: `${day}T09:00:00.000Z` }));
      made.push({ stored, repId });
    }
    clock = new Date(`${day}T09:30:00.000Z`);
    const [first, second, third] = made;
    if (!first || !second || !third) throw new Error('three leads');
    const refused = await event(first.stored.id, { type: 'disqualified', by: 'sara', reason: 'bored' });
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body ?? '').error.code).toBe('unknown_reason');
    expect(
      (await event(first.stored.id, { type: 'disqualified', by: 'sara', reason: 'spam' })).statusCode,
    ).toBe(200);
    expect(
      (await event(second.stored.id, { type: 'disqualified', by: 'sara', reason: 'wrong-number' }))
        .statusCode,
    ).toBe(200);
    // Nothing follows an outcome.
    expect((await event(first.stored.id, { type: 'contacted', by: 'sara' })).statusCode).toBe(409);
    clock = new Date(`${day}T10:00:00.000Z`);
    expect((await event(third.stored.id, { type: 'contacted', by: 'layla' })).statusCode).toBe(200);

    const records = (await allStreamRecords()).filter((r) =>
      made.some((m) => r.dynamodb?.Keys?.pk?.S === `LEAD#${m.stored.id}`),
    );
    for (let delivery = 0; delivery < 2; delivery++)
      expect((await nurture({ Records: records }, context('nurture'))).batchItemFailures).toEqual([]);

    const byCampaign = await kpi('funnel', 'campaign', day);
    expect(byCampaign.groups).toEqual([
      expect.objectContaining({ group: 'brand', new: 1, contacted: 1, disqualified: 0 }),
      expect.objectContaining({
        group: 'spring',
        new: 2,
        disqualified: 2,
        disqualifiedReasons: { spam: 1, 'wrong-number': 1 },
      }),
    ]);
    const byRep = await kpi('funnel', 'rep', day);
    expect(byRep.groups).toEqual([
      expect.objectContaining({
        group: 'layla',
        contacted: 1,
        timeInStage: { assigned: { count: 1, p50Minutes: 60, p90Minutes: 60, averageMinutes: 60 } },
      }),
      expect.objectContaining({
        group: 'sara',
        disqualified: 2,
        timeInStage: { assigned: { count: 2, p50Minutes: 60, p90Minutes: 60, averageMinutes: 30 } },
      }),
    ]);
  });
});

describe('counting a stream shard by its position', () => {
  const shardWindow = (shardId: string) => ({
    window: { start: '2026-03-21T09:00:00Z', end: '2026-03-21T09:15:00Z' },
    state: {},
    shardId,
    eventSourceARN: aws.resources.streamArn,
    isFinalInvokeForWindow: false,
    isWindowTerminatedEarly: false,
  });

  it('counts each event once through retries, overlaps and a batch delivered twice at once', async () => {
    const day = '2026-03-21';
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      const stored = lead({
        receivedAt: `${day}T09:00:00.000Z`,
        createdAt: `${day}T09:00:01.000Z`,
        attribution: { utm: { campaign: 'by-position' } },
      });
      await leads.create(stored);
      made.push(stored.id);
    }
    const records = (await allStreamRecords()).filter((r) =>
      made.some((id) => r.dynamodb?.Keys?.pk?.S === `LEAD#${id}`),
    );
    expect(records).toHaveLength(4);
    const deliver = async (batch: DynamoDBRecord[]) => {
      const result = (await nurture(
        { ...shardWindow('shard-a'), Records: batch } as DynamoDBStreamEvent,
        context('nurture'),
      )) as StreamBatchResponse;
      expect(result).toEqual({ batchItemFailures: [], state: {} });
    };
    await deliver(records.slice(0, 2));
    // A retry from the second record, then the whole batch twice at once.
    await deliver(records.slice(1));
    await Promise.all([deliver(records), deliver(records)]);
    const funnel = await kpi('funnel', 'campaign', day);
    expect(funnel.groups).toEqual([expect.objectContaining({ group: 'by-position', new: 4 })]);
    // One position item for the shard, and no marker for any of these events.
    const position = await documentClient(aws.dynamodb).send(
      new GetCommand({ TableName: aws.resources.tableName, Key: tableKeys.kpiShard('shard-a') }),
    );
    expect(position.Item?.counted).toBe(sequenceKey(records.at(-1)?.dynamodb?.SequenceNumber ?? ''));
    for (const id of made) {
      const marker = await documentClient(aws.dynamodb).send(
        new GetCommand({ TableName: aws.resources.tableName, Key: tableKeys.kpiMarker(id, 'status#new') }),
      );
      expect(marker.Item).toBeUndefined();
    }
  });

  it('keeps shards apart, and splits a batch whose rows outgrow one transaction', async () => {
    const store = new DynamoKpiStore(documentClient(aws.dynamodb), aws.resources.tableName);
    // 150 events on 150 rows: more than DynamoDB's 100 items of a transaction.
    const entries = Array.from({ length: 150 }, (_, i) => ({
      leadId: `lead-${i}`,
      sequence: String(1000 + i),
      event: {
        key: 'status#new',
        table: 'funnel' as const,
        day: '2026-03-22',
        dims: [{ type: 'campaign', value: `c${String(i).padStart(3, '0')}` }],
        adds: { new: 1 },
      },
    }));
    expect(await store.recordFromShard('shard-b', entries, 1_774_000_000)).toHaveLength(150);
    expect(await store.recordFromShard('shard-b', entries, 1_774_000_000)).toHaveLength(0);
    // The same sequence numbers in another shard are other records.
    expect(await store.recordFromShard('shard-c', entries.slice(0, 10), 1_774_000_000)).toHaveLength(10);
    const rows = await store.query('funnel', 'campaign', '2026-03-22', '2026-03-22');
    expect(rows).toHaveLength(150);
    expect(rows.reduce((n, r) => n + (r.adds.new ?? 0), 0)).toBe(160);
  });
});
