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
