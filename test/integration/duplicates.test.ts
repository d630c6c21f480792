import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { wireScoring } from '../../functions/scoring/wiring.ts';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import { DynamoLeadRepository, keys } from '../../functions/shared/aws/dynamo-lead-repository.ts';
import type { Config } from '../../functions/shared/config.ts';
import type { IntakeMessage } from '../../functions/shared/lead.ts';
import { freshResources, type TestAws, takeAll } from '../support/aws.ts';
import {
  assignment,
  context,
  intakeMessage,
  silentLogger,
  sqsEvent,
  testConfig,
} from '../support/factories.ts';
import { functionOn } from '../support/handlers.ts';

let aws: TestAws;
let leads: DynamoLeadRepository;
const NOW = new Date('2026-03-19T16:00:10.000Z');

/** The scoring function as Lambda builds it, on this file's resources, with its footprint's grants only. */
function scoringWith(config: Config) {
  return wireScoring({ ...functionOn(aws, 'scoring'), config, now: () => NOW, logger: silentLogger() });
}

beforeAll(async () => {
  aws = await freshResources('dupes');
  leads = new DynamoLeadRepository(documentClient(aws.dynamodb), aws.resources.tableName);
});

function person(i: number, overrides: Partial<IntakeMessage> = {}): IntakeMessage {
  return intakeMessage({
    leadId: randomUUID(),
    contact: { name: `Person ${i}`, email: `person.${i}@example.com`, phone: `+9665${String(10000000 + i)}` },
    ...overrides,
  });
}

describe('duplicates on DynamoDB Local', () => {
  it('turn two copies of one person arriving at the same moment from two sources into one lead', async () => {
    const scoring = scoringWith(testConfig());
    const people = Array.from({ length: 20 }, (_, i) => i);
    const copies = people.flatMap((i) => [
      person(i, { source: 'web-form' }),
      person(i, { source: 'google', contact: { name: `شخص ${i}`, phone: `05${String(10000000 + i)}` } }),
    ]);
    // Each copy in its own invocation, all at once, as two Lambda instances would.
    const results = await Promise.all(copies.map((copy) => scoring(sqsEvent([copy]), context())));
    expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);

    const stored = await Promise.all(copies.map((c) => leads.get(c.leadId)));
    const created = stored.filter((l) => l !== undefined);
    expect(created).toHaveLength(20);
    for (const lead of created) {
      expect(lead.touches).toHaveLength(1);
      expect(lead.touches[0]?.source).not.toBe(lead.source);
    }
    // One routing message per person, none for the touches.
    expect(await takeAll(aws.sqs, aws.resources.routing.url, 21, 3000)).toHaveLength(20);
  });

  it('keep a returning person with their owner: the touch is recorded, nobody is assigned again', async () => {
    const scoring = scoringWith(testConfig());
    const first = person(100);
    await scoring(sqsEvent([first]), context());
    await takeAll(aws.sqs, aws.resources.routing.url, 1);
    await leads.assign(first.leadId, assignment({ repId: 'layla', counter: 1, at: NOW.toISOString() }));

    const again = person(100, { source: 'google', answers: { budget: '50000' } });
    await scoring(sqsEvent([again]), context());
    const lead = await leads.get(first.leadId);
    expect(lead).toMatchObject({
      ownerId: 'layla',
      status: 'assigned',
      answers: { budget: '50000' },
      version: 2,
    });
    expect(lead?.touches.map((t) => t.id)).toEqual([again.leadId]);
    expect(lead?.score.breakdown.map((b) => b.ruleId)).toContain('returning');
    expect(await leads.exists(again.leadId)).toBe(false);
    expect(await takeAll(aws.sqs, aws.resources.routing.url, 1, 1500)).toHaveLength(0);

    // The same touch redelivered changes nothing.
    await scoring(sqsEvent([again], 2), context());
    expect((await leads.get(first.leadId))?.version).toBe(2);
  });

  it('reopen a won or lost person as a new lead that prefers the old owner, when configured', async () => {
    const base = testConfig();
    const scoring = scoringWith({ ...base, duplicates: { ...base.duplicates, reopenClosed: true } });
    const first = person(200);
    await scoring(sqsEvent([first]), context());
    await leads.assign(first.leadId, assignment({ repId: 'omid', counter: 2, at: NOW.toISOString() }));
    await documentClient(aws.dynamodb).send(
      new PutCommand({
        TableName: aws.resources.tableName,
        Item: {
          ...keys.lead(first.leadId),
          type: 'lead',
          ...(await leads.get(first.leadId)),
          status: 'lost',
        },
      }),
    );
    const back = person(200);
    await scoring(sqsEvent([back]), context());
    expect(await leads.get(back.leadId)).toMatchObject({
      status: 'new',
      previousOwnerId: 'omid',
      touches: [],
    });
    expect((await leads.get(first.leadId))?.touches).toEqual([]);
    await takeAll(aws.sqs, aws.resources.routing.url, 2);
  });

  it('let a key expire after the window: the person is new again', async () => {
    const scoring = scoringWith(testConfig());
    const old = person(300);
    const db = documentClient(aws.dynamodb);
    await db.send(
      new PutCommand({
        TableName: aws.resources.tableName,
        Item: {
          ...keys.identity('email', 'person.300@example.com'),
          type: 'key',
          leadId: 'long-gone',
          expiresAt: 1,
        },
      }),
    );
    await scoring(sqsEvent([old]), context());
    expect(await leads.exists(old.leadId)).toBe(true);
    await takeAll(aws.sqs, aws.resources.routing.url, 1);
  });

  it("write a returning person's keys again at most once a day, and a key the lead lacked at once", async () => {
    let clock = new Date('2026-04-01T08:00:00.000Z');
    const config = testConfig();
    const scoring = wireScoring({
      ...functionOn(aws, 'scoring'),
      config,
      now: () => clock,
      logger: silentLogger(),
    });
    const db = documentClient(aws.dynamodb);
    const expiryOf = async (kind: 'email' | 'phone', value: string) =>
      (await db.send(new GetCommand({ TableName: aws.resources.tableName, Key: keys.identity(kind, value) })))
        .Item?.expiresAt as number | undefined;
    const windowSeconds = config.duplicates.windowDays * 86_400;
    const at = (d: Date) => Math.floor(d.getTime() / 1000);
    const created = clock;
    const first = person(400, { contact: { name: 'Person 400', email: 'person.400@example.com' } });
    await scoring(sqsEvent([first]), context());
    expect(await expiryOf('email', 'person.400@example.com')).toBe(at(created) + windowSeconds);

    // Two hours later, from another form, now with a phone: the new phone key is written, the email's is not.
    clock = new Date('2026-04-01T10:00:00.000Z');
    const phone = '+966510000400';
    await scoring(sqsEvent([person(400, { formId: 'demo' })]), context());
    const touched = await leads.get(first.leadId);
    expect(touched?.touches).toHaveLength(1);
    // Only the new key was written: the email's window still counts from creation, so no refresh is stamped.
    expect(touched?.keysRefreshedAt).toBeUndefined();
    expect(await expiryOf('phone', phone)).toBe(at(clock) + windowSeconds);
    expect(await expiryOf('email', 'person.400@example.com')).toBe(at(created) + windowSeconds);

    // An hour on: nothing new, and the keys were written an hour ago, so none is written.
    clock = new Date('2026-04-01T11:00:00.000Z');
    await scoring(sqsEvent([person(400)]), context());
    expect((await leads.get(first.leadId))?.touches).toHaveLength(2);
    expect(await expiryOf('email', 'person.400@example.com')).toBe(at(created) + windowSeconds);

    // A day after all the keys were written (at creation), every key's window starts over.
    clock = new Date('2026-04-02T10:00:00.000Z');
    await scoring(sqsEvent([person(400)]), context());
    const later = await leads.get(first.leadId);
    expect(later?.touches).toHaveLength(3);
    expect(later?.keysRefreshedAt).toBe(clock.toISOString());
    expect(await expiryOf('email', 'person.400@example.com')).toBe(at(clock) + windowSeconds);
    expect(await expiryOf('phone', phone)).toBe(at(clock) + windowSeconds);
    await takeAll(aws.sqs, aws.resources.routing.url, 1);
  });

  it('never merge two people who share a role address such as info@', async () => {
    const scoring = scoringWith(testConfig());
    const a = intakeMessage({ contact: { name: 'Ahmad', email: 'info@company.sa' } });
    const b = intakeMessage({ contact: { name: 'Bahar', email: 'info@company.sa' } });
    await scoring(sqsEvent([a]), context());
    await scoring(sqsEvent([b]), context());
    expect(await leads.exists(a.leadId)).toBe(true);
    expect(await leads.exists(b.leadId)).toBe(true);
    await takeAll(aws.sqs, aws.resources.routing.url, 2);
  });
});
