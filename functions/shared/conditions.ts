import * as z from './zod.ts';

/**
 * The lead facts a scoring or segment rule may test. `answers.<key>` reaches a form's own questions;
 * any other name is a configuration error, so a typo never scores silently as zero.
 */
export const LEAD_FIELDS = [
  'source',
  'form',
  'name',
  'email',
  'email.domain',
  'email.free',
  'email.role',
  'phone',
  'phone.valid',
  'phone.country',
  'phone.type',
  'phone.mobile',
  'company',
  'jobTitle',
  'city',
  'region',
  'country',
  'message',
  'locale',
  'utm.source',
  'utm.medium',
  'utm.campaign',
  'utm.term',
  'utm.content',
  'campaign',
  'campaign.id',
  'ad.id',
  'organic',
  'touches',
  'hoursSinceLastTouch',
  'test',
] as const;

export const LeadFieldPath = z.string().check(
  z.refine((f) => (LEAD_FIELDS as readonly string[]).includes(f) || /^answers\.[^.\s]+$/.test(f), {
    message: `unknown field; use one of ${LEAD_FIELDS.join(', ')} or answers.<question>`,
  }),
);

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

const LeafCondition = z.discriminatedUnion('op', [
  z.strictObject({ field: LeadFieldPath, op: z.literal('exists') }),
  z.strictObject({ field: LeadFieldPath, op: z.literal('missing') }),
  z.strictObject({ field: LeadFieldPath, op: z.literal('equals'), value: Scalar }),
  z.strictObject({
    field: LeadFieldPath,
    op: z.literal('in'),
    values: z.array(Scalar).check(z.minLength(1)),
  }),
  z.strictObject({
    field: LeadFieldPath,
    op: z.literal('matches'),
    pattern: z.string().check(
      z.refine(
        (p) => {
          try {
            new RegExp(p, 'iu');
            return true;
          } catch {
            return false;
          }
        },
        { message: 'not a valid regular expression' },
      ),
    ),
  }),
  z
    .strictObject({
      field: LeadFieldPath,
      op: z.literal('between'),
      min: z.optional(z.number()),
      max: z.optional(z.number()),
    })
    .check(z.refine((c) => c.min !== undefined || c.max !== undefined, { message: 'give min, max or both' })),
]);
type LeafCondition = z.infer<typeof LeafCondition>;

/** A condition: one test of one field, or `all` / `any` / `not` of conditions. */
export type Condition = LeafCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition };

export const ConditionSchema: z.ZodMiniType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(ConditionSchema).check(z.minLength(1)) }),
    z.strictObject({ any: z.array(ConditionSchema).check(z.minLength(1)) }),
    z.strictObject({ not: ConditionSchema }),
    LeafCondition,
  ]),
);

export type FactValue = string | number | boolean | undefined;
export type LeadFacts = Readonly<Record<string, FactValue>>;

function sameValue(fact: FactValue, expected: string | number | boolean): boolean {
  if (typeof fact === 'string' && typeof expected === 'string')
    return fact.toLowerCase() === expected.toLowerCase();
  return fact === expected;
}

function asNumber(fact: FactValue): number | undefined {
  if (typeof fact === 'number') return fact;
  if (typeof fact === 'string' && fact.trim() !== '') {
    const n = Number(fact.replace(/[,\s]/g, ''));
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** True when the lead facts satisfy the condition. Missing facts satisfy only `missing`. */
export function evaluateCondition(condition: Condition, facts: LeadFacts): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, facts));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, facts));
  if ('not' in condition) return !evaluateCondition(condition.not, facts);
  const fact = facts[condition.field];
  const present = fact !== undefined && fact !== '' && fact !== false;
  switch (condition.op) {
    case 'exists':
      return present;
    case 'missing':
      return !present;
    case 'equals':
      return fact !== undefined && sameValue(fact, condition.value);
    case 'in':
      return fact !== undefined && condition.values.some((v) => sameValue(fact, v));
    case 'matches':
      return typeof fact === 'string' && new RegExp(condition.pattern, 'iu').test(fact);
    case 'between': {
      const n = asNumber(fact);
      if (n === undefined) return false;
      return (
        (condition.min === undefined || n >= condition.min) &&
        (condition.max === undefined || n <= condition.max)
      );
    }
  }
}
