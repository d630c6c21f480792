import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Assignment, Lead } from '../lead.ts';
import type { AssignResult, CreateResult, LeadRepository, PoolCounter } from '../ports.ts';

/** Single-table keys. Every item carries `pk`, `sk` and `type`. */
export const keys = {
  lead: (id: string) => ({ pk: `LEAD#${id}`, sk: 'LEAD' }),
  poolCounter: (poolId: string) => ({ pk: `POOL#${poolId}`, sk: 'COUNTER' }),
};

export class DynamoLeadRepository implements LeadRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(lead: Lead): Promise<CreateResult> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.lead(lead.id), type: 'lead', ...lead },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'exists';
      throw error;
    }
  }

  async get(id: string): Promise<Lead | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.lead(id), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : Lead.parse(Item);
  }

  async assign(id: string, assignment: Assignment): Promise<AssignResult> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.lead(id),
          UpdateExpression: 'SET ownerId = :rep, #status = :assigned, assignment = :assignment',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ownerId)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':rep': assignment.repId,
            ':assigned': 'assigned',
            ':assignment': assignment,
          },
        }),
      );
      return 'assigned';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'already-assigned';
      throw error;
    }
  }
}

export class DynamoPoolCounter implements PoolCounter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async next(poolId: string): Promise<number> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.poolCounter(poolId),
        UpdateExpression: 'ADD #value :one SET #type = :type',
        ExpressionAttributeNames: { '#value': 'value', '#type': 'type' },
        ExpressionAttributeValues: { ':one': 1, ':type': 'pool-counter' },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const value = Attributes?.value;
    if (typeof value !== 'number') throw new Error(`pool counter ${poolId} returned no value`);
    return value;
  }
}
