import { describe, expect, it } from 'vitest';
import { createSqsBatchHandler } from '../../functions/shared/batch.ts';
import { context, silentLogger, sqsEvent } from '../support/factories.ts';

describe('an SQS batch handler run twice at once (the local runner, a duplicate delivery)', () => {
  it("reports each invocation's own failures, so a failed record is never deleted as done", async () => {
    // The first batch's record fails late; the second batch, started meanwhile, succeeds at once.
    const handler = createSqsBatchHandler(silentLogger(), async (record) => {
      const { fail } = JSON.parse(record.body) as { fail: boolean };
      if (fail) {
        await new Promise((r) => setTimeout(r, 50));
        throw new Error('Graph answered 500');
      }
    });
    const failing = sqsEvent([{ fail: true }]);
    const passing = sqsEvent([{ fail: false }, { fail: false }]);
    const [first, second] = await Promise.all([handler(failing, context()), handler(passing, context())]);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: failing.Records[0]?.messageId }]);
    expect(second.batchItemFailures).toEqual([]);
  });
});
