import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  dayPartitions,
  daysDescending,
  type LeadListQuery,
  type LeadSummary,
  ListedLead,
  matches,
  summarise,
} from '../lead-list.ts';
import type { LeadLister } from '../ports.ts';

export const LIST_INDEX = 'list';

/** Reads at most this many index items for one page; past it the page comes back short, with a cursor. */
const READ_BUDGET = 2000;

type Row = { sk: string; lead: ListedLead };

/** One partition of the list index, newest first, below an optional bound, a page of `pageSize` at a time. */
async function* partition(
  db: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  before: string | undefined,
  pageSize: number,
): AsyncGenerator<Row> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: LIST_INDEX,
        KeyConditionExpression: before ? 'listPk = :pk AND listSk < :before' : 'listPk = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(before ? { ':before': before } : {}) },
        ScanIndexForward: false,
        Limit: pageSize,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) yield { sk: String(item.listSk), lead: ListedLead.parse(item) };
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/**
 * Newest first across the shards of each day: a merge of the day's partitions, filtered as it goes. Filters
 * cost nothing extra here (DynamoDB bills the items a query reads, filtered or not), so they run in code.
 */
export class DynamoLeadLister implements LeadLister {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(
    query: LeadListQuery,
    range: { from: string; to: string },
  ): Promise<{ leads: LeadSummary[]; next?: string }> {
    const leads: LeadSummary[] = [];
    let read = 0;
    const cursorDay = query.cursor?.slice(0, 10);
    for (const day of daysDescending(range.from, range.to)) {
      if (cursorDay !== undefined && day > cursorDay) continue;
      const before = day === cursorDay ? query.cursor : undefined;
      const shards = dayPartitions(day).map((pk) =>
        partition(this.db, this.tableName, pk, before, Math.min(100, query.limit + 1)),
      );
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
        read++;
        const summary = summarise(row.lead);
        if (matches(summary, query)) leads.push(summary);
        if (leads.length === query.limit || read >= READ_BUDGET) return { leads, next: row.sk };
        heads[best] = await pull(shard);
      }
    }
    return { leads };
  }
}
