import { BatchGetCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Suppression, SuppressionList } from '../ports.ts';
import { writeIf } from './conditional.ts';

/** Suppression is by address as mail servers compare it: trimmed and lowercased. */
export function suppressionKey(address: string): string {
  return address.trim().toLowerCase();
}

const keyOf = (address: string) => ({ pk: `SUPPRESS#${suppressionKey(address)}`, sk: 'SUPPRESS' });

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
    let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
      [this.tableName]: { Keys: unique.map(keyOf) },
    };
    for (let attempt = 0; request && Object.keys(request).length > 0 && attempt < 5; attempt++) {
      const page = await this.db.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of page.Responses?.[this.tableName] ?? []) {
        const address = String(item.pk).slice('SUPPRESS#'.length);
        found.set(address, {
          reason: item.reason as Suppression['reason'],
          at: String(item.at),
          ...(item.detail ? { detail: String(item.detail) } : {}),
        });
      }
      request = page.UnprocessedKeys as typeof request;
    }
    if (request && Object.keys(request).length > 0)
      throw new Error('the suppression list could not be read in full; not sending');
    return found;
  }
}
