import { beforeAll, describe, expect, it } from 'vitest';
import type { createOpsHandler } from '../../functions/ops/handler.ts';
import type { DynamoLeadRepository } from '../../functions/shared/aws/dynamo-lead-repository.ts';
import { freshResources, type TestAws, takeAll } from '../support/aws.ts';
import { assignment, context, httpEvent, lead, testConfig } from '../support/factories.ts';
import { opsOn } from '../support/handlers.ts';

const config = testConfig();
const NOW = new Date('2026-03-19T16:00:00.000Z');
let aws: TestAws;
let leads: DynamoLeadRepository;
let ops: ReturnType<typeof createOpsHandler>;

beforeAll(async () => {
  aws = await freshResources('ops');
  ({ ops, leads } = await opsOn(aws, config, () => NOW));
});

function call(
  method: string,
  path: string,
  routeKey: string,
  pathParameters: Record<string, string>,
  body?: unknown,
) {
  return ops(
    httpEvent({
      method,
      path,
      routeKey: `${method} ${routeKey}`,
      pathParameters,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
    context('ops'),
  );
}

const json = (response: { body?: string }) => JSON.parse(response.body ?? '{}');

describe('the ops API', () => {
  it('reads a lead, and answers 404 for one that does not exist', async () => {
    const stored = lead();
    await leads.create(stored);
    const found = await call('GET', `/v1/leads/${stored.id}`, '/v1/leads/{leadId}', { leadId: stored.id });
    expect(found.statusCode).toBe(200);
    expect(json(found).lead.id).toBe(stored.id);
    const missing = await call('GET', '/v1/leads/nope', '/v1/leads/{leadId}', { leadId: 'nope' });
    expect(missing.statusCode).toBe(404);
    expect(json(missing).error.code).toBe('unknown_lead');
  });

  it('moves a lead by hand, recording who moved it, why, and the assignment it replaced', async () => {
    const stored = lead();
    await leads.create(stored);
    const first = assignment({ repId: 'sara' });
    await leads.assign(stored.id, first);
    const response = await call(
      'POST',
      `/v1/leads/${stored.id}/assign`,
      '/v1/leads/{leadId}/assign',
      { leadId: stored.id },
      {
        repId: 'omid',
        by: 'Mina (sales manager)',
        reason: 'speaks Persian\r\nBcc: x',
      },
    );
    expect(response.statusCode).toBe(200);
    const moved = json(response).lead;
    expect(moved.ownerId).toBe('omid');
    expect(moved.assignment).toMatchObject({
      repId: 'omid',
      rule: 'manual',
      by: 'Mina (sales manager)',
      reason: 'moved by Mina (sales manager) from sara: speaks Persian Bcc: x',
      counter: 0,
    });
    expect(moved.history).toEqual([first]);
  });

  it('refuses a move without a reason, or to a rep who does not exist', async () => {
    const stored = lead();
    await leads.create(stored);
    const noReason = await call(
      'POST',
      `/v1/leads/${stored.id}/assign`,
      '/v1/leads/{leadId}/assign',
      { leadId: stored.id },
      { repId: 'omid', by: 'x' },
    );
    expect(noReason.statusCode).toBe(400);
    expect(json(noReason).error.issues).toEqual([{ path: 'reason', message: expect.any(String) }]);
    const ghost = await call(
      'POST',
      `/v1/leads/${stored.id}/assign`,
      '/v1/leads/{leadId}/assign',
      { leadId: stored.id },
      { repId: 'ghost', by: 'x', reason: 'because' },
    );
    expect(ghost.statusCode).toBe(404);
  });

  it('pauses and resumes a rep, and sends the leads waiting for them back to routing', async () => {
    const paused = await call(
      'POST',
      '/v1/reps/layla/pause',
      '/v1/reps/{repId}/pause',
      { repId: 'layla' },
      { reason: 'on leave', by: 'mina' },
    );
    expect(json(paused).rep).toMatchObject({
      id: 'layla',
      active: false,
      pausedReason: 'on leave',
      updatedBy: 'mina',
    });
    const waiting = lead();
    await leads.create(waiting);
    await leads.markUnassigned(waiting.id, 'default', NOW);

    const resumed = await call(
      'POST',
      '/v1/reps/layla/resume',
      '/v1/reps/{repId}/resume',
      { repId: 'layla' },
      {},
    );
    expect(json(resumed)).toMatchObject({ rep: { active: true }, waitingLeadsRequeued: 1 });
    expect(json(resumed).rep.pausedReason).toBeUndefined();
    const [message] = await takeAll(aws.sqs, aws.resources.routing.url, 1);
    expect(JSON.parse(message?.Body ?? '')).toEqual({ v: 1, leadId: waiting.id });
  });

  it('adds a rep to a pool and changes a rep, validating every field', async () => {
    const added = await call(
      'POST',
      '/v1/reps',
      '/v1/reps',
      {},
      { id: 'nadia', name: 'Nadia', email: 'nadia@sales.example', pools: ['gulf'], locale: 'ar' },
    );
    expect(added.statusCode).toBe(201);
    expect(json(added).rep).toMatchObject({ id: 'nadia', pools: ['gulf'], openLeads: 0 });
    expect(
      (await call('POST', '/v1/reps', '/v1/reps', {}, { id: 'nadia', name: 'N', email: 'n@x.example' }))
        .statusCode,
    ).toBe(409);

    const changed = await call(
      'PATCH',
      '/v1/reps/nadia',
      '/v1/reps/{repId}',
      { repId: 'nadia' },
      { weight: 3, capacity: { maxOpen: 20 } },
    );
    expect(json(changed).rep).toMatchObject({ weight: 3, capacity: { maxOpen: 20 } });
    const bad = await call(
      'PATCH',
      '/v1/reps/nadia',
      '/v1/reps/{repId}',
      { repId: 'nadia' },
      { weight: 0, colour: 'blue' },
    );
    expect(bad.statusCode).toBe(400);
    expect(
      json(bad)
        .error.issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(['(top level)', 'weight']);
    const list = await call('GET', '/v1/reps', '/v1/reps', {});
    expect(
      json(list)
        .reps.map((r: { id: string }) => r.id)
        .sort(),
    ).toEqual(['layla', 'nadia', 'omid', 'sara']);
  });
});
