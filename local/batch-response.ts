import { z } from 'zod';

const BatchResponse = z
  .object({
    batchItemFailures: z.array(z.object({ itemIdentifier: z.string().min(1) })).nullish(),
  })
  .nullish();

/**
 * The records a function reported failed, read as Lambda reads a partial batch response: nothing (or an empty
 * or null list) is full success; an entry without an identifier fails the whole batch (`undefined`).
 * https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
 */
export function reportedFailures(response: unknown): Set<string> | undefined {
  const parsed = BatchResponse.safeParse(response);
  if (!parsed.success) return undefined;
  return new Set((parsed.data?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
}
