import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { KpiBatch, KpiCollector, LeadChange } from '../../functions/nurture/lead-change.ts';
import { createStreamJob } from '../../functions/nurture/stream.ts';
import type { StreamBatchResponse } from '../../functions/shared/batch.ts';
import type { Lead } from '../../functions/shared/lead.ts';
import { tableKeys } from '../../functions/shared/table-schema.ts';
import { context, lead, silentLogger } from '../support/factories.ts';

// The fields Lambda adds with a tumbling window, as in the docs' DynamodbTimeWindowEvent
// (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-windows.html).
const WINDOW = {
  window: { start: '2026-03-19T16:00:00Z', end: '2026-03-19T16:15:00Z' },
  state: {},
  shardId: 'shardId-00000001774000000000-0a1b2c3d',
  eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/leadpipe/stream/2026-03-01T00:00:00.000',
  isFinalInvokeForWindow: false,
  isWindowTerminatedEarly: false,
};

function record(stored: Lead | Record<string, unknown>, sequence: string): DynamoDBRecord {
  const id = String(stored.id);
  return {
    eventID: `event-${sequence}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: marshall(tableKeys.lead(id)) as never,
      NewImage: marshall({ ...tableKeys.lead(id), ...stored }, { removeUndefinedValues: true }) as never,
      SequenceNumber: sequence,
    },
  };
}

/** The stream job with its collaborators replaced: one KPI event per lead, sends that may fail. */
function job(options: { unreadable?: Set<string>; failingSends?: Set<string> } = {}) {
  const batches: KpiBatch[] = [];
  const collect: KpiCollector = async (_before, after) => {
    if (options.unreadable?.has(after.id)) throw new Error('the rep could not be read');
    return [
      {
        leadId: after.id,
        event: { key: 'status#new', table: 'funnel', day: '2026-03-19', dims: [], adds: { new: 1 } },
      },
    ];
  };
  const change: LeadChange = async (_before, after) => {
    if (options.failingSends?.has(after.id)) throw new Error('SES refused');
  };
  const handler = createStreamJob(
    { logger: silentLogger(), now: () => new Date() },
    collect,
    change,
    async (b) => {
      batches.push(b);
    },
  );
  const run = (event: DynamoDBStreamEvent) =>
    handler(event, context('nurture')) as Promise<StreamBatchResponse>;
  return { run, batches };
}

const counted = (batch: KpiBatch | undefined) =>
  batch?.entries.map((e) => ('sequence' in e ? `${e.leadId}@${e.sequence}` : e.leadId));

describe('a stream batch counting its KPI events', () => {
  const [a, b, c] = [lead(), lead(), lead()];

  it('names its shard to the KPIs and answers the window with a state', async () => {
    const { run, batches } = job();
    const response = await run({
      ...WINDOW,
      Records: [record(a, '100'), record(b, '200')],
    } as DynamoDBStreamEvent);
    expect(response).toEqual({ batchItemFailures: [], state: {} });
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ shardId: WINDOW.shardId });
    expect(counted(batches[0])).toEqual([`${a.id}@100`, `${b.id}@200`]);
  });

  it("counts a failed send's events all the same: the retry from that record finds them counted", async () => {
    const { run, batches } = job({ failingSends: new Set([b.id]) });
    const response = await run({
      ...WINDOW,
      Records: [record(a, '100'), record(b, '200'), record(c, '300')],
    } as DynamoDBStreamEvent);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '200' }]);
    expect(counted(batches[0])).toEqual([`${a.id}@100`, `${b.id}@200`, `${c.id}@300`]);
  });

  it('holds back every event from the first record whose events could not be read', async () => {
    const { run, batches } = job({ unreadable: new Set([b.id]) });
    const response = await run({
      ...WINDOW,
      Records: [record(a, '100'), record(b, '200'), record(c, '300')],
    } as DynamoDBStreamEvent);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '200' }]);
    // c is counted when the retry (from b) brings it again, past the position a left.
    expect(counted(batches[0])).toEqual([`${a.id}@100`]);
  });

  it('lets an image that can never be read pass: it has no events to wait for', async () => {
    const { run, batches } = job();
    const broken = { id: 'broken', status: 'no-such-status' };
    const response = await run({
      ...WINDOW,
      Records: [record(a, '100'), record(broken, '200'), record(c, '300')],
    } as DynamoDBStreamEvent);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '200' }]);
    expect(counted(batches[0])).toEqual([`${a.id}@100`, `${c.id}@300`]);
  });

  it("answers the window's closing call, which may hold no records, with a state and counts nothing", async () => {
    const { run, batches } = job();
    const response = await run({
      ...WINDOW,
      isFinalInvokeForWindow: true,
      Records: [],
    } as DynamoDBStreamEvent);
    expect(response).toEqual({ batchItemFailures: [], state: {} });
    expect(batches).toEqual([]);
  });

  it('without a window, counts every event it read by marker, and answers without a state', async () => {
    const { run, batches } = job({ unreadable: new Set([b.id]) });
    const response = await run({ Records: [record(a, '100'), record(b, '200'), record(c, '300')] });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '200' }] });
    expect(batches[0]).not.toHaveProperty('shardId');
    expect(counted(batches[0])).toEqual([a.id, c.id]);
  });

  it('refuses a window event that does not name its shard', async () => {
    const { run } = job();
    const { shardId: _, ...noShard } = WINDOW;
    await expect(run({ ...noShard, Records: [record(a, '100')] } as DynamoDBStreamEvent)).rejects.toThrow(
      'a tumbling-window stream event lacks shardId',
    );
  });
});
