import { beforeAll, describe, expect, it } from 'vitest';
import { wireRouting } from '../../functions/routing/wiring.ts';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import { DynamoLeadRepository } from '../../functions/shared/aws/dynamo-lead-repository.ts';
import { DynamoRepRepository } from '../../functions/shared/aws/dynamo-rep-repository.ts';
import type { Config } from '../../functions/shared/config.ts';
import { RequestCounter } from '../../local/request-counter.ts';
import { freshResources, queueDepth, type TestAws, takeAll } from '../support/aws.ts';
import { assignment, context, lead, silentLogger, sqsEvent, testConfig } from '../support/factories.ts';
import { functionOn } from '../support/handlers.ts';

const NOW = new Date('2026-03-18T08:00:00Z');

async function setup(label: string, configure: (config: Config) => Config = (c) => c) {
  const aws: TestAws = await freshResources(label);
  const db = documentClient(aws.dynamodb);
  const config = configure(testConfig());
  const leads = new DynamoLeadRepository(db, aws.resources.tableName);
  const reps = new DynamoRepRepository(db, aws.resources.tableName);
  await reps.seed(config.routing.reps, NOW);
  const routing = wireRouting({
    ...functionOn(aws, 'routing'),
    config,
    now: () => NOW,
    logger: silentLogger(),
  });
  return { aws, leads, reps, routing, config };
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

function batchesOf<T>(items: T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

describe('routing on DynamoDB Local', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    t = await setup('routing');
  });

  it('assigns 1,000 leads exactly once under concurrency with duplicate deliveries mixed in', async () => {
    const batch = Array.from({ length: 1000 }, () => lead({ segments: [] }));
    for (const chunk of batchesOf(batch, 50)) await Promise.all(chunk.map((l) => t.leads.create(l)));
    // A third of the leads are delivered twice, all shuffled, in batches of 10, 8 invocations at a time.
    const deliveries = shuffled([...batch, ...batch.slice(0, 333)].map((l) => ({ v: 1, leadId: l.id })));
    for (const group of batchesOf(batchesOf(deliveries, 10), 8)) {
      const results = await Promise.all(group.map((b) => t.routing(sqsEvent(b), context())));
      expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);
    }
    const assigned = await Promise.all(batch.map((l) => t.leads.get(l.id)));
    expect(assigned.every((l) => l?.status === 'assigned' && l.ownerId !== undefined)).toBe(true);
    // One owner per lead, one slot per assignment: a slot taken by a losing duplicate is skipped, never reused.
    const slots = assigned.map((l) => l?.assignment?.counter);
    expect(new Set(slots).size).toBe(batch.length);
    const perRep = new Map<string, number>();
    for (const l of assigned) perRep.set(l?.ownerId ?? '', (perRep.get(l?.ownerId ?? '') ?? 0) + 1);
    expect([...perRep.keys()].sort()).toEqual(['layla', 'omid', 'sara']);
    // The rotation decides: every slot of one residue went to one rep (all three are available).
    const repOfResidue = new Map<number, string>();
    for (const l of assigned) {
      const slot = l?.assignment?.counter ?? -1;
      const seen = repOfResidue.get(slot % 3);
      if (seen === undefined) repOfResidue.set(slot % 3, l?.ownerId ?? '');
      else expect(l?.ownerId).toBe(seen);
    }
    expect(new Set(repOfResidue.values()).size).toBe(3);
    // So the shares differ only by the slots that duplicates took and skipped, counted, not assumed.
    const used = slots.filter((s): s is number => s !== undefined);
    const wasted = Math.max(...used) - Math.min(...used) + 1 - batch.length;
    expect(wasted).toBeLessThanOrEqual(333);
    const values = [...perRep.values()];
    expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(wasted + 1);
  }, 120_000);

  it('reads the leads of a batch with one request, not one each, and a lead not stored yet fails alone', async () => {
    const counter = new RequestCounter();
    const fn = functionOn(t.aws, 'routing');
    counter.attach(fn.clients.dynamodb, 'function');
    const routing = wireRouting({ ...fn, config: t.config, now: () => NOW, logger: silentLogger() });
    const stored = Array.from({ length: 9 }, () => lead({ segments: [] }));
    for (const l of stored) await t.leads.create(l);
    const missing = lead({ segments: [] });
    const result = await routing(
      sqsEvent([...stored, missing].map((l) => ({ v: 1, leadId: l.id }))),
      context(),
    );
    // The lead scoring has not stored yet comes back later through the queue; the nine are assigned.
    expect(result.batchItemFailures).toHaveLength(1);
    for (const l of stored) expect((await t.leads.get(l.id))?.status).toBe('assigned');
    const reads = counter
      .snapshot()
      .filter((c) => c.operation === 'BatchGetItem' || c.operation === 'GetItem');
    expect(reads).toEqual([expect.objectContaining({ operation: 'BatchGetItem', count: 1 })]);
  });

  it('records why the rep got the lead: pool, rule, slot, skipped reps', async () => {
    await t.reps.update('omid', { active: false, pausedReason: 'on leave' }, 'test', NOW);
    const stored = lead({ segments: [] });
    await t.leads.create(stored);
    for (let i = 0; i < 3; i++) {
      const extra = lead({ segments: [] });
      await t.leads.create(extra);
      await t.routing(sqsEvent([{ v: 1, leadId: extra.id }]), context());
    }
    await t.routing(sqsEvent([{ v: 1, leadId: stored.id }]), context());
    const assignment = (await t.leads.get(stored.id))?.assignment;
    expect(assignment).toMatchObject({
      poolId: 'default',
      rule: 'default pool',
      skipped: [{ repId: 'omid', why: 'paused' }],
    });
    expect(assignment?.reason).toMatch(
      /^default pool; pool default, rotation slot \d+; skipped omid \(paused\)$/,
    );
    expect(['sara', 'layla']).toContain(assignment?.repId);
    await t.reps.update('omid', { active: true, pausedReason: undefined }, 'test', NOW);
  });
});

describe('capacity, waiting and fallbacks', () => {
  it('never gives a rep more open leads than their capacity, even under concurrency', async () => {
    const t = await setup('capacity', (c) => ({
      ...c,
      routing: {
        ...c.routing,
        reps: c.routing.reps.map((r) => (r.id === 'sara' ? { ...r, capacity: { maxOpen: 5 } } : r)),
      },
    }));
    const batch = Array.from({ length: 60 }, () => lead({ segments: [] }));
    await Promise.all(batch.map((l) => t.leads.create(l)));
    await Promise.all(
      batchesOf(batch, 10).map((b) => t.routing(sqsEvent(b.map((l) => ({ v: 1, leadId: l.id }))), context())),
    );
    const owners = (await Promise.all(batch.map((l) => t.leads.get(l.id)))).map((l) => l?.ownerId);
    expect(owners.filter((o) => o === 'sara')).toHaveLength(5);
    expect(owners.every((o) => o !== undefined)).toBe(true);
    expect((await t.reps.get('sara'))?.openLeads).toBe(5);
  });

  it('keeps a lead nobody can take waiting, retries it through the queue, and assigns it when someone is back', async () => {
    const t = await setup('waiting', (c) => ({ ...c, routing: { ...c.routing, retryUnassignedSeconds: 1 } }));
    for (const id of ['sara', 'omid', 'layla']) await t.reps.update(id, { active: false }, 'test', NOW);
    const stored = lead({ segments: [] });
    await t.leads.create(stored);
    await t.routing(sqsEvent([{ v: 1, leadId: stored.id }]), context());
    const waiting = await t.leads.get(stored.id);
    expect(waiting).toMatchObject({
      status: 'unassigned',
      waitingPool: 'default',
      unassignedSince: NOW.toISOString(),
    });
    expect(waiting?.ownerId).toBeUndefined();
    expect(await t.leads.waiting('default')).toEqual([stored.id]);
    // The retry is on the queue (delayed), not dropped.
    const [retry] = await takeAll(t.aws.sqs, t.aws.resources.routing.url, 1, 5000);
    expect(JSON.parse(retry?.Body ?? '')).toEqual({ v: 1, leadId: stored.id });

    await t.reps.update('layla', { active: true }, 'test', NOW);
    await t.routing(sqsEvent([{ v: 1, leadId: stored.id }]), context());
    expect(await t.leads.get(stored.id)).toMatchObject({ status: 'assigned', ownerId: 'layla' });
    expect(await t.leads.waiting('default')).toEqual([]);
    expect(await queueDepth(t.aws.sqs, t.aws.resources.routing.url)).toBe(0);
  });

  it('gives nobody a waiting lead that was disqualified meanwhile, and takes it off the waiting list', async () => {
    const t = await setup('waiting-dq', (c) => ({
      ...c,
      routing: { ...c.routing, retryUnassignedSeconds: 1 },
    }));
    for (const id of ['sara', 'omid', 'layla']) await t.reps.update(id, { active: false }, 'test', NOW);
    const stored = lead({ segments: [] });
    await t.leads.create(stored);
    await t.routing(sqsEvent([{ v: 1, leadId: stored.id }]), context());
    expect(await t.leads.waiting('default')).toEqual([stored.id]);
    await takeAll(t.aws.sqs, t.aws.resources.routing.url, 1, 5000);
    const change = { status: 'disqualified' as const, at: NOW.toISOString(), by: 'manager', reason: 'spam' };
    expect(await t.leads.recordStatus(stored.id, { status: 'disqualified', change }, 'unassigned')).toBe(
      'recorded',
    );

    await t.reps.update('layla', { active: true }, 'test', NOW);
    await t.routing(sqsEvent([{ v: 1, leadId: stored.id }]), context());
    const after = await t.leads.get(stored.id);
    expect(after?.status).toBe('disqualified');
    expect(after?.ownerId).toBeUndefined();
    expect(await t.leads.waiting('default')).toEqual([]);
    // And the repository refuses it too, whoever asks.
    expect(await t.leads.assign(stored.id, assignment({ repId: 'layla' }))).toBe('already-assigned');
  });

  it('sends a lead to the fallback pool, then to the fallback owner, when nobody in its pool can take it', async () => {
    const t = await setup('fallback', (c) => ({
      ...c,
      routing: {
        ...c.routing,
        pools: c.routing.pools.map((p) =>
          p.id === 'gulf' ? { ...p, fallback: { pool: 'default' } } : { ...p, fallback: { owner: 'omid' } },
        ),
      },
    }));
    await t.reps.update('sara', { active: false }, 'test', NOW);
    await t.reps.update('layla', { active: false }, 'test', NOW);
    const gulf = lead({ segments: ['gulf'] });
    await t.leads.create(gulf);
    await t.routing(sqsEvent([{ v: 1, leadId: gulf.id }]), context());
    expect((await t.leads.get(gulf.id))?.assignment).toMatchObject({
      repId: 'omid',
      poolId: 'default',
      rule: 'fallback from pool gulf',
    });

    await t.reps.update('omid', { active: false }, 'test', NOW);
    const other = lead({ segments: [] });
    await t.leads.create(other);
    await t.routing(sqsEvent([{ v: 1, leadId: other.id }]), context());
    expect((await t.leads.get(other.id))?.assignment).toMatchObject({
      repId: 'omid',
      rule: 'fallback owner',
    });
  });

  it("gives a returning person's new lead to their previous owner while that owner is active", async () => {
    const t = await setup('sticky');
    const back = lead({ segments: [], previousOwnerId: 'omid' });
    await t.leads.create(back);
    await t.routing(sqsEvent([{ v: 1, leadId: back.id }]), context());
    expect((await t.leads.get(back.id))?.assignment).toMatchObject({
      repId: 'omid',
      rule: 'sticky owner',
      counter: 0,
    });

    await t.reps.update('omid', { active: false }, 'test', NOW);
    const again = lead({ segments: [], previousOwnerId: 'omid' });
    await t.leads.create(again);
    await t.routing(sqsEvent([{ v: 1, leadId: again.id }]), context());
    expect((await t.leads.get(again.id))?.assignment?.repId).not.toBe('omid');
  });
});

describe('the stored roster', () => {
  it('stores configured reps on first read, with no seeding at cold start, and never overwrites what ops changed', async () => {
    const aws = await freshResources('roster');
    const config = testConfig();
    const reps = new DynamoRepRepository(
      documentClient(aws.dynamodb),
      aws.resources.tableName,
      config.routing.reps,
    );
    expect((await reps.roster()).reps.map((r) => r.id).sort()).toEqual(['layla', 'omid', 'sara']);
    await reps.update('omid', { active: false, pausedReason: 'on leave' }, 'ops', NOW);
    const again = new DynamoRepRepository(
      documentClient(aws.dynamodb),
      aws.resources.tableName,
      config.routing.reps,
    );
    expect((await again.roster()).reps.find((r) => r.id === 'omid')).toMatchObject({
      active: false,
      pausedReason: 'on leave',
    });
    const fresh = await freshResources('roster-get');
    const byId = new DynamoRepRepository(
      documentClient(fresh.dynamodb),
      fresh.resources.tableName,
      config.routing.reps,
    );
    expect((await byId.get('layla'))?.email).toBe('layla@sales.example');
    expect(await byId.get('nobody')).toBeUndefined();
  });
});
