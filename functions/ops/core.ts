import { z } from 'zod';
import { RepConfig } from '../shared/config.ts';
import { HttpError, issuesFromZod } from '../shared/errors.ts';
import type { Assignment, Lead } from '../shared/lead.ts';

/** Who is acting, for the record: a name or an id, one line. */
const Actor = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[^\r\n]*$/, 'one line');

export const RepPatchInput = RepConfig.omit({ id: true })
  .partial()
  .extend({ pools: z.array(z.string()).optional(), by: Actor.default('ops') })
  .strict();

export const PauseInput = z.strictObject({
  reason: z.string().trim().max(200).optional(),
  by: Actor.default('ops'),
});
export const ResumeInput = z.strictObject({ by: Actor.default('ops') });
export const NewRepInput = RepConfig.extend({
  pools: z.array(z.string()).optional(),
  by: Actor.default('ops'),
});

export const ReassignInput = z.strictObject({
  repId: z.string().min(1),
  by: Actor,
  reason: z.string().trim().min(3, 'say why the lead moves').max(500),
});

/** Parses a JSON body against a schema, or answers 400 with the fields to fix. */
export function parseBody<T extends z.ZodType>(schema: T, body: string | undefined): z.infer<T> {
  let json: unknown;
  try {
    json = body === undefined || body === '' ? {} : JSON.parse(body);
  } catch (error) {
    throw new HttpError(400, 'malformed_json', `The body is not valid JSON: ${(error as Error).message}.`);
  }
  const result = schema.safeParse(json);
  if (!result.success)
    throw new HttpError(
      400,
      'validation_failed',
      'The request has fields that need fixing.',
      issuesFromZod(result.error),
    );
  return result.data;
}

/** A manual move: who moved the lead, why, and from whom; the pool stays what it was. */
export function manualAssignment(lead: Lead, input: z.infer<typeof ReassignInput>, now: Date): Assignment {
  const reason = input.reason.replace(/[\r\n]+/g, ' ');
  return {
    repId: input.repId,
    poolId: lead.assignment?.poolId ?? 'manual',
    counter: 0,
    rule: 'manual',
    skipped: [],
    reason: `moved by ${input.by}${lead.ownerId ? ` from ${lead.ownerId}` : ''}: ${reason}`,
    by: input.by,
    at: now.toISOString(),
  };
}

const Day = z.iso.date({ error: 'a date such as 2026-03-19' });

export const KpiQuery = z
  .strictObject({
    from: Day.optional(),
    to: Day.optional(),
    groupBy: z.enum(['all', 'day', 'rep', 'source', 'campaign', 'segment']).default('all'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: 'from must not be after to',
    path: ['from'],
  });

/** A query string checked like a body: 400 with the parameters to fix. */
export function parseQuery<T extends z.ZodType>(
  schema: T,
  query: Record<string, string | undefined> | undefined,
): z.infer<T> {
  const result = schema.safeParse(query ?? {});
  if (!result.success)
    throw new HttpError(
      400,
      'validation_failed',
      'The query has parameters that need fixing.',
      issuesFromZod(result.error),
    );
  return result.data;
}

/** The days a KPI query covers: the last 30 days (UTC) unless it names them. */
export function kpiRange(
  query: { from?: string | undefined; to?: string | undefined },
  now: Date,
): { from: string; to: string } {
  const to = query.to ?? now.toISOString().slice(0, 10);
  const from =
    query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}
