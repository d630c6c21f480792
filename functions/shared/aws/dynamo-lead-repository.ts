import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type Assignment, type FollowUp, isClosed, Lead } from '../lead.ts';
import { listKeys } from '../lead-list.ts';
import { cutToBytes, RAW_PART_BYTES } from '../limits.ts';
import type {
  AssignResult,
  CapacityGuard,
  CreateOutcome,
  CreateResult,
  FailureLog,
  FailureRecord,
  KeyKind,
  LeadRepository,
  PoolCounter,
  StatusWrite,
  ValuePatch,
} from '../ports.ts';
import { NOT_CLOSED, tableKeys } from '../table-schema.ts';
import { batchGetAll } from './batch-get.ts';
import { transact, writeIf } from './conditional.ts';
import { repKeys } from './dynamo-rep-repository.ts';
import { queryItems } from './scan.ts';

/** Single-table keys (functions/shared/table-schema.ts). Every item carries `pk`, `sk` and `type`. */
export const keys = tableKeys;

export class DynamoLeadRepository implements LeadRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(lead: Lead): Promise<CreateResult> {
    const written = await writeIf(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.lead(lead.id), type: 'lead', ...lead, ...listKeys(lead) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return written ? 'created' : 'exists';
  }

  async createWithKeys(
    lead: Lead,
    identityKeys: readonly { kind: KeyKind; value: string }[],
    window: { nowEpoch: number; expiresAt: number },
    options: { takeOver?: boolean } = {},
  ): Promise<CreateOutcome> {
    if (identityKeys.length === 0) return { kind: await this.create(lead) };
    const result = await transact(this.db, [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.lead(lead.id), type: 'lead', ...lead, ...listKeys(lead) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...identityKeys.map((key) => ({
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.identity(key.kind, key.value),
            type: 'key',
            leadId: lead.id,
            expiresAt: window.expiresAt,
          },
          ...(options.takeOver
            ? {}
            : {
                // A key is free when nobody holds it, its holder's window has passed, or it is ours (a retry).
                ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR leadId = :leadId',
                ExpressionAttributeValues: { ':now': window.nowEpoch, ':leadId': lead.id },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
              }),
        },
      })),
    ]);
    if (result.ok) return { kind: 'created' };
    if (result.reasons[0]?.Code === 'ConditionalCheckFailed') return { kind: 'exists' };
    // The holders come back with the failed conditions themselves (ALL_OLD): no extra read.
    const holders = result.reasons.slice(1).flatMap((reason, i) => {
      const key = identityKeys[i];
      if (reason.Code !== 'ConditionalCheckFailed' || key === undefined || reason.Item === undefined)
        return [];
      const holder = unmarshall(reason.Item as Record<string, AttributeValue>).leadId;
      return typeof holder === 'string' ? [{ key: key.kind, leadId: holder }] : [];
    });
    return { kind: 'duplicate', holders };
  }

  async saveMerged(merged: Lead, expectedVersion: number): Promise<'recorded' | 'conflict'> {
    // Only what a merge changes: the owner, assignment and status belong to routing and status events.
    const fields = [
      'contact',
      'keys',
      'answers',
      'touches',
      'lastTouchAt',
      'keysRefreshedAt',
      'score',
      'segments',
      'version',
      'phoneE164',
      'phoneCountry',
      'phoneType',
      'emailDomain',
      'emailFree',
      'emailRole',
      'consent',
    ] as const;
    const present = fields.filter((f) => merged[f] !== undefined);
    const written = await writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.lead(merged.id),
          UpdateExpression: `SET ${present.map((f) => `#${f} = :${f}`).join(', ')}`,
          ConditionExpression:
            expectedVersion === 1
              ? '#version = :expected OR attribute_not_exists(#version)'
              : '#version = :expected',
          ExpressionAttributeNames: Object.fromEntries(present.map((f) => [`#${f}`, f])),
          ExpressionAttributeValues: {
            ...Object.fromEntries(present.map((f) => [`:${f}`, merged[f]])),
            ':expected': expectedVersion,
          },
        }),
      ),
    );
    return written ? 'recorded' : 'conflict';
  }

  async refreshKeys(
    leadId: string,
    identityKeys: readonly { kind: KeyKind; value: string }[],
    window: { nowEpoch: number; expiresAt: number },
  ): Promise<void> {
    await Promise.all(
      // A key another lead holds stays with that person's lead (the write's condition fails, and that is fine).
      identityKeys.map((key) =>
        writeIf(() =>
          this.db.send(
            new PutCommand({
              TableName: this.tableName,
              Item: {
                ...keys.identity(key.kind, key.value),
                type: 'key',
                leadId,
                expiresAt: window.expiresAt,
              },
              ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR leadId = :leadId',
              ExpressionAttributeValues: { ':now': window.nowEpoch, ':leadId': leadId },
            }),
          ),
        ),
      ),
    );
  }

  async get(id: string): Promise<Lead | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.lead(id), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : Lead.parse(Item);
  }

  async getMany(ids: readonly string[]): Promise<Map<string, Lead>> {
    const items = await batchGetAll(
      this.db,
      this.tableName,
      [...new Set(ids)].map((id) => keys.lead(id)),
      { consistent: true, incomplete: `${ids.length} leads could not all be read; try again` },
    );
    return new Map(items.map((item) => [String(item.id), Lead.parse(item)]));
  }

  async exists(id: string): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.lead(id),
        ConsistentRead: true,
        ProjectionExpression: 'pk',
      }),
    );
    return Item !== undefined;
  }

  async keepRaw(
    id: string,
    raw: { source: string; payload?: string; graph?: string },
    expiresAt: number,
  ): Promise<void> {
    // An item holds at most 400 KB: a large payload is kept in parts, the first of which says how many.
    const { payload, ...rest } = raw;
    const parts = payload === undefined ? [] : splitBytes(payload, RAW_PART_BYTES);
    await Promise.all(
      (parts.length > 0 ? parts : [undefined]).map((part, i) =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...keys.raw(id, i),
              type: 'raw',
              ...(i === 0 ? { ...rest, parts: parts.length } : {}),
              ...(part !== undefined ? { payload: part } : {}),
              expiresAt,
            },
          }),
        ),
      ),
    );
  }

  /** The payload as received, put together from its parts; undefined when none was kept (or it expired). */
  async getRaw(id: string): Promise<{ source: string; payload?: string; graph?: string } | undefined> {
    const first = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.raw(id), ConsistentRead: true }),
    );
    if (first.Item === undefined) return undefined;
    const parts = Number(first.Item.parts ?? 1);
    let payload = first.Item.payload === undefined ? undefined : String(first.Item.payload);
    for (let i = 1; i < parts; i++) {
      const next = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: keys.raw(id, i), ConsistentRead: true }),
      );
      if (next.Item === undefined)
        throw new Error(`raw payload of lead ${id} is missing part ${i} of ${parts}`);
      payload = `${payload ?? ''}${String(next.Item.payload ?? '')}`;
    }
    return {
      source: String(first.Item.source),
      ...(payload !== undefined ? { payload } : {}),
      ...(first.Item.graph !== undefined ? { graph: String(first.Item.graph) } : {}),
    };
  }

  async claimIdempotencyKey(
    keyHash: string,
    claim: { bodyHash: string; leadId: string },
    nowEpoch: number,
    expiresAt: number,
  ): Promise<'new' | 'retry' | 'conflict'> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.idempotencyKey(keyHash), type: 'idempotency-key', ...claim, expiresAt },
          // TTL deletes lazily, so an expired key is judged by its own timestamp.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowEpoch },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'new';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const held = error.Item ? unmarshall(error.Item) : undefined;
      return held?.bodyHash === claim.bodyHash ? 'retry' : 'conflict';
    }
  }

  async claimDedupeKey(key: string, leadId: string, nowEpoch: number, expiresAt: number): Promise<boolean> {
    const written = await writeIf(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.dedupe(key), type: 'dedupe', leadId, expiresAt },
          // TTL deletes lazily (up to days later), so an expired key is judged by its own timestamp.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR leadId = :leadId',
          ExpressionAttributeValues: { ':now': nowEpoch, ':leadId': leadId },
        }),
      ),
    );
    return written;
  }

  async assign(id: string, assignment: Assignment, guard?: CapacityGuard): Promise<AssignResult> {
    const lead = {
      TableName: this.tableName,
      Key: keys.lead(id),
      UpdateExpression:
        'SET ownerId = :rep, #status = :assigned, assignment = :assignment REMOVE unassignedSince, waitingPool',
      // The one rule that makes assignment exactly-once: a lead that has an owner is never assigned again; nor
      // is one closed while it waited.
      ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(ownerId) AND ${NOT_CLOSED.expression}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':rep': assignment.repId,
        ':assigned': 'assigned',
        ':assignment': assignment,
        ...NOT_CLOSED.values,
      },
    };
    if (guard === undefined || (guard.maxOpen === undefined && guard.perDay === undefined)) {
      return (await writeIf(() => this.db.send(new UpdateCommand(lead)))) ? 'assigned' : 'already-assigned';
    }
    const capacity = [
      ...(guard.maxOpen !== undefined
        ? [
            {
              Update: {
                TableName: this.tableName,
                Key: repKeys.rep(guard.repId),
                UpdateExpression: 'ADD openLeads :one',
                ConditionExpression: 'attribute_not_exists(openLeads) OR openLeads < :max',
                ExpressionAttributeValues: { ':one': 1, ':max': guard.maxOpen },
              },
            },
          ]
        : []),
      ...(guard.perDay !== undefined
        ? [
            {
              Update: {
                TableName: this.tableName,
                Key: repKeys.day(guard.repId, guard.perDay.date),
                UpdateExpression: 'ADD #count :one SET #type = :type, expiresAt = :expires',
                ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
                ExpressionAttributeNames: { '#count': 'count', '#type': 'type' },
                ExpressionAttributeValues: {
                  ':one': 1,
                  ':limit': guard.perDay.limit,
                  ':type': 'rep-day',
                  ':expires': Math.floor(Date.parse(`${guard.perDay.date}T00:00:00Z`) / 1000) + 8 * 86_400,
                },
              },
            },
          ]
        : []),
    ];
    const result = await transact(this.db, [{ Update: lead }, ...capacity]);
    if (result.ok) return 'assigned';
    return result.reasons[0]?.Code === 'ConditionalCheckFailed' ? 'already-assigned' : 'rep-unavailable';
  }

  async markUnassigned(id: string, poolId: string, now: Date): Promise<void> {
    const waits = await writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.lead(id),
          UpdateExpression:
            'SET #status = :unassigned, waitingPool = :pool, unassignedSince = if_not_exists(unassignedSince, :now)',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ownerId)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':unassigned': 'unassigned',
            ':pool': poolId,
            ':now': now.toISOString(),
          },
        }),
      ),
    );
    // Someone took it meanwhile: nothing waits.
    if (!waits) return;
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.waiting(poolId, id), type: 'waiting', leadId: id, since: now.toISOString() },
      }),
    );
  }

  async waiting(poolId: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const item of queryItems(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.waiting(poolId, '').pk },
    }))
      ids.push(String(item.leadId));
    return ids;
  }

  async recordFollowUp(id: string, followUp: FollowUp): Promise<boolean> {
    return writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.lead(id),
          // The id set makes the append idempotent: a timer fired twice records once.
          UpdateExpression:
            'SET followUps = list_append(if_not_exists(followUps, :empty), :followUp) ADD followUpIds :ids',
          ConditionExpression: 'attribute_exists(pk) AND NOT contains(followUpIds, :id)',
          ExpressionAttributeValues: {
            ':empty': [],
            ':followUp': [followUp],
            ':ids': new Set([followUp.id]),
            ':id': followUp.id,
          },
        }),
      ),
    );
  }

  async recordStatus(
    id: string,
    update: StatusWrite,
    expected: Lead['status'],
    release?: string,
  ): Promise<'recorded' | 'conflict'> {
    const { value } = update;
    const lead = {
      TableName: this.tableName,
      Key: keys.lead(id),
      UpdateExpression: `SET #status = :status, statusHistory = list_append(if_not_exists(statusHistory, :empty), :change)${
        update.firstContactAt ? ', firstContactAt = if_not_exists(firstContactAt, :first)' : ''
      }${value ? ', #valueField = :value, valueVersion = if_not_exists(valueVersion, :zero) + :one' : ''}`,
      ConditionExpression: '#status = :expected',
      ExpressionAttributeNames: { '#status': 'status', ...(value ? { '#valueField': value.field } : {}) },
      ExpressionAttributeValues: {
        ':status': update.status,
        ':empty': [],
        ':change': [update.change],
        ':expected': expected,
        ...(update.firstContactAt ? { ':first': update.firstContactAt } : {}),
        ...(value ? { ':value': value.money, ':zero': 0, ':one': 1 } : {}),
      },
    };
    if (release === undefined)
      return (await writeIf(() => this.db.send(new UpdateCommand(lead)))) ? 'recorded' : 'conflict';
    // A closed lead gives its owner's place back in the same transaction: a retry after a failure between two
    // writes would find the status changed and never give it back.
    const result = await transact(this.db, [{ Update: lead }, releasePlace(this.tableName, release)]);
    return result.ok ? 'recorded' : 'conflict';
  }

  async setValues(
    id: string,
    patch: ValuePatch,
    readVersion: number | undefined,
  ): Promise<'saved' | 'conflict' | 'closed'> {
    const set: string[] = ['valueVersion = :next'];
    const remove: string[] = [];
    const values: Record<string, unknown> = { ':next': (readVersion ?? 0) + 1, ...NOT_CLOSED.values };
    for (const field of ['expectedValue', 'expectedCloseDate'] as const) {
      const value = patch[field];
      if (value === undefined) continue;
      if (value === null) remove.push(field);
      else {
        set.push(`${field} = :${field}`);
        values[`:${field}`] = value;
      }
    }
    if (readVersion !== undefined) values[':read'] = readVersion;
    const written = await writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.lead(id),
          UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: `attribute_exists(pk) AND ${
            readVersion === undefined ? 'attribute_not_exists(valueVersion)' : 'valueVersion = :read'
          } AND ${NOT_CLOSED.expression}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
    if (written) return 'saved';
    const lead = await this.get(id);
    return lead !== undefined && isClosed(lead.status) ? 'closed' : 'conflict';
  }

  /** Drops a lead from a waiting list once it has an owner (a stale entry only costs a no-op retry). */
  async leaveWaiting(id: string, poolId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.waiting(poolId, id) }));
  }

  async reassign(
    id: string,
    assignment: Assignment,
    current: Pick<Lead, 'ownerId' | 'assignment'>,
    counts: { release?: string; take?: CapacityGuard } = {},
  ): Promise<'moved' | 'conflict' | 'rep-unavailable'> {
    const expectedOwner = current.ownerId;
    const lead = {
      TableName: this.tableName,
      Key: keys.lead(id),
      UpdateExpression:
        'SET ownerId = :rep, assignment = :assignment, history = list_append(if_not_exists(history, :empty), :previous), #status = if_not_exists(#status, :assigned) REMOVE unassignedSince, waitingPool',
      // Only an open lead moves: a won or lost one is reopened on purpose, never by a move.
      ConditionExpression: `${
        expectedOwner === undefined
          ? 'attribute_exists(pk) AND attribute_not_exists(ownerId)'
          : 'ownerId = :expected'
      } AND ${NOT_CLOSED.expression}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':rep': assignment.repId,
        ':assignment': assignment,
        ':empty': [],
        ':assigned': 'assigned',
        ':previous': current.assignment ? [current.assignment] : [],
        ...NOT_CLOSED.values,
        ...(expectedOwner === undefined ? {} : { ':expected': expectedOwner }),
      },
    };
    // Back to the same rep (a new assignment of theirs): their count does not change.
    const same = counts.release !== undefined && counts.release === counts.take?.repId;
    const take = counts.take?.maxOpen !== undefined && !same ? counts.take : undefined;
    const release = same ? undefined : counts.release;
    if (release === undefined && take === undefined)
      return (await writeIf(() => this.db.send(new UpdateCommand(lead)))) ? 'moved' : 'conflict';
    // The lead's owner and both reps' open-lead counts change together, or not at all.
    const result = await transact(this.db, [
      { Update: lead },
      ...(release !== undefined ? [releasePlace(this.tableName, release)] : []),
      ...(take !== undefined
        ? [
            {
              Update: {
                TableName: this.tableName,
                Key: repKeys.rep(take.repId),
                UpdateExpression: 'ADD openLeads :one',
                ConditionExpression: 'attribute_not_exists(openLeads) OR openLeads < :max',
                ExpressionAttributeValues: { ':one': 1, ':max': take.maxOpen },
              },
            },
          ]
        : []),
    ]);
    if (result.ok) return 'moved';
    return result.reasons[0]?.Code === 'ConditionalCheckFailed' ? 'conflict' : 'rep-unavailable';
  }
}

/** A rep's open-lead count, one lower (never below zero). */
function releasePlace(tableName: string, repId: string) {
  return {
    Update: {
      TableName: tableName,
      Key: repKeys.rep(repId),
      UpdateExpression: 'ADD openLeads :minus',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':minus': -1 },
    },
  };
}

export class DynamoFailureLog implements FailureLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(failure: FailureRecord): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.failure(failure.source, failure.externalId),
        UpdateExpression:
          'SET #type = :type, leadId = :leadId, code = :code, message = :message, hint = :hint, lastAt = :at, firstAt = if_not_exists(firstAt, :at) ADD attempts :one',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'failure',
          ':leadId': failure.leadId,
          ':code': failure.code,
          ':message': failure.message,
          ':hint': failure.hint,
          ':at': failure.at,
          ':one': 1,
        },
      }),
    );
  }
}

export class DynamoPoolCounter implements PoolCounter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async next(poolId: string, count = 1): Promise<number> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.poolCounter(poolId),
        UpdateExpression: 'ADD #value :count SET #type = :type',
        ExpressionAttributeNames: { '#value': 'value', '#type': 'type' },
        ExpressionAttributeValues: { ':count': count, ':type': 'pool-counter' },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const value = Attributes?.value;
    if (typeof value !== 'number') throw new Error(`pool counter ${poolId} returned no value`);
    return value;
  }
}

/** `text` in consecutive parts of at most `maxBytes` UTF-8 bytes each, never splitting a character. */
export function splitBytes(text: string, maxBytes: number): string[] {
  const parts: string[] = [];
  for (let rest = text; rest !== ''; ) {
    const part = cutToBytes(rest, maxBytes);
    parts.push(part);
    rest = rest.slice(part.length);
  }
  return parts;
}
