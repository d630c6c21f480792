import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { KpiEntry, KpiStore, KpiTable, ShardKpiEntry } from '../ports.ts';
import { sequenceKey } from '../stream-position.ts';
import { tableKeys } from '../table-schema.ts';
import { transact } from './conditional.ts';
import { queryItems } from './scan.ts';

export const kpiKeys = {
  aggregate: (table: KpiTable, dimType: string, day: string, value: string) =>
    tableKeys.kpiRow(table, dimType, day, value),
  marker: tableKeys.kpiMarker,
  shard: tableKeys.kpiShard,
};

/** A shard's position outlives the stream's 24 hours of records, and then goes. */
const SHARD_POSITION_SECONDS = 2 * 86_400;

const BOOKKEEPING = new Set(['pk', 'sk', 'type', 'day', 'value']);

export class DynamoKpiStore implements KpiStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Counts a batch of lead events into the daily aggregates, each exactly once: one transaction holds a marker
   * per event and one update per aggregate row the batch touches, however many of its events share the row
   * (a stream batch's events mostly share the day and its dimensions). An event whose marker exists is a
   * redelivery: it is dropped and the rest retried. Returns the events counted now.
   */
  async recordAll(entries: readonly KpiEntry[]): Promise<KpiEntry[]> {
    const recorded: KpiEntry[] = [];
    for (const group of transactionGroups(entries)) {
      let pending = group;
      while (pending.length > 0) {
        const rows = aggregateRows(pending);
        // Aggregates are hot items: concurrent batches of one day collide, and `transact` retries those.
        const result = await transact(
          this.db,
          [
            ...pending.map(({ leadId, event }) => ({
              // The marker makes the event's share of the change exactly-once.
              Put: {
                TableName: this.tableName,
                Item: { ...kpiKeys.marker(leadId, event.key), type: 'kpi-marker', at: event.day },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            })),
            ...rows.map((row) => this.rowUpdate(row)),
          ],
          12,
        );
        if (result.ok) {
          recorded.push(...pending);
          break;
        }
        const seen = new Set(
          result.reasons.flatMap((r, i) =>
            r.Code === 'ConditionalCheckFailed' && i < pending.length ? [i] : [],
          ),
        );
        if (seen.size === 0) throw new Error('a KPI transaction failed a condition that is not a marker');
        pending = pending.filter((_, i) => !seen.has(i));
      }
    }
    return recorded;
  }

  /**
   * Counts a stream batch's events by the shard's position instead of a marker per event: one conditional
   * update of the position item beside the batch's rows, in one transaction. The position only moves forward,
   * so a record that comes again (a retried or duplicated batch) is at or behind it and counts nothing.
   */
  async recordFromShard(
    shardId: string,
    entries: readonly ShardKpiEntry[],
    nowEpoch: number,
  ): Promise<KpiEntry[]> {
    const recorded: KpiEntry[] = [];
    const ordered = entries
      .map((entry) => ({ entry, at: sequenceKey(entry.sequence) }))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    for (const group of shardGroups(ordered)) {
      let pending = group;
      while (pending.length > 0) {
        const first = pending[0]?.at ?? '';
        const last = pending.at(-1)?.at ?? '';
        const rows = aggregateRows(pending.map((p) => p.entry));
        const result = await transact(
          this.db,
          [
            ...rows.map((row) => this.rowUpdate(row)),
            {
              Update: {
                TableName: this.tableName,
                Key: kpiKeys.shard(shardId),
                UpdateExpression: 'SET counted = :last, #type = :type, expiresAt = :expires',
                ConditionExpression: 'attribute_not_exists(counted) OR counted < :first',
                ExpressionAttributeNames: { '#type': 'type' },
                ExpressionAttributeValues: {
                  ':last': last,
                  ':first': first,
                  ':type': 'kpi-shard',
                  ':expires': nowEpoch + SHARD_POSITION_SECONDS,
                },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
              },
            },
          ],
          12,
        );
        if (result.ok) {
          recorded.push(...pending.map((p) => p.entry));
          break;
        }
        const refusal = result.reasons[rows.length];
        if (refusal?.Code !== 'ConditionalCheckFailed')
          throw new Error('a KPI transaction failed a condition that is not the shard position');
        // Some of these were counted already (this batch came before): only what lies past the position is new.
        const stored = refusal.Item
          ? unmarshall(refusal.Item as Record<string, AttributeValue>).counted
          : undefined;
        if (typeof stored !== 'string')
          throw new Error('the shard position refused the batch but holds none');
        pending = pending.filter((p) => p.at > stored);
      }
    }
    return recorded;
  }

  private rowUpdate(row: AggregateRow) {
    const names = Object.fromEntries(Object.keys(row.adds).map((k, i) => [`#a${i}`, k]));
    const values = Object.fromEntries(Object.values(row.adds).map((v, i) => [`:a${i}`, v]));
    return {
      Update: {
        TableName: this.tableName,
        Key: kpiKeys.aggregate(row.table, row.type, row.day, row.value),
        UpdateExpression: `ADD ${Object.keys(row.adds)
          .map((_, i) => `#a${i} :a${i}`)
          .join(', ')} SET #type = :type, #day = :day, #value = :value`,
        ExpressionAttributeNames: { ...names, '#type': 'type', '#day': 'day', '#value': 'value' },
        ExpressionAttributeValues: {
          ...values,
          ':type': `kpi-${row.table}`,
          ':day': row.day,
          ':value': row.value,
        },
      },
    };
  }

  async query(table: KpiTable, dimType: string, from: string, to: string) {
    const rows: { day: string; value: string; adds: Record<string, number> }[] = [];
    for await (const item of queryItems(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': tableKeys.kpiRowPartition(table, dimType),
        ':from': `${from}#`,
        ':to': `${to}#\uffff`,
      },
    })) {
      const adds = Object.fromEntries(
        Object.entries(item).filter(([k, v]) => !BOOKKEEPING.has(k) && typeof v === 'number'),
      ) as Record<string, number>;
      rows.push({ day: String(item.day), value: String(item.value), adds });
    }
    return rows;
  }
}

/** DynamoDB's limit of items in one transaction. */
const MAX_TRANSACTION_ITEMS = 100;

type AggregateRow = {
  table: KpiTable;
  type: string;
  day: string;
  value: string;
  adds: Record<string, number>;
};

/** The aggregate rows a set of events changes, each with the sum of what the events add to it. */
export function aggregateRows(entries: readonly KpiEntry[]): AggregateRow[] {
  const rows = new Map<string, AggregateRow>();
  for (const { event } of entries)
    for (const dim of event.dims) {
      const id = [event.table, dim.type, event.day, dim.value].join('\u0000');
      const row = rows.get(id) ?? {
        table: event.table,
        type: dim.type,
        day: event.day,
        value: dim.value,
        adds: {},
      };
      for (const [name, n] of Object.entries(event.adds)) row.adds[name] = (row.adds[name] ?? 0) + n;
      rows.set(id, row);
    }
  return [...rows.values()];
}

/** Splits items, in order, so that each group's transaction (`size` items for a group) fits DynamoDB's limit. */
function fitTransactions<T>(items: readonly T[], size: (group: T[]) => number): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  for (const item of items) {
    const candidate = [...group, item];
    if (group.length > 0 && size(candidate) > MAX_TRANSACTION_ITEMS) {
      groups.push(group);
      group = [item];
    } else group = candidate;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** Splits events so that each group's markers and rows fit one transaction. */
export function transactionGroups(entries: readonly KpiEntry[]): KpiEntry[][] {
  return fitTransactions(entries, (group) => group.length + aggregateRows(group).length);
}

/** Splits a shard's events, in shard order, so that each group's rows and the position fit one transaction. */
function shardGroups<T extends { entry: KpiEntry }>(ordered: readonly T[]): T[][] {
  return fitTransactions(ordered, (group) => aggregateRows(group.map((g) => g.entry)).length + 1);
}
