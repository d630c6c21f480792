import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import {
  backfillListKeys,
  DynamoLeadLister,
  LIST_INDEX,
} from '../../functions/shared/aws/dynamo-lead-list.ts';
import { DynamoLeadRepository } from '../../functions/shared/aws/dynamo-lead-repository.ts';
import { LeadListQuery, type LeadSummary } from '../../functions/shared/lead-list.ts';
import { startDynamoDbLocal } from '../../local/emulators.ts';
import { ensureResources, LIST_INDEX_SPEC, untilIndex } from '../../local/resources.ts';
import { freshResources, type TestAws } from '../support/aws.ts';
import { lead } from '../support/factories.ts';

const range = { from: '2026-03-18', to: '2026-03-19' };
let aws: TestAws;
let db: DynamoDBDocumentClient;
/** Leads asked for by BatchGetItem, per page read. */
let leadsRead = 0;
/** Ids, newest first. */
const stored: string[] = [];

beforeAll(async () => {
  aws = await freshResources('list');
  aws.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'BatchGetItemCommand') {
        const input = args.input as { RequestItems: Record<string, { Keys: unknown[] }> };
        for (const request of Object.values(input.RequestItems)) leadsRead += request.Keys.length;
      }
      return next(args);
    },
    { step: 'initialize', name: 'countLeadsRead' },
  );
  db = documentClient(aws.dynamodb);
  const leads = new DynamoLeadRepository(db, aws.resources.tableName);
  // 120 leads over two days, a minute apart; the oldest two belong to rep-x.
  const start = Date.parse('2026-03-18T22:30:00.000Z');
  for (let i = 0; i < 120; i++) {
    const created = lead({
      createdAt: new Date(start + i * 60_000).toISOString(),
      ...(i < 2 ? { ownerId: 'rep-x', status: 'assigned' as const } : {}),
    });
    await leads.create(created);
    stored.unshift(created.id);
  }
});

async function everyPage(lister: DynamoLeadLister, query: Record<string, string>) {
  const pages: { leads: LeadSummary[]; read: number }[] = [];
  let cursor: string | undefined;
  do {
    leadsRead = 0;
    const page = await lister.list(LeadListQuery.parse({ ...query, ...(cursor ? { cursor } : {}) }), range);
    pages.push({ leads: page.leads, read: leadsRead });
    cursor = page.next;
  } while (cursor);
  return pages;
}

describe('the lead list on DynamoDB', () => {
  it('lists every lead once, newest first across days and shards, reading no more leads than a page shows', async () => {
    const pages = await everyPage(new DynamoLeadLister(db, aws.resources.tableName), { limit: '25' });
    expect(pages.flatMap((p) => p.leads.map((l) => l.id))).toEqual(stored);
    for (const page of pages) expect(page.read).toBeLessThanOrEqual(25);
  });

  it('comes back short with a cursor once a filtered page has read its budget, and the cursor goes on from there', async () => {
    const lister = new DynamoLeadLister(db, aws.resources.tableName, 30);
    const pages = await everyPage(lister, { ownerId: 'rep-x', limit: '10' });
    // 120 leads, 30 read a page: the first pages find nothing yet, and say where to go on.
    expect(pages[0]?.leads).toEqual([]);
    expect(pages.length).toBeGreaterThanOrEqual(4);
    for (const page of pages) expect(page.read).toBeLessThanOrEqual(30);
    expect(pages.flatMap((p) => p.leads.map((l) => l.id))).toEqual(stored.slice(-2));
  });

  it('shows and filters a lead as it is now, not as it was created', async () => {
    const id = stored[5] ?? '';
    await db.send(
      new UpdateCommand({
        TableName: aws.resources.tableName,
        Key: { pk: `LEAD#${id}`, sk: 'LEAD' },
        UpdateExpression: 'SET #status = :won',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':won': 'won' },
      }),
    );
    const page = await new DynamoLeadLister(db, aws.resources.tableName).list(
      LeadListQuery.parse({ status: 'won' }),
      range,
    );
    expect(page.leads.map((l) => [l.id, l.status])).toEqual([[id, 'won']]);
  });

  it('rebuilds a list index kept on disk with its first projection as keys only, with the leads stored before', async () => {
    // An on-disk database of its own, as `LEADPIPE_DATA_DIR` keeps one: index changes are slow on the
    // shared engine while the whole suite runs.
    const dataDir = mkdtempSync(join(tmpdir(), 'leadpipe-list-'));
    const prefix = 'upgraded';
    const table = `${prefix}-leads`;
    const before = lead({ createdAt: '2026-03-19T08:00:00.000Z' });
    let engine = await startDynamoDbLocal({ dataDir });
    try {
      let dynamodb = new DynamoDBClient({ endpoint: engine.endpoint });
      await ensureResources(dynamodb, aws.sqs, prefix);
      // Back to the first version's index.
      await dynamodb.send(
        new UpdateTableCommand({
          TableName: table,
          GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: LIST_INDEX } }],
        }),
      );
      // Within the test's own timeout, so a slow index fails with the helper's message, not vitest's.
      await untilIndex(dynamodb, table, LIST_INDEX, 'gone', 50_000);
      await dynamodb.send(
        new UpdateTableCommand({
          TableName: table,
          AttributeDefinitions: [
            { AttributeName: 'listPk', AttributeType: 'S' },
            { AttributeName: 'listSk', AttributeType: 'S' },
          ],
          GlobalSecondaryIndexUpdates: [
            {
              Create: {
                ...LIST_INDEX_SPEC,
                Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['status'] },
              },
            },
          ],
        }),
      );
      await untilIndex(dynamodb, table, LIST_INDEX, 'ACTIVE', 50_000);
      await new DynamoLeadRepository(documentClient(dynamodb), table).create(before);
      await engine.stop();

      // The next start, on the same files.
      engine = await startDynamoDbLocal({ dataDir });
      dynamodb = new DynamoDBClient({ endpoint: engine.endpoint });
      await ensureResources(dynamodb, aws.sqs, prefix);
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
      const index = Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === LIST_INDEX);
      expect(index?.Projection?.ProjectionType).toBe('KEYS_ONLY');
      const page = await new DynamoLeadLister(documentClient(dynamodb), table).list(
        LeadListQuery.parse({}),
        range,
      );
      expect(page.leads.map((l) => l.id)).toEqual([before.id]);
    } finally {
      await engine.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('lists leads stored before the list index once their keys are backfilled, and a second backfill changes nothing', async () => {
    const old = await freshResources('list-backfill');
    const oldDb = documentClient(old.dynamodb);
    const earlier = [0, 1, 2].map((i) => lead({ createdAt: `2026-03-19T0${i}:00:00.000Z` }));
    // As an earlier version stored them: the lead item without list keys.
    for (const item of earlier)
      await oldDb.send(
        new PutCommand({
          TableName: old.resources.tableName,
          Item: { pk: `LEAD#${item.id}`, sk: 'LEAD', type: 'lead', ...item },
        }),
      );
    const lister = new DynamoLeadLister(oldDb, old.resources.tableName);
    expect((await lister.list(LeadListQuery.parse({}), range)).leads).toEqual([]);
    expect(await backfillListKeys(oldDb, old.resources.tableName)).toMatchObject({ updated: 3 });
    const page = await lister.list(LeadListQuery.parse({}), range);
    expect(page.leads.map((l) => l.id)).toEqual(earlier.map((l) => l.id).reverse());
    expect(await backfillListKeys(oldDb, old.resources.tableName)).toMatchObject({ updated: 0 });
  });
});
