import { createHash } from 'node:crypto';
import { Lead, LeadSource, LeadStatus } from './lead.ts';
import { tableKeys } from './table-schema.ts';
import * as z from './zod.ts';

/** The list index is split by creation day and 4 shards, so a burst of leads never heats one partition. */
export const LIST_SHARDS = 4;

/** A calendar day in a query (`from`, `to`), in words a person can act on when it is not one. */
export const Day = z.iso.date({ error: 'a date such as 2026-03-19' });

/** `GET /v1/leads`: newest first, filtered, a page at a time. */
export const LeadListQuery = z
  .strictObject({
    /** Search: an email, a phone number in any format, or the start of a name (all time, not the range). */
    q: z.optional(
      z
        .string()
        .check(
          z.trim(),
          z.minLength(2, 'at least two characters: an email, a phone number or the start of a name'),
          z.maxLength(200),
        ),
    ),
    from: z.optional(Day),
    to: z.optional(Day),
    status: z.optional(
      z.pipe(
        z.pipe(
          z.string(),
          z.transform((s) => s.split(',').filter(Boolean)),
        ),
        z.array(LeadStatus),
      ),
    ),
    source: z.optional(LeadSource),
    ownerId: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
    segment: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
    minScore: z.optional(z.coerce.number({ error: 'a number, such as 40' })),
    includeTest: z.optional(
      z.pipe(
        z.enum(['true', 'false']),
        z.transform((v) => v === 'true'),
      ),
    ),
    limit: z._default(
      z.coerce
        .number({ error: 'a whole number from 1 to 100' })
        .check(
          z.int('a whole number from 1 to 100'),
          z.gte(1, 'a whole number from 1 to 100'),
          z.lte(100, 'at most 100 a page'),
        ),
      50,
    ),
    /** The `next` of the previous page. */
    cursor: z.optional(
      z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T[^#]+#[^#]+$/, 'use the next value of the previous page')),
    ),
  })
  .check(
    z.refine((q) => !q.from || !q.to || q.from <= q.to, {
      message: 'from must not be after to',
      path: ['from'],
    }),
  );
export type LeadListQuery = z.infer<typeof LeadListQuery>;

/** What a list row shows and the filters read, of a lead. */
export const ListedLead = z.pick(Lead, {
  id: true,
  createdAt: true,
  source: true,
  status: true,
  ownerId: true,
  segments: true,
  score: true,
  contact: true,
  attribution: true,
  test: true,
  firstContactAt: true,
  locale: true,
  nextTaskDueAt: true,
  // For the export: a read costs by the item's size, not by what is projected, so these come free.
  submittedAt: true,
  phoneE164: true,
  lastNote: true,
});
export type ListedLead = z.infer<typeof ListedLead>;

/** The attributes a page of the list reads of each lead. */
export const LIST_PROJECTION = Object.keys(ListedLead.shape);

/** What a list row shows: enough to pick a lead, not the whole lead. */
export type LeadSummary = Pick<
  ListedLead,
  | 'id'
  | 'createdAt'
  | 'source'
  | 'status'
  | 'ownerId'
  | 'segments'
  | 'test'
  | 'firstContactAt'
  | 'locale'
  | 'nextTaskDueAt'
> & { name?: string; score: number; campaign?: string };

function shardOf(id: string): number {
  return (createHash('sha1').update(id).digest()[0] ?? 0) % LIST_SHARDS;
}

/** The list index keys a new lead is stored with: its creation day and shard, then time and id. */
export function listKeys(lead: Pick<Lead, 'id' | 'createdAt'>): { listPk: string; listSk: string } {
  return {
    listPk: tableKeys.listPartition(lead.createdAt.slice(0, 10), shardOf(lead.id)),
    listSk: `${lead.createdAt}#${lead.id}`,
  };
}

/** Every partition of one day. */
export function dayPartitions(day: string): string[] {
  return Array.from({ length: LIST_SHARDS }, (_, shard) => tableKeys.listPartition(day, shard));
}

/** The days of a range, newest first. */
export function daysDescending(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${to}T00:00:00Z`); t >= Date.parse(`${from}T00:00:00Z`); t -= 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The range a list reads: the one asked for, else the last 30 days; never more than 92 days. */
export function listRange(
  query: Pick<LeadListQuery, 'from' | 'to'>,
  now: Date,
): { from: string; to: string } {
  const to = query.to ?? now.toISOString().slice(0, 10);
  const earliest = new Date(Date.parse(`${to}T00:00:00Z`) - 91 * 86_400_000).toISOString().slice(0, 10);
  const from =
    query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  return { from: from < earliest ? earliest : from, to };
}

export function summarise(lead: ListedLead): LeadSummary {
  const name =
    lead.contact.name ??
    ([lead.contact.firstName, lead.contact.lastName].filter(Boolean).join(' ') || undefined);
  const campaign = lead.attribution.campaignName ?? lead.attribution.utm.campaign;
  return {
    id: lead.id,
    createdAt: lead.createdAt,
    source: lead.source,
    status: lead.status,
    ...(lead.ownerId ? { ownerId: lead.ownerId } : {}),
    segments: lead.segments,
    test: lead.test,
    ...(lead.firstContactAt ? { firstContactAt: lead.firstContactAt } : {}),
    locale: lead.locale,
    ...(name ? { name } : {}),
    score: lead.score.total,
    ...(campaign ? { campaign } : {}),
    // The earliest open task: the list marks the lead when it is overdue.
    ...(lead.nextTaskDueAt ? { nextTaskDueAt: lead.nextTaskDueAt } : {}),
  };
}

/** True when a summary passes the query's filters. */
export function matches(summary: LeadSummary, query: LeadListQuery): boolean {
  if (query.status && !query.status.includes(summary.status)) return false;
  if (query.source && summary.source !== query.source) return false;
  if (query.ownerId && summary.ownerId !== query.ownerId) return false;
  if (query.segment && !summary.segments.includes(query.segment)) return false;
  if (query.minScore !== undefined && summary.score < query.minScore) return false;
  if (!query.includeTest && summary.test) return false;
  return true;
}
