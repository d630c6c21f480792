import { beforeAll, describe, expect, it } from 'vitest';
import type { createOpsHandler } from '../../functions/ops/handler.ts';
import { resultPage } from '../../functions/ops/pages.ts';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import type { DynamoLeadRepository } from '../../functions/shared/aws/dynamo-lead-repository.ts';
import { DynamoWorkspace } from '../../functions/shared/aws/dynamo-workspace.ts';
import { signAction } from '../../functions/shared/links.ts';
import { freshResources, type TestAws } from '../support/aws.ts';
import { assignment, context, httpEvent, lead, testConfig } from '../support/factories.ts';
import { opsOn } from '../support/handlers.ts';

const config = testConfig();
const NOW = new Date('2026-03-19T16:10:00.000Z');
let aws: TestAws;
let leads: DynamoLeadRepository;
let ops: ReturnType<typeof createOpsHandler>;
let workspace: DynamoWorkspace;

beforeAll(async () => {
  aws = await freshResources('links');
  ({ ops, leads } = await opsOn(aws, config, () => NOW));
  workspace = new DynamoWorkspace(documentClient(aws.dynamodb), aws.resources.tableName);
});

async function assigned() {
  const stored = lead();
  await leads.create(stored);
  await leads.assign(stored.id, assignment({ repId: 'omid' }));
  return stored.id;
}

function click(
  method: 'GET' | 'POST',
  leadId: string,
  action: string,
  token: string,
  form: Record<string, string> = {},
) {
  const path = `/v1/leads/${leadId}/actions/${action}`;
  return ops(
    {
      ...httpEvent({
        method,
        path,
        routeKey: `${method} /v1/leads/{leadId}/actions/{action}`,
        pathParameters: { leadId, action },
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        ...(method === 'POST' ? { body: new URLSearchParams({ token, ...form }).toString() } : {}),
      }),
      ...(method === 'GET' ? { queryStringParameters: { token } } : {}),
    },
    context('ops'),
  );
}

/** An assigned lead and the contacted link its owner was mailed, bound to that assignment. */
async function mailedLink() {
  const id = await assigned();
  const first = (await leads.get(id))?.assignment;
  if (first === undefined) throw new Error('not assigned');
  const grant = { leadId: id, action: 'contacted' as const, repId: 'omid', assignmentAt: first.at };
  const link = signAction(
    { ...grant, expiresAt: Math.floor(NOW.getTime() / 1000) + 3600 },
    config.mail.linkSigningKey,
  );
  return { id, first, link };
}

const tokenFor = (
  leadId: string,
  action: 'contacted' | 'lost',
  expiresAt = Math.floor(NOW.getTime() / 1000) + 3600,
) => signAction({ leadId, action, repId: 'omid', expiresAt }, config.mail.linkSigningKey);

describe('action links from the assignment email', () => {
  it('show a confirm page on GET and change nothing, so mail scanners cannot act', async () => {
    const id = await assigned();
    const response = await click('GET', id, 'contacted', tokenFor(id, 'contacted'));
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    });
    expect(response.body).toContain('<html lang="fa" dir="rtl">');
    expect((await leads.get(id))?.status).toBe('assigned');
  });

  it('record the status on POST, as the rep the link was made for, once', async () => {
    const id = await assigned();
    const token = tokenFor(id, 'contacted');
    expect((await click('POST', id, 'contacted', token)).statusCode).toBe(200);
    expect(await leads.get(id)).toMatchObject({
      status: 'contacted',
      firstContactAt: NOW.toISOString(),
      statusHistory: [{ status: 'contacted', by: 'omid', at: NOW.toISOString() }],
    });
    const again = await click('POST', id, 'contacted', token);
    expect(again.body).toContain('چیزی برای تغییر نیست');
    expect((await leads.get(id))?.statusHistory).toHaveLength(1);
  });

  it('ask again for a reason before a lead is lost, and keep the competitor', async () => {
    const id = await assigned();
    const token = tokenFor(id, 'lost');
    expect((await click('POST', id, 'lost', token)).statusCode).toBe(400);
    expect(
      (await click('POST', id, 'lost', token, { reason: 'chose a competitor', competitor: 'Acme CRM' }))
        .statusCode,
    ).toBe(200);
    expect((await leads.get(id))?.statusHistory.at(-1)).toMatchObject({
      status: 'lost',
      reason: 'chose a competitor',
      competitor: 'Acme CRM',
    });
  });

  it('refuse a forged, misdirected or expired link', async () => {
    const id = await assigned();
    expect((await click('POST', id, 'contacted', 'forged.token')).statusCode).toBe(403);
    expect((await click('POST', id, 'lost', tokenFor(id, 'contacted'))).statusCode).toBe(403);
    expect((await click('GET', id, 'contacted', tokenFor(id, 'contacted', 1))).statusCode).toBe(410);
    expect((await click('GET', id, 'dance', tokenFor(id, 'contacted'))).statusCode).toBe(404);
    expect((await leads.get(id))?.status).toBe('assigned');
  });

  it("stop acting for the first owner once the lead moved, and say so: the new owner's clock runs on", async () => {
    const { id, first, link } = await mailedLink();
    const moved = assignment({ repId: 'sara', rule: 'manual', at: '2026-03-19T16:05:00.000Z' });
    expect(await leads.reassign(id, moved, { ownerId: 'omid', assignment: first })).toBe('moved');
    for (const method of ['GET', 'POST'] as const) {
      const response = await click(method, id, 'contacted', link);
      expect(response.statusCode).toBe(409);
      expect(response.body).toBe(resultPage('fa', 'moved', 'contacted'));
    }
    expect((await leads.get(id))?.status).toBe('assigned');
    expect((await leads.get(id))?.firstContactAt).toBeUndefined();
  });

  it('stop acting for an earlier assignment of the same rep (the lead came back to them)', async () => {
    const { id, first, link } = await mailedLink();
    const again = assignment({ repId: 'omid', rule: 'manual', at: '2026-03-19T16:06:00.000Z' });
    expect(await leads.reassign(id, again, { ownerId: 'omid', assignment: first })).toBe('moved');
    expect((await click('POST', id, 'contacted', link)).statusCode).toBe(409);
  });
});

describe('call back later, from the assignment email', () => {
  it("asks for a time, plans a call at that time in the rep's zone, and plans it once however often it is sent", async () => {
    const id = await assigned();
    const at = (await leads.get(id))?.assignment?.at;
    const link = signAction(
      {
        leadId: id,
        action: 'later',
        repId: 'omid',
        expiresAt: Math.floor(NOW.getTime() / 1000) + 3600,
        ...(at ? { assignmentAt: at } : {}),
      },
      config.mail.linkSigningKey,
    );
    const asked = await click('GET', id, 'later', link);
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('type="datetime-local" name="dueAt"');
    // Omid is in Tehran (UTC+3:30): 10:30 there is 07:00 UTC.
    const planned = await click('POST', id, 'later', link, { dueAt: '2026-03-20T10:30' });
    expect(planned.statusCode).toBe(200);
    expect(planned.body).toContain(resultPage('fa', 'done', 'later').match(/<p>(.*)<\/p>/)?.[1] ?? '?');
    const again = await click('POST', id, 'later', link, { dueAt: '2026-03-20T10:30' });
    expect(again.statusCode).toBe(200);
    const { tasks } = await workspace.timeline(id);
    expect(tasks).toEqual([
      expect.objectContaining({
        type: 'call',
        dueAt: '2026-03-20T07:00:00.000Z',
        ownerId: 'omid',
        status: 'open',
      }),
    ]);
    expect((await click('POST', id, 'later', link, { dueAt: 'soon' })).statusCode).toBe(400);
  });
});
