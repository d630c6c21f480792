import { HttpError, issuesFromZod } from '../shared/errors.ts';
import type { Assignment, Lead } from '../shared/lead.ts';
import { Day } from '../shared/lead-list.ts';
import { RepConfig } from '../shared/rep-config.ts';
import * as z from '../shared/zod.ts';

/** Who is acting, for the record: a name or an id, one line. */
const Actor = z.string().check(z.trim(), z.minLength(1), z.maxLength(100), z.regex(/^[^\r\n]*$/, 'one line'));

export const RepPatchInput = z.strictObject({
  ...z.partial(z.omit(RepConfig, { id: true })).shape,
  pools: z.optional(z.array(z.string())),
  by: z._default(Actor, 'ops'),
});

export const PauseInput = z.strictObject({
  reason: z.optional(z.string().check(z.trim(), z.maxLength(200))),
  by: z._default(Actor, 'ops'),
});
export const ResumeInput = z.strictObject({ by: z._default(Actor, 'ops') });
export const NewRepInput = z.extend(RepConfig, {
  pools: z.optional(z.array(z.string())),
  by: z._default(Actor, 'ops'),
});

/** `PATCH /v1/leads/{id}`: what an open deal should be worth and when it should close (`null` clears). */
export const ValueInput = z
  .strictObject({
    expectedValue: z.optional(
      z.union([
        z.strictObject({ amount: z.union([z.number(), z.string()]), currency: z.optional(z.string()) }),
        z.null(),
      ]),
    ),
    expectedCloseDate: z.optional(z.union([z.iso.date(), z.null()])),
    by: z._default(Actor, 'ops'),
  })
  .check(
    z.refine((v) => v.expectedValue !== undefined || v.expectedCloseDate !== undefined, {
      message: 'set expectedValue, expectedCloseDate, or both',
    }),
  );

export const ReassignInput = z.strictObject({
  repId: z.string().check(z.minLength(1)),
  by: Actor,
  reason: z.string().check(z.trim(), z.minLength(3, 'say why the lead moves'), z.maxLength(500)),
});

/** Lead, task, import and subscription ids are UUIDs: anything else names nothing (and may be too long a key). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses a JSON body against a schema, or answers 400 with the fields to fix. */
export function parseBody<T extends z.ZodMiniType>(schema: T, body: string | undefined): z.infer<T> {
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

export const KpiQuery = z
  .strictObject({
    from: z.optional(Day),
    to: z.optional(Day),
    groupBy: z._default(z.enum(['all', 'day', 'rep', 'source', 'campaign', 'segment']), 'all'),
    /** Also each day's figures, for charts over time. */
    daily: z.optional(
      z.pipe(
        z.enum(['true', 'false']),
        z.transform((v) => v === 'true'),
      ),
    ),
  })
  .check(
    z.refine((q) => !q.from || !q.to || q.from <= q.to, {
      message: 'from must not be after to',
      path: ['from'],
    }),
  );

/** A query string checked like a body: 400 with the parameters to fix. */
export function parseQuery<T extends z.ZodMiniType>(
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

/** A KPI report covers at most this many days (each day is one read per dimension row). */
export const KPI_MAX_DAYS = 366;

type RangeQuery = { from?: string | undefined; to?: string | undefined };

/** The days a query names, else the last 30 days (UTC). */
function namedRange(query: RangeQuery, now: Date): { from: string; to: string } {
  const to = query.to ?? now.toISOString().slice(0, 10);
  const from =
    query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

/** The days a KPI query covers: the last 30 days (UTC) unless it names them; at most 366 days, in order. */
export function kpiRange(query: RangeQuery, now: Date): { from: string; to: string } {
  const { from, to } = namedRange(query, now);
  if (from > to)
    throw new HttpError(400, 'validation_failed', 'The query has parameters that need fixing.', [
      { path: 'from', message: `from (${from}) must not be after to (${to})` },
    ]);
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (days > KPI_MAX_DAYS)
    throw new HttpError(
      400,
      'range_too_long',
      `A report covers at most ${KPI_MAX_DAYS} days; this asks for ${days}.`,
    );
  return { from, to };
}

/** The lead list reads the range asked for, else the last 30 days, and never more than 92 days. */
export function listRange(query: RangeQuery, now: Date) {
  const { from, to } = namedRange(query, now);
  const earliest = new Date(Date.parse(`${to}T00:00:00Z`) - 91 * 86_400_000).toISOString().slice(0, 10);
  return { from: from < earliest ? earliest : from, to };
}

/**
 * Who is asking. Scripts sign with IAM and act as managers; the dashboard's routes carry a Cognito token
 * whose groups say manager or rep (a rep's username is their rep id). A rep sees and acts on their own leads
 * and figures only.
 */
export type Viewer = { role: 'manager'; name: string } | { role: 'rep'; repId: string };

type JwtClaims = Record<string, string | number | boolean | string[]>;

/** Cognito puts groups in the token as a list; API Gateway hands them on as `[a b]`. Both are read. */
function groupsOf(claims: JwtClaims): string[] {
  const raw = claims['cognito:groups'];
  if (Array.isArray(raw)) return raw;
  if (typeof raw !== 'string') return [];
  return raw
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

export function viewerOf(claims: JwtClaims | undefined, dashboardRoute: boolean): Viewer {
  if (!dashboardRoute) return { role: 'manager', name: 'ops' };
  if (claims === undefined)
    throw new HttpError(401, 'sign_in_required', 'Sign in to the dashboard to use this route.');
  const username = String(claims.username ?? claims['cognito:username'] ?? '');
  const groups = groupsOf(claims);
  if (groups.includes('manager')) return { role: 'manager', name: username || 'manager' };
  if (groups.includes('rep') && username) return { role: 'rep', repId: username };
  throw new HttpError(403, 'no_dashboard_role', 'Your account is in neither the manager nor the rep group.');
}

/** Refuses what only a manager may do. */
export function requireManager(viewer: Viewer, what: string): void {
  if (viewer.role !== 'manager') throw new HttpError(403, 'managers_only', `Only a manager can ${what}.`);
}
