import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RepDirectory, RepPatch, RepRecord } from '../ports.ts';
import { RepConfig } from '../rep-config.ts';
import { REPS_PARTITION, SORT, tableKeys } from '../table-schema.ts';
import * as z from '../zod.ts';
import { writeIf } from './conditional.ts';
import { queryItems } from './scan.ts';

/** All reps live in one partition: a roster is small, and one Query reads it with today's counters. */
export const repKeys = { rep: tableKeys.rep, day: tableKeys.repDay };

// A stored item carries keys and bookkeeping besides the profile: parsed leniently (unknown keys dropped).
export const RepItem = z.object({
  ...RepConfig.shape,
  openLeads: z._default(z.number().check(z.int()), 0),
  pools: z.optional(z.array(z.string())),
  pausedReason: z.optional(z.string()),
  updatedAt: z.optional(z.string()),
  updatedBy: z.optional(z.string()),
});

/**
 * Reps in DynamoDB. The configured roster is the default: a configured rep not stored yet is stored the first
 * time the roster or that rep is read (a conditional put), so no function seeds anything at cold start, and
 * whatever ops changed since (a pause, a weight) is never overwritten.
 */
export class DynamoRepRepository implements RepDirectory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly defaults: readonly RepConfig[] = [],
  ) {}

  async seed(reps: readonly RepConfig[], now: Date): Promise<number> {
    const created = await Promise.all(reps.map((rep) => this.add(rep, 'config', now)));
    return created.filter(Boolean).length;
  }

  async add(rep: RepConfig, by: string, now: Date): Promise<boolean> {
    return writeIf(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...repKeys.rep(rep.id),
            type: 'rep',
            ...rep,
            openLeads: 0,
            updatedAt: now.toISOString(),
            updatedBy: by,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  /** Every rep, with the count of leads each got on the given local dates (for per-day capacity). */
  async roster(): Promise<{ reps: RepRecord[]; days: Map<string, number> }> {
    const reps: RepRecord[] = [];
    const days = new Map<string, number>();
    for await (const item of queryItems(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': REPS_PARTITION },
      ConsistentRead: true,
    })) {
      const sk = String(item.sk);
      if (sk.startsWith(SORT.rep)) reps.push(RepItem.parse(item));
      else if (sk.startsWith(SORT.repDay)) days.set(sk.slice(SORT.repDay.length), Number(item.count ?? 0));
    }
    const missing = this.defaults.filter((d) => !reps.some((r) => r.id === d.id));
    if (missing.length > 0) {
      await this.seed(missing, new Date());
      reps.push(...missing.map((rep) => RepItem.parse({ ...rep, openLeads: 0 })));
    }
    return { reps, days };
  }

  async get(id: string): Promise<RepRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: repKeys.rep(id), ConsistentRead: true }),
    );
    if (Item !== undefined) return RepItem.parse(Item);
    const configured = this.defaults.find((d) => d.id === id);
    if (configured === undefined) return undefined;
    await this.add(configured, 'config', new Date());
    return RepItem.parse({ ...configured, openLeads: 0 });
  }

  async update(id: string, patch: RepPatch, by: string, now: Date): Promise<RepRecord | undefined> {
    const fields = Object.entries(patch).filter(([, v]) => v !== undefined);
    const removals = Object.entries(patch)
      .filter(([, v]) => v === undefined)
      .map(([k]) => k);
    const names: Record<string, string> = { '#updatedAt': 'updatedAt', '#updatedBy': 'updatedBy' };
    const values: Record<string, unknown> = { ':updatedAt': now.toISOString(), ':updatedBy': by };
    for (const [k, v] of fields) {
      names[`#${k}`] = k;
      values[`:${k}`] = v;
    }
    for (const k of removals) names[`#${k}`] = k;
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: repKeys.rep(id),
          UpdateExpression: `SET ${[...fields.map(([k]) => `#${k} = :${k}`), '#updatedAt = :updatedAt', '#updatedBy = :updatedBy'].join(', ')}${
            removals.length > 0 ? ` REMOVE ${removals.map((k) => `#${k}`).join(', ')}` : ''
          }`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return RepItem.parse(Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}
