import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TimerState, TimerStore } from '../ports.ts';
import { INDEX, tableKeys } from '../table-schema.ts';
import { dueBucket, Timer } from '../timers.ts';
import { writeIf } from './conditional.ts';
import { queryItems } from './scan.ts';

/** The sparse global secondary index of timers not yet enqueued: partition `duePk`, sort `dueSk`. */
export const DUE_INDEX = INDEX.due;

export const timerKeys = { timer: tableKeys.timer };

/** A fired timer is kept 30 days past its due time, as the record of what was done and when. */
const KEEP_SECONDS = 30 * 86_400;

export class DynamoTimerStore implements TimerStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(timer: Timer, options: { indexed: boolean; now: Date }): Promise<'created' | TimerState> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...timerKeys.timer(timer.id),
            type: 'timer',
            ...timer,
            createdAt: options.now.toISOString(),
            expiresAt: Math.floor(Date.parse(timer.dueAt) / 1000) + KEEP_SECONDS,
            ...(options.indexed
              ? { duePk: dueBucket(timer), dueSk: `${timer.dueAt}#${timer.id}` }
              : { enqueuedAt: options.now.toISOString() }),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          // The stored state comes back with the refusal: no read to learn it.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'created';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = (error.Item ?? {}) as Record<string, { S?: string } | undefined>;
      return { fired: old.firedAt !== undefined, indexed: old.duePk !== undefined };
    }
  }

  async due(bucket: string, until: string): Promise<Timer[]> {
    const timers: Timer[] = [];
    for await (const item of queryItems(this.db, {
      TableName: this.tableName,
      IndexName: DUE_INDEX,
      KeyConditionExpression: 'duePk = :bucket AND dueSk <= :until',
      ExpressionAttributeValues: { ':bucket': bucket, ':until': `${until}#\uffff` },
    })) {
      const parsed = Timer.safeParse(item);
      // An item that is not a timer cannot be in this index; skipping it keeps one bad item from stopping every timer.
      if (parsed.success) timers.push(parsed.data);
    }
    return timers;
  }

  async markEnqueued(id: string, now: Date): Promise<void> {
    await writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: timerKeys.timer(id),
          UpdateExpression: 'SET enqueuedAt = :now REMOVE duePk, dueSk',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':now': now.toISOString() },
        }),
      ),
    );
  }

  async markFired(id: string, now: Date, outcome: string): Promise<'fired' | 'already'> {
    const written = await writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: timerKeys.timer(id),
          UpdateExpression: 'SET firedAt = :now, outcome = :outcome REMOVE duePk, dueSk',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(firedAt)',
          ExpressionAttributeValues: { ':now': now.toISOString(), ':outcome': outcome },
        }),
      ),
    );
    return written ? 'fired' : 'already';
  }
}
