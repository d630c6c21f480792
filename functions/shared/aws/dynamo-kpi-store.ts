import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KpiStore, KpiTable } from '../ports.ts';
import { tableKeys } from '../table-schema.ts';
import { transact } from './conditional.ts';
import { queryItems } from './scan.ts';

export const kpiKeys = {
  aggregate: (table: KpiTable, dimType: string, day: string, value: string) =>
    tableKeys.kpiRow(table, dimType, day, value),
  marker: tableKeys.kpiMarker,
};

const BOOKKEEPING = new Set(['pk', 'sk', 'type', 'day', 'value']);

export class DynamoKpiStore implements KpiStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(
    leadId: string,
    eventKey: string,
    table: KpiTable,
    day: string,
    dims: readonly { type: string; value: string }[],
    adds: Record<string, number>,
  ): Promise<'recorded' | 'duplicate'> {
    const names = Object.fromEntries(Object.keys(adds).map((k, i) => [`#a${i}`, k]));
    const values = Object.fromEntries(Object.values(adds).map((v, i) => [`:a${i}`, v]));
    const update = `ADD ${Object.keys(adds)
      .map((_, i) => `#a${i} :a${i}`)
      .join(', ')} SET #type = :type, #day = :day, #value = :value`;
    // Aggregates are hot items: concurrent events of one day collide, and `transact` retries those conflicts.
    const result = await transact(
      this.db,
      [
        {
          // The marker makes the whole change exactly-once: a redelivered record fails here and adds nothing.
          Put: {
            TableName: this.tableName,
            Item: { ...kpiKeys.marker(leadId, eventKey), type: 'kpi-marker', at: day },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...dims.map((dim) => ({
          Update: {
            TableName: this.tableName,
            Key: kpiKeys.aggregate(table, dim.type, day, dim.value),
            UpdateExpression: update,
            ExpressionAttributeNames: { ...names, '#type': 'type', '#day': 'day', '#value': 'value' },
            ExpressionAttributeValues: {
              ...values,
              ':type': `kpi-${table}`,
              ':day': day,
              ':value': dim.value,
            },
          },
        })),
      ],
      12,
    );
    return result.ok ? 'recorded' : 'duplicate';
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
