import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { WebhookStore } from '../ports.ts';
import { tableKeys } from '../table-schema.ts';
import { DeliveryAttempt, OutboxEvent, Subscription } from '../webhooks.ts';
import { writeIf } from './conditional.ts';
import { queryItems } from './scan.ts';

/** Kept this long: the delivery log and a delivered event's receipt. */
const LOG_DAYS = 30;

/**
 * Subscriptions (one partition), each subscriber's per-lead outbox (`HOOK#<sub>#<lead>`, one item per event, the
 * oldest first) and the delivery log (`HOOKLOG#<sub>`), all in the leads table.
 */
export class DynamoWebhookStore implements WebhookStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async addSubscription(subscription: Subscription): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...tableKeys.subscription(subscription.id), kind: 'subscription', ...subscription },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async subscriptions(): Promise<Subscription[]> {
    const found: Subscription[] = [];
    for await (const item of queryItems(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': tableKeys.subscriptionsPartition },
    })) {
      const parsed = Subscription.safeParse(item);
      if (parsed.success) found.push(parsed.data);
    }
    return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async subscription(id: string): Promise<Subscription | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: tableKeys.subscription(id), ConsistentRead: true }),
    );
    return Item ? Subscription.parse(Item) : undefined;
  }

  async removeSubscription(id: string): Promise<boolean> {
    return writeIf(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: tableKeys.subscription(id),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
  }

  async recordHealth(
    id: string,
    health: { failing: false } | { failing: true; at: string; disableBefore?: string; reason?: string },
  ): Promise<'ok' | 'failing' | 'disabled'> {
    if (!health.failing) {
      await writeIf(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: tableKeys.subscription(id),
            UpdateExpression: 'REMOVE failingSince',
            ConditionExpression: 'attribute_exists(failingSince)',
          }),
        ),
      );
      return 'ok';
    }
    // The first failure starts the clock; one failing since before `disableBefore` is disabled, once.
    await writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tableKeys.subscription(id),
          UpdateExpression: 'SET failingSince = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(failingSince)',
          ExpressionAttributeValues: { ':at': health.at },
        }),
      ),
    );
    if (health.disableBefore === undefined) return 'failing';
    const disabled = await writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tableKeys.subscription(id),
          UpdateExpression: 'SET #status = :disabled, disabledAt = :at, disabledReason = :reason',
          ConditionExpression: '#status = :active AND failingSince < :before',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':disabled': 'disabled',
            ':active': 'active',
            ':at': health.at,
            ':before': health.disableBefore,
            ':reason': health.reason ?? 'every delivery failed',
          },
        }),
      ),
    );
    return disabled ? 'disabled' : 'failing';
  }

  async setStatus(id: string, status: Subscription['status']): Promise<Subscription | undefined> {
    const changed = await writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tableKeys.subscription(id),
          UpdateExpression:
            status === 'active'
              ? 'SET #status = :status REMOVE failingSince, disabledAt, disabledReason'
              : 'SET #status = :status',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status },
        }),
      ),
    );
    return changed ? this.subscription(id) : undefined;
  }

  async enqueue(event: OutboxEvent): Promise<'queued' | 'exists'> {
    const queued = await writeIf(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...tableKeys.outboxEvent(event.subscriptionId, event.leadId, event.seq), ...event },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return queued ? 'queued' : 'exists';
  }

  async oldest(subscriptionId: string, leadId: string): Promise<OutboxEvent | undefined> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ev)',
        ExpressionAttributeValues: { ':pk': tableKeys.outboxPartition(subscriptionId, leadId), ':ev': 'EV#' },
        ConsistentRead: true,
        Limit: 1,
      }),
    );
    const [item] = Items;
    return item ? OutboxEvent.parse(item) : undefined;
  }

  async lease(event: OutboxEvent, until: string, now: string): Promise<boolean> {
    return writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tableKeys.outboxEvent(event.subscriptionId, event.leadId, event.seq),
          UpdateExpression: 'SET leasedUntil = :until',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(leasedUntil) OR leasedUntil < :now)',
          ExpressionAttributeValues: { ':until': until, ':now': now },
        }),
      ),
    );
  }

  async failed(event: OutboxEvent, error: string): Promise<number> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: tableKeys.outboxEvent(event.subscriptionId, event.leadId, event.seq),
        UpdateExpression: 'ADD attempts :one SET lastError = :error REMOVE leasedUntil',
        ExpressionAttributeValues: { ':one': 1, ':error': error.slice(0, 300) },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.attempts ?? event.attempts + 1);
  }

  async done(event: OutboxEvent): Promise<void> {
    await this.db.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: tableKeys.outboxEvent(event.subscriptionId, event.leadId, event.seq),
      }),
    );
  }

  async log(subscriptionId: string, attempt: DeliveryAttempt): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...tableKeys.deliveryLog(subscriptionId, attempt.at, attempt.eventId, attempt.attempt),
          ...attempt,
          expiresAt: Math.floor(Date.parse(attempt.at) / 1000) + LOG_DAYS * 86_400,
        },
      }),
    );
  }

  async deliveries(subscriptionId: string, limit: number): Promise<DeliveryAttempt[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': tableKeys.deliveryLogPartition(subscriptionId) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map((item) => DeliveryAttempt.parse(item));
  }
}
