import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  dayPartitions,
  daysDescending,
  type LeadListQuery,
  type LeadSummary,
  LIST_PROJECTION,
  ListedLead,
  listKeys,
  matches,
  summarise,
} from '../lead-list.ts';
import type { LeadLister } from '../ports.ts';
import { INDEX, SORT } from '../table-schema.ts';
import * as z from '../zod.ts';
import { batchGetAll } from './batch-get.ts';
import { writeIf } from './conditional.ts';
import { keys } from './dynamo-lead-repository.ts';
import { queryItems, scanPages } from './scan.ts';

export const LIST_INDEX = INDEX.list;

/** Reads at most this many leads for one page; past it the page comes back short, with a cursor. */
const READ_BUDGET = 2000;

/** A lead's place in the list and its table key: the index holds keys only, so the lead is read by its key. */
type Row = { sk: string; key: { pk: string; sk: string } };

/** One partition of the list index, newest first, below an optional bound, a page of `pageSize` at a time. */
async function* partition(
  db: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  before: string | undefined,
  pageSize: number,
): AsyncGenerator<Row> {
  for await (const item of queryItems(db, {
    TableName: tableName,
    IndexName: LIST_INDEX,
    KeyConditionExpression: before ? 'listPk = :pk AND listSk < :before' : 'listPk = :pk',
    ExpressionAttributeValues: { ':pk': pk, ...(before ? { ':before': before } : {}) },
    ScanIndexForward: false,
    Limit: pageSize,
  }))
    yield { sk: String(item.listSk), key: { pk: String(item.pk), sk: String(item.sk) } };
}

/** Every row of the range below the cursor, newest first: a merge of each day's shards, day after day. */
async function* rows(
  db: DynamoDBDocumentClient,
  tableName: string,
  range: { from: string; to: string },
  cursor: string | undefined,
  pageSize: number,
): AsyncGenerator<Row> {
  const cursorDay = cursor?.slice(0, 10);
  for (const day of daysDescending(range.from, range.to)) {
    if (cursorDay !== undefined && day > cursorDay) continue;
    const before = day === cursorDay ? cursor : undefined;
    const shards = dayPartitions(day).map((pk) => partition(db, tableName, pk, before, pageSize));
    const pull = async (shard: AsyncGenerator<Row>) => {
      const next = await shard.next();
      return next.done ? undefined : next.value;
    };
    const heads = await Promise.all(shards.map(pull));
    for (;;) {
      let best: number | undefined;
      for (const [i, head] of heads.entries())
        if (head && (best === undefined || head.sk > (heads[best]?.sk ?? ''))) best = i;
      const row = best === undefined ? undefined : heads[best];
      const shard = best === undefined ? undefined : shards[best];
      if (best === undefined || row === undefined || shard === undefined) break;
      yield row;
      heads[best] = await pull(shard);
    }
  }
}

/**
 * Newest first, filtered. The index is KEYS_ONLY, so it is written once, when a lead is created, and never
 * again as the lead changes (an INCLUDE index was rewritten at every assignment, score and status change).
 * A page reads its leads with BatchGetItem instead, shows them as they are now, and filters them in code.
 */
export class DynamoLeadLister implements LeadLister {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly readBudget = READ_BUDGET,
  ) {}

  async list(
    query: LeadListQuery,
    range: { from: string; to: string },
  ): Promise<{ leads: LeadSummary[]; next?: string }> {
    const page = await this.page(query, range);
    return { leads: page.leads.map(summarise), ...(page.next ? { next: page.next } : {}) };
  }

  /** A page of the list as the listed attributes of each lead (the export writes more of them than a row shows). */
  async page(
    query: LeadListQuery,
    range: { from: string; to: string },
  ): Promise<{ leads: ListedLead[]; next?: string }> {
    const leads: ListedLead[] = [];
    // Unfiltered, a page reads as many leads as it shows (and test leads); filtered, 100 at a time.
    const filtered =
      query.status !== undefined ||
      query.source !== undefined ||
      query.ownerId !== undefined ||
      query.segment !== undefined ||
      query.minScore !== undefined;
    const batchSize = filtered ? 100 : query.limit;
    const source = rows(this.db, this.tableName, range, query.cursor, batchSize);
    let read = 0;
    for (;;) {
      const want = filtered ? batchSize : query.limit - leads.length;
      const batch: Row[] = [];
      while (batch.length < want && read + batch.length < this.readBudget) {
        const next = await source.next();
        if (next.done) break;
        batch.push(next.value);
      }
      if (batch.length === 0) return { leads };
      read += batch.length;
      const found = await this.readKeys(batch.map((row) => row.key));
      for (const row of batch) {
        const lead = found.get(row.key.pk);
        // A lead erased since the index was read is not listed.
        if (lead === undefined) continue;
        if (!matches(summarise(lead), query)) continue;
        leads.push(lead);
        if (leads.length === query.limit) return { leads, next: row.sk };
      }
      const last = batch.at(-1);
      if (read >= this.readBudget && last) return { leads, next: last.sk };
    }
  }

  async read(ids: readonly string[]): Promise<ListedLead[]> {
    const found = await this.readKeys(ids.map((id) => keys.lead(id)));
    return ids.flatMap((id) => {
      const lead = found.get(keys.lead(id).pk);
      return lead ? [lead] : [];
    });
  }

  /** The listed attributes of a batch of leads, by table key. */
  private async readKeys(tableKeys: Row['key'][]): Promise<Map<string, ListedLead>> {
    const items = await batchGetAll(this.db, this.tableName, tableKeys, {
      attributes: ['pk', ...LIST_PROJECTION],
      incomplete: 'the lead list could not be read in full; try again',
    });
    return new Map(items.map((item) => [String(item.pk), ListedLead.parse(item)]));
  }
}

/**
 * Gives the list keys to leads stored before the list index existed, so the dashboard lists them too. Safe to
 * run again or while leads arrive: it only touches leads without keys, and never recreates an erased lead.
 */
export async function backfillListKeys(
  db: DynamoDBDocumentClient,
  tableName: string,
): Promise<{ scanned: number; updated: number }> {
  let scanned = 0;
  let updated = 0;
  for await (const page of scanPages(db, {
    TableName: tableName,
    FilterExpression: 'sk = :lead AND attribute_not_exists(listPk)',
    ExpressionAttributeValues: { ':lead': SORT.lead },
    ProjectionExpression: 'id, createdAt',
  })) {
    scanned += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) {
      const lead = LeadKeys.parse(item);
      const { listPk, listSk } = listKeys(lead);
      const written = await writeIf(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.lead(lead.id),
            UpdateExpression: 'SET listPk = :pk, listSk = :sk',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(listPk)',
            ExpressionAttributeValues: { ':pk': listPk, ':sk': listSk },
          }),
        ),
      );
      if (written) updated++;
    }
  }
  return { scanned, updated };
}

const LeadKeys = z.object({ id: z.string(), createdAt: z.iso.datetime() });
