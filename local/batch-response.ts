import * as z from '../functions/shared/zod.ts';

const BatchResponse = z.nullish(
  z.object({
    batchItemFailures: z.nullish(z.array(z.object({ itemIdentifier: z.string().check(z.minLength(1)) }))),
  }),
);

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
