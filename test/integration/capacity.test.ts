import { beforeAll, describe, expect, it } from 'vitest';
import type { createOpsHandler } from '../../functions/ops/handler.ts';
import type { DynamoLeadRepository } from '../../functions/shared/aws/dynamo-lead-repository.ts';
import type { DynamoRepRepository } from '../../functions/shared/aws/dynamo-rep-repository.ts';
import { freshResources, type TestAws } from '../support/aws.ts';
import { assignment, context, httpEvent, lead, testConfig } from '../support/factories.ts';
import { opsOn } from '../support/handlers.ts';

// Reps with a capacity keep a count of the open leads they own; it changes only in the transaction that
// changes the owner or closes the lead, so no failure between two writes can leave it wrong.

const config = testConfig({
  routing: {
    defaultPool: 'default',
    pools: [{ id: 'default', reps: ['sara', 'omid'] }],
    reps: [
      {
        id: 'sara',
        name: 'Sara',
        email: 'sara@sales.example',
        locale: 'ar',
        timezone: 'Asia/Riyadh',
        capacity: { maxOpen: 50 },
      },
      {
        id: 'omid',
        name: 'Omid',
        email: 'omid@sales.example',
        locale: 'fa',
        timezone: 'Asia/Tehran',
        capacity: { maxOpen: 50 },
      },
    ],
  },
});
const NOW = new Date('2026-03-19T16:00:00.000Z');
let aws: TestAws;
let leads: DynamoLeadRepository;
let reps: DynamoRepRepository;
let ops: ReturnType<typeof createOpsHandler>;

beforeAll(async () => {
  aws = await freshResources('capacity');
  ({ ops, leads, reps } = await opsOn(aws, config, () => NOW));
});

function post(path: string, routeKey: string, leadId: string, body: unknown) {
  return ops(
    httpEvent({
      method: 'POST',
      path,
      routeKey: `POST ${routeKey}`,
      pathParameters: { leadId },
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
    context('ops'),
  );
}
const move = (leadId: string, repId: string) =>
  post(`/v1/leads/${leadId}/assign`, '/v1/leads/{leadId}/assign', leadId, {
    repId,
    by: 'manager',
    reason: 'territory',
  });
const close = (leadId: string, type: 'won' | 'lost') =>
  post(`/v1/leads/${leadId}/events`, '/v1/leads/{leadId}/events', leadId, {
    type,
    by: 'sara',
    ...(type === 'lost' ? { reason: 'budget' } : {}),
  });

async function openLeads(repId: string): Promise<number> {
  return (await reps.get(repId))?.openLeads ?? 0;
}

async function assignedTo(repId: string): Promise<string> {
  const stored = lead();
  await leads.create(stored);
  expect(await leads.assign(stored.id, assignment({ repId }), { repId, maxOpen: 50 })).toBe('assigned');
  return stored.id;
}

describe("reps' open-lead counts", () => {
  it('follow a lead moved by hand: one place back to the old owner, one taken by the new', async () => {
    const [sara, omid] = [await openLeads('sara'), await openLeads('omid')];
    const id = await assignedTo('sara');
    expect(await openLeads('sara')).toBe(sara + 1);
    expect((await move(id, 'omid')).statusCode).toBe(200);
    expect([await openLeads('sara'), await openLeads('omid')]).toEqual([sara, omid + 1]);
  });

  it('go down once when a lead closes, however often the close is retried', async () => {
    const id = await assignedTo('sara');
    const before = await openLeads('sara');
    expect((await close(id, 'won')).statusCode).toBe(200);
    expect((await close(id, 'won')).statusCode).toBe(200);
    expect(await openLeads('sara')).toBe(before - 1);
  });

  it('do not move when the owner change is refused: nothing is half-done', async () => {
    const id = await assignedTo('sara');
    const current = await leads.get(id);
    if (current?.assignment === undefined) throw new Error('not assigned');
    const before = [await openLeads('sara'), await openLeads('omid')];
    // Another owner meanwhile: the transaction is cancelled as a whole.
    const stale = { ownerId: 'omid', assignment: current.assignment };
    const outcome = await leads.reassign(id, assignment({ repId: 'omid', at: NOW.toISOString() }), stale, {
      release: 'sara',
      take: { repId: 'omid', maxOpen: 50 },
    });
    expect(outcome).toBe('conflict');
    expect([await openLeads('sara'), await openLeads('omid')]).toEqual(before);
  });
});

describe('a closed lead', () => {
  it.each(['won', 'lost'] as const)(
    'is not moved once %s: 409, no mail, no clock, no count change',
    async (status) => {
      const id = await assignedTo('sara');
      expect((await close(id, status)).statusCode).toBe(200);
      const before = [await openLeads('sara'), await openLeads('omid')];
      const response = await move(id, 'omid');
      expect(response.statusCode).toBe(409);
      expect(JSON.parse(response.body ?? '{}').error.code).toBe('lead_closed');
      expect((await leads.get(id))?.ownerId).toBe('sara');
      expect([await openLeads('sara'), await openLeads('omid')]).toEqual(before);
    },
  );

  it('is refused by the repository too, whoever asks (an escalation racing a close)', async () => {
    const id = await assignedTo('sara');
    const current = await leads.get(id);
    if (current?.assignment === undefined) throw new Error('not assigned');
    expect((await close(id, 'lost')).statusCode).toBe(200);
    expect(await leads.reassign(id, assignment({ repId: 'omid' }), current)).toBe('conflict');
  });
});
