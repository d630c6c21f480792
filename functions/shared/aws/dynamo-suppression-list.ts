import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Suppression, SuppressionList } from '../ports.ts';
import { PREFIX, tableKeys } from '../table-schema.ts';
import { batchGetAll } from './batch-get.ts';
import { writeIf } from './conditional.ts';

/** Suppression is by address as mail servers compare it: trimmed and lowercased. */
export function suppressionKey(address: string): string {
  return address.trim().toLowerCase();
}

const keyOf = (address: string) => tableKeys.suppression(suppressionKey(address));

export class DynamoSuppressionList implements SuppressionList {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async suppress(address: string, suppression: Suppression): Promise<void> {
    // The first reason stays: a later bounce does not hide that the person unsubscribed.
    await writeIf(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keyOf(address), type: 'suppression', ...suppression },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async find(addresses: readonly string[]): Promise<Map<string, Suppression>> {
    const unique = [...new Set(addresses.map(suppressionKey))];
    const found = new Map<string, Suppression>();
    if (unique.length === 0) return found;
    const items = await batchGetAll(this.db, this.tableName, unique.map(keyOf), {
      incomplete: 'the suppression list could not be read in full; not sending',
    });
    for (const item of items) {
      const address = String(item.pk).slice(PREFIX.suppression.length);
      found.set(address, {
        reason: item.reason as Suppression['reason'],
        at: String(item.at),
        ...(item.detail ? { detail: String(item.detail) } : {}),
      });
    }
    return found;
  }
}
