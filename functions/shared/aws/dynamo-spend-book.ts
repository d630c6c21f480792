import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { toMinor } from '../money.ts';
import type { SpendBook, SpendRow } from '../ports.ts';
import { tableKeys } from '../table-schema.ts';
import { transact } from './conditional.ts';

/**
 * Spend as one item per source, campaign and day (`SPEND#source#campaign / day`), summed into the funnel's own
 * daily rows (`KPI#funnel#<all|source|campaign>`, as `spend`), so the ROI report is one Query. A new figure for a
 * day replaces the old one: the sums move by the difference, in the transaction that writes it, over the figure
 * it replaces.
 */
export class DynamoSpendBook implements SpendBook {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly reportingCurrency: string,
  ) {}

  async put(row: SpendRow): Promise<'set' | 'same'> {
    const key = tableKeys.spend(row.source, row.campaign, row.day);
    const minor = toMinor({ amount: row.amount.reported, currency: this.reportingCurrency });
    for (let attempt = 1; attempt <= 5; attempt++) {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
      );
      const old = Item === undefined ? 0n : BigInt(String(Item.minor));
      const stored = Item?.amount as { amount?: unknown; currency?: unknown } | undefined;
      if (old === minor && stored?.amount === row.amount.amount && stored?.currency === row.amount.currency)
        return 'same';
      const delta = Number(minor - old);
      const result = await transact(this.db, [
        {
          Put: {
            TableName: this.tableName,
            Item: { ...key, type: 'spend', ...row, minor: minor.toString() },
            // Over the figure read: two reports of one day at once cannot both add their difference.
            ...(Item === undefined
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: 'minor = :old',
                  ExpressionAttributeValues: { ':old': old.toString() },
                }),
          },
        },
        ...(
          [
            ['all', 'all'],
            ['source', row.source],
            ['campaign', row.campaign],
          ] as const
        ).map(([dimType, value]) => ({
          Update: {
            TableName: this.tableName,
            Key: tableKeys.kpiRow('funnel', dimType, row.day, value),
            UpdateExpression:
              'ADD spend :delta SET #type = if_not_exists(#type, :type), #day = :day, #value = :value',
            ExpressionAttributeNames: { '#type': 'type', '#day': 'day', '#value': 'value' },
            ExpressionAttributeValues: {
              ':delta': delta,
              ':type': 'kpi-funnel',
              ':day': row.day,
              ':value': value,
            },
          },
        })),
      ]);
      if (result.ok) return 'set';
    }
    throw new Error(`the spend of ${row.day} kept changing while it was set; retry`);
  }
}
