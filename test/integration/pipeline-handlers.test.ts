import { randomUUID } from 'node:crypto';
import type { DynamoDBRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { wireRouting } from '../../functions/routing/wiring.ts';
import { wireScoring } from '../../functions/scoring/wiring.ts';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import { DynamoLeadRepository } from '../../functions/shared/aws/dynamo-lead-repository.ts';
import { DynamoRepRepository } from '../../functions/shared/aws/dynamo-rep-repository.ts';
import { RoutingMessage } from '../../functions/shared/lead.ts';
import { RequestCounter } from '../../local/request-counter.ts';
import { freshResources, mailsForLead, streamRecords, type TestAws, takeAll } from '../support/aws.ts';
import {
  context,
  intakeMessage,
  lead,
  silentLogger,
  sqsEvent,
  testConfig,
  uniqueContact,
} from '../support/factories.ts';
import { functionOn, nurtureOn } from '../support/handlers.ts';

const config = testConfig();
let aws: TestAws;
let leads: DynamoLeadRepository;
let scoring: ReturnType<typeof wireScoring>;
let routing: ReturnType<typeof wireRouting>;
let nurture: ReturnType<typeof nurtureOn>['nurture']['handler'];

beforeAll(async () => {
  aws = await freshResources('handlers');
  const db = documentClient(aws.dynamodb);
  leads = new DynamoLeadRepository(db, aws.resources.tableName);
  const now = () => new Date('2026-03-19T16:00:01.000Z');
  scoring = wireScoring({ ...functionOn(aws, 'scoring'), config, now, logger: silentLogger() });
  const reps = new DynamoRepRepository(db, aws.resources.tableName);
  await reps.seed(config.routing.reps, new Date());
  routing = wireRouting({ ...functionOn(aws, 'routing'), config, now, logger: silentLogger() });
  nurture = nurtureOn(aws, config, now).nurture.handler;
});

describe('scoring', () => {
  it('stores the scored lead with its breakdown and passes it to routing', async () => {
    const intake = intakeMessage();
    const result = await scoring(sqsEvent([intake]), context());
    expect(result.batchItemFailures).toEqual([]);
    const stored = await leads.get(intake.leadId);
    expect(stored).toMatchObject({
      id: intake.leadId,
      status: 'new',
      keys: { email: 'sara.ahmed@example.com', phone: '+966501234567' },
      score: {
        total: 30,
        breakdown: [
          { ruleId: 'has-phone', points: 20 },
          { ruleId: 'has-email', points: 10 },
        ],
      },
      segments: ['gulf'],
    });
    const [message] = await takeAll(aws.sqs, aws.resources.routing.url, 1);
    expect(RoutingMessage.parse(JSON.parse(message?.Body ?? ''))).toEqual({ v: 1, leadId: intake.leadId });
  });

  it('treats a redelivered message as the same lead, and still hands it to routing', async () => {
    const intake = intakeMessage({ contact: uniqueContact() });
    await scoring(sqsEvent([intake]), context());
    const first = await leads.get(intake.leadId);
    const again = await scoring(sqsEvent([intake], 2), context());
    expect(again.batchItemFailures).toEqual([]);
    expect(await leads.get(intake.leadId)).toEqual(first);
    expect(await takeAll(aws.sqs, aws.resources.routing.url, 2)).toHaveLength(2);
  });

  it('fails only the malformed record of a batch, so the rest go on and it alone reaches the DLQ', async () => {
    const good = intakeMessage({ contact: uniqueContact() });
    const event = sqsEvent([{ v: 1, leadId: 'x' }, good, 'not json']);
    const result = await scoring(event, context());
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      event.Records[0]?.messageId,
      event.Records[2]?.messageId,
    ]);
    expect(await leads.get(good.leadId)).toBeDefined();
    await takeAll(aws.sqs, aws.resources.routing.url, 1);
  });

  it("hands a batch's leads to routing in one request once every record is done", async () => {
    const counter = new RequestCounter();
    const fn = functionOn(aws, 'scoring');
    counter.attach(fn.clients.sqs, 'function');
    const batchScoring = wireScoring({ ...fn, config, now: () => new Date(), logger: silentLogger() });
    const intakes = Array.from({ length: 6 }, () =>
      intakeMessage({ leadId: randomUUID(), contact: uniqueContact() }),
    );
    expect((await batchScoring(sqsEvent(intakes), context())).batchItemFailures).toEqual([]);
    expect(counter.snapshot()).toEqual([
      expect.objectContaining({ operation: 'SendMessageBatch', count: 1 }),
    ]);
    const handed = await takeAll(aws.sqs, aws.resources.routing.url, 6);
    expect(handed.map((m) => RoutingMessage.parse(JSON.parse(m.Body ?? '')).leadId).sort()).toEqual(
      intakes.map((i) => i.leadId).sort(),
    );
  });

  it('retries the records whose leads it could not hand to routing, and the retry hands them over', async () => {
    // A routing queue URL that names no queue (nor one the footprint grants): the leads are stored, the hand-off fails.
    const lost = wireScoring({
      ...functionOn(aws, 'scoring'),
      env: { ...functionOn(aws, 'scoring').env, ROUTING_QUEUE_URL: `${aws.resources.routing.url}-gone` },
      config,
      now: () => new Date(),
      logger: silentLogger(),
    });
    const intakes = Array.from({ length: 3 }, () =>
      intakeMessage({ leadId: randomUUID(), contact: uniqueContact() }),
    );
    const event = sqsEvent(intakes);
    const failed = await lost(event, context());
    expect(failed.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      event.Records.map((r) => r.messageId).sort(),
    );
    for (const intake of intakes) expect(await leads.get(intake.leadId)).toBeDefined();
    expect((await scoring(sqsEvent(intakes, 2), context())).batchItemFailures).toEqual([]);
    const handed = await takeAll(aws.sqs, aws.resources.routing.url, 3);
    expect(handed.map((m) => RoutingMessage.parse(JSON.parse(m.Body ?? '')).leadId).sort()).toEqual(
      intakes.map((i) => i.leadId).sort(),
    );
  });

  it('stores a test lead but never routes it', async () => {
    const intake = intakeMessage({ test: true, contact: uniqueContact() });
    await scoring(sqsEvent([intake]), context());
    expect((await leads.get(intake.leadId))?.test).toBe(true);
    expect(await takeAll(aws.sqs, aws.resources.routing.url, 1, 1500)).toHaveLength(0);
  });
});

describe('routing', () => {
  it('assigns a lead once with its reason, whatever is redelivered', async () => {
    const stored = lead({ segments: ['gulf'] });
    await leads.create(stored);
    const message = { v: 1, leadId: stored.id };
    await routing(sqsEvent([message]), context());
    const assigned = await leads.get(stored.id);
    expect(assigned?.status).toBe('assigned');
    expect(assigned?.assignment).toMatchObject({
      poolId: 'gulf',
      reason: expect.stringContaining('pool gulf'),
    });
    expect(['sara', 'layla']).toContain(assigned?.ownerId);

    const results = await Promise.all(
      [1, 2, 3].map(() => routing(sqsEvent([message, message], 2), context())),
    );
    expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(await leads.get(stored.id)).toEqual(assigned);
  });

  it('retries a message whose lead is not stored yet instead of dropping it', async () => {
    const event = sqsEvent([{ v: 1, leadId: randomUUID() }]);
    const result = await routing(event, context());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
  });

  it('never assigns a lead twice when consumers race with duplicate deliveries', async () => {
    const batch = Array.from({ length: 120 }, () => lead({ segments: [] }));
    await Promise.all(batch.map((l) => leads.create(l)));
    // Every lead delivered twice, in shuffled batches of 10, to 6 concurrent invocations.
    const deliveries = [...batch, ...batch]
      .map((l) => ({ v: 1, leadId: l.id }))
      .sort(() => Math.random() - 0.5);
    const batches: (typeof deliveries)[] = [];
    for (let i = 0; i < deliveries.length; i += 10) batches.push(deliveries.slice(i, i + 10));
    for (let i = 0; i < batches.length; i += 6) {
      const results = await Promise.all(batches.slice(i, i + 6).map((b) => routing(sqsEvent(b), context())));
      expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);
    }
    const assigned = await Promise.all(batch.map((l) => leads.get(l.id)));
    expect(assigned.every((l) => l?.ownerId !== undefined && l.status === 'assigned')).toBe(true);
    // No two leads share a rotation slot: a slot taken by a losing duplicate is skipped, never reused.
    const slots = assigned.map((l) => l?.assignment?.counter);
    expect(new Set(slots).size).toBe(batch.length);
  });
});

function streamRecordsFor(leadId: string): Promise<DynamoDBRecord[]> {
  return streamRecords(aws, (r) => r.dynamodb?.Keys?.pk?.S === `LEAD#${leadId}`);
}

describe('nurture', () => {
  it('mails the new owner once from the real stream records, and not again when they are redelivered', async () => {
    const stored = lead({
      segments: ['gulf'],
      contact: { name: 'Noura', email: 'noura@example.com', phone: '+966501234567' },
    });
    await leads.create(stored);
    await routing(sqsEvent([{ v: 1, leadId: stored.id }]), context());
    const owner = (await leads.get(stored.id))?.ownerId;
    const records = await streamRecordsFor(stored.id);
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY']);

    const first = await nurture({ Records: records }, context('nurture'));
    expect(first.batchItemFailures).toEqual([]);
    const again = await nurture({ Records: records }, context('nurture'));
    expect(again.batchItemFailures).toEqual([]);

    const mails = await mailsForLead(stored.id);
    expect(mails).toHaveLength(1);
    const rep = config.routing.reps.find((r) => r.id === owner);
    expect(mails[0]?.destination.to).toEqual([rep?.email]);
    expect(mails[0]?.from).toBe('"leadpipe" <leads@leadpipe.example>');
    expect(mails[0]?.body.text).toContain('Noura');
  });

  it('sends nothing for an insert without an owner', async () => {
    const stored = lead();
    await leads.create(stored);
    const records = await streamRecordsFor(stored.id);
    await nurture({ Records: records }, context('nurture'));
    expect(await mailsForLead(stored.id)).toHaveLength(0);
  });
});
