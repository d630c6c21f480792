import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Channel } from '../channel-config.ts';
import { type ChannelMessage, DELIVERY, type DeliveryStatus, statusAdvances } from '../channels/message.ts';
import type { MessageClaim, MessageLog } from '../ports.ts';
import { tableKeys } from '../table-schema.ts';
import { writeIf } from './conditional.ts';

/** Messages as `WS#MSG#…` items in the lead's partition: the workspace's timeline Query reads them with the notes. */
export class DynamoMessageLog implements MessageLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(message: ChannelMessage): Promise<void> {
    // A retry writes its attempt again, but never over one that was sent or may have been (that would free it to
    // be sent again); a delivery status the channel reported before this write (WhatsApp's webhook can beat it)
    // is kept.
    const { status, statusAt, ...fields } = { kind: 'message', ...message };
    const names = Object.keys(fields);
    await writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tableKeys.message(message.leadId, message.id),
          UpdateExpression: `SET ${[
            ...names.map((n) => `#${n} = :${n}`),
            ...(status
              ? ['#status = if_not_exists(#status, :status)', 'statusAt = if_not_exists(statusAt, :statusAt)']
              : []),
          ].join(', ')} REMOVE claimUntil`,
          ConditionExpression: 'attribute_not_exists(outcome) OR NOT outcome IN (:sent, :unknown)',
          ExpressionAttributeNames: {
            ...Object.fromEntries(names.map((n) => [`#${n}`, n])),
            ...(status ? { '#status': 'status' } : {}),
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(names.map((n) => [`:${n}`, fields[n as keyof typeof fields]])),
            ...(status ? { ':status': status, ':statusAt': statusAt ?? message.at } : {}),
            ':sent': 'sent',
            ':unknown': 'unknown',
          },
        }),
      ),
    );
  }

  async claim(
    leadId: string,
    messageId: string,
    untilMs: number,
    nowMs: number,
    laterInChain: readonly string[] = [],
  ): Promise<MessageClaim> {
    // The claim is the message's own item (the timeline shows it once `record` adds the rest): one write
    // instead of a separate idempotency record's two.
    try {
      const { Attributes: before } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tableKeys.message(leadId, messageId),
          UpdateExpression: 'SET claimUntil = :until',
          ConditionExpression:
            '(attribute_not_exists(outcome) OR NOT outcome IN (:sent, :unknown)) AND attribute_not_exists(reachedBy) AND (attribute_not_exists(claimUntil) OR claimUntil < :now)',
          ExpressionAttributeValues: {
            ':until': untilMs,
            ':now': nowMs,
            ':sent': 'sent',
            ':unknown': 'unknown',
          },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      // Tried before: its invocation may have died after a later channel took the notice and before this one's
      // failure was written (a try chain writes its failures last). The first try of a message reads nothing.
      const reachedBy = before === undefined ? undefined : await this.sentAmong(leadId, laterInChain);
      return reachedBy === undefined
        ? { kind: 'claimed' }
        : { kind: 'superseded', reachedBy, unrecorded: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = error.Item === undefined ? {} : unmarshall(error.Item);
      if (old.outcome === 'unknown') return { kind: 'unknown' };
      const reachedBy = Channel.safeParse(old.reachedBy);
      if (old.outcome !== 'sent' && reachedBy.success)
        return { kind: 'superseded', reachedBy: reachedBy.data };
      if (old.outcome !== 'sent') return { kind: 'held' };
      return typeof old.externalId === 'string'
        ? { kind: 'sent', externalId: old.externalId }
        : { kind: 'sent' };
    }
  }

  /** The channel of the first of these messages that was sent, if any. */
  private async sentAmong(leadId: string, messageIds: readonly string[]): Promise<Channel | undefined> {
    const items = await Promise.all(
      messageIds.map(async (id) => {
        const { Item } = await this.db.send(
          new GetCommand({
            TableName: this.tableName,
            Key: tableKeys.message(leadId, id),
            ConsistentRead: true,
            ProjectionExpression: '#outcome, #channel',
            ExpressionAttributeNames: { '#outcome': 'outcome', '#channel': 'channel' },
          }),
        );
        return Item;
      }),
    );
    const sent = Channel.safeParse(items.find((item) => item?.outcome === 'sent')?.channel);
    return sent.success ? sent.data : undefined;
  }

  async updateStatus(
    leadId: string,
    messageId: string,
    status: DeliveryStatus,
    at: string,
    detail?: string,
  ): Promise<'updated' | 'ignored'> {
    // The statuses this one may follow, so a late "delivered" never overwrites "read" (Meta's order is not kept).
    const before = [...DELIVERY, 'failed' as const].filter((s) => statusAdvances(s, status));
    const names = before.map((_, i) => `:b${i}`);
    const updated = await writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tableKeys.message(leadId, messageId),
          UpdateExpression: `SET #status = :status, statusAt = :at${detail ? ', detail = :detail' : ''}`,
          // No attribute_exists(pk): the status may come before the attempt is written (the attempt keeps it).
          ConditionExpression: `attribute_not_exists(#status)${
            names.length > 0 ? ` OR #status IN (${names.join(', ')})` : ''
          }`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':at': at,
            ...(detail ? { ':detail': detail.slice(0, 500) } : {}),
            ...Object.fromEntries(before.map((s, i) => [`:b${i}`, s])),
          },
        }),
      ),
    );
    return updated ? 'updated' : 'ignored';
  }
}
