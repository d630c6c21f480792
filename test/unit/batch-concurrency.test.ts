import { describe, expect, it } from 'vitest';
import { createSqsBatchHandler, createStreamBatchHandler } from '../../functions/shared/batch.ts';
import { context, silentLogger, sqsEvent } from '../support/factories.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Step = { fail?: boolean; ms: number };

describe('an SQS batch handler run twice at once (the local runner, a duplicate delivery)', () => {
  const handler = createSqsBatchHandler(silentLogger(), async (record) => {
    const step = JSON.parse(record.body) as Step;
    await sleep(step.ms);
    if (step.fail) throw new Error('Graph answered 500');
  });

  it("reports each invocation's own failures when the other batch finishes first", async () => {
    const failing = sqsEvent([{ fail: true, ms: 50 }]);
    const passing = sqsEvent([{ ms: 0 }, { ms: 0 }]);
    const [first, second] = await Promise.all([handler(failing, context()), handler(passing, context())]);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: failing.Records[0]?.messageId }]);
    expect(second.batchItemFailures).toEqual([]);
  });

  it('keeps a failure when another batch starts after it failed but before its batch ended', async () => {
    // The failure lands at 10 ms, the first batch ends at 60 ms, the second batch starts at 30 ms: a processor
    // shared by both would forget the failure, and the event source would delete a failed message as done.
    const failing = sqsEvent([{ fail: true, ms: 10 }, { ms: 60 }]);
    const later = sqsEvent([{ ms: 0 }]);
    const [first, second] = await Promise.all([
      handler(failing, context()),
      sleep(30).then(() => handler(later, context())),
    ]);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: failing.Records[0]?.messageId }]);
    expect(second.batchItemFailures).toEqual([]);
  });
});

describe('a stream batch handler run twice at once', () => {
  it('keeps a failure when another batch starts meanwhile', async () => {
    const handler = createStreamBatchHandler(
      silentLogger(),
      async (record) => {
        const ms = Number(record.dynamodb?.SequenceNumber ?? 0);
        await sleep(ms);
        if (ms === 10) throw new Error('throttled');
      },
      { inParallel: true },
    );
    const event = (seqs: number[]) => ({
      Records: seqs.map((s) => ({ eventID: `e${s}`, dynamodb: { SequenceNumber: String(s) } })),
    });
    const [first] = await Promise.all([
      handler(event([10, 60]), context()),
      sleep(30).then(() => handler(event([0]), context())),
    ]);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: '10' }]);
  });
});
