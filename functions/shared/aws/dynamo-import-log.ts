import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { IMPORT_KEPT_SECONDS, type ImportOutcome, ImportRecord } from '../imports.ts';
import type { ImportLog } from '../ports.ts';
import { tableKeys } from '../table-schema.ts';
import { transact } from './conditional.ts';

/**
 * An import's record (`IMPORT#id / IMPORT`) with its counters, and a receipt per stored row (`IMPORT#id /
 * ROW#n`): the receipt and the count go in one transaction, so a redelivered row is never counted twice.
 */
export class DynamoImportLog implements ImportLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private expiresAt(): number {
    return Math.floor(this.now().getTime() / 1000) + IMPORT_KEPT_SECONDS;
  }

  async create(record: ImportRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...tableKeys.importRecord(record.id),
          kind: 'import',
          ...record,
          expiresAt: this.expiresAt(),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string): Promise<ImportRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: tableKeys.importRecord(id), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : ImportRecord.parse(Item);
  }

  async recordRow(importId: string, row: number, outcome: ImportOutcome, leadId: string): Promise<boolean> {
    const result = await transact(this.db, [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...tableKeys.importRow(importId, row),
            kind: 'import-row',
            outcome,
            leadId,
            expiresAt: this.expiresAt(),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: tableKeys.importRecord(importId),
          UpdateExpression: 'ADD #outcome :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#outcome': outcome },
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
    ]);
    if (result.ok) return true;
    // The receipt exists: counted on an earlier delivery. The record gone (expired) is the same: nothing to count.
    return false;
  }

  async markInterrupted(id: string, why: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: tableKeys.importRecord(id),
        UpdateExpression: 'SET interrupted = :why',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':why': why },
      }),
    );
  }
}
