import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalIdOf } from '../../functions/shared/crm/odoo-leads.ts';
import { type FakeOdoo, startFakeOdoo } from '../../local/fake-odoo.ts';
import type { Pipeline } from '../../local/pipeline.ts';
import { apiOf, eventually, testPipeline } from '../support/aws.ts';
import { testConfig } from '../support/factories.ts';

let odoo: FakeOdoo;
let pipeline: Pipeline;

const call = apiOf(() => pipeline);

// Sara is Odoo user 7, Layla 8, Omid 9; contacted and qualified are Odoo stages 2 and 3.
beforeAll(async () => {
  odoo = await startFakeOdoo({ db: 'acme', login: 'leadpipe@acme.example', apiKey: 'odoo-api-key-123' });
  pipeline = await testPipeline(
    'crm',
    testConfig({
      crm: {
        odoo: {
          url: odoo.url,
          db: 'acme',
          login: 'leadpipe@acme.example',
          apiKey: 'odoo-api-key-123',
          users: { sara: 7, layla: 8, omid: 9 },
          stages: { contacted: 2, qualified: 3 },
          teamId: 1,
        },
      },
      webhooks: { retrySeconds: [1, 1, 2, 2, 2], disableAfterHours: 72 },
    }),
  );
});
afterAll(async () => {
  await pipeline?.stop();
  await odoo?.stop();
});

const userOf: Record<string, number> = { sara: 7, layla: 8, omid: 9 };

async function postLead(name: string): Promise<{ id: string; ownerId: string }> {
  const posted = await call('POST', '/v1/forms/demo/leads', {
    name,
    email: `crm.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`,
    // A person of their own: the same phone would make a returning person, a touch on the first lead.
    phone: `+9665${String(10_000_000 + Math.floor(Math.random() * 89_999_999)).slice(0, 8)}`,
    company: 'Acme',
  });
  const id = String(posted.json.leadId);
  const ownerId = await eventually(`lead ${id} assigned`, async () => {
    const { json } = await call('GET', `/v1/leads/${id}`);
    return (json.lead as { ownerId?: string } | undefined)?.ownerId;
  });
  return { id, ownerId };
}

const inOdoo = (leadId: string) => odoo.leads().find((l) => l.xmlid === externalIdOf(leadId));

describe('Odoo as the team CRM', () => {
  it('gets each lead once, as a crm.lead keyed by leadpipe id, with its owner as the salesperson', async () => {
    const { id, ownerId } = await postLead('Noura Al-Qahtani');
    const lead = await eventually('in Odoo with its owner', async () => {
      const found = inOdoo(id);
      return found && found.user_id !== false ? found : undefined;
    });
    expect(lead).toEqual(
      expect.objectContaining({
        contact_name: 'Noura Al-Qahtani',
        partner_name: 'Acme',
        user_id: userOf[ownerId],
        team_id: 1,
        active: true,
      }),
    );
    expect(lead.phone).toMatch(/^\+9665/);
    // Created, assigned, the assigned status: three events, one record.
    expect(odoo.leads().filter((l) => l.xmlid === externalIdOf(id))).toHaveLength(1);
  });

  it("follows the lead's status one way, to won, and a moved lead's new owner", async () => {
    const { id, ownerId } = await postLead('Khalid Omar');
    await eventually('in Odoo', async () => inOdoo(id));
    const other = ownerId === 'sara' ? 'layla' : 'sara';
    expect(
      (await call('POST', `/v1/leads/${id}/assign`, { repId: other, by: 'mona', reason: 'covering' })).status,
    ).toBe(200);
    expect((await call('POST', `/v1/leads/${id}/events`, { type: 'contacted', by: other })).status).toBe(200);
    const contacted = await eventually('contacted stage', async () => {
      const found = inOdoo(id);
      return found?.stage_id === 2 ? found : undefined;
    });
    expect(contacted.user_id).toBe(userOf[other]);
    expect(
      (await call('POST', `/v1/leads/${id}/events`, { type: 'won', by: other, amount: 5000 })).status,
    ).toBe(200);
    const won = await eventually('won', async () => {
      const found = inOdoo(id);
      return found?.won ? found : undefined;
    });
    expect(won.expected_revenue).toBe(5000);
    expect(odoo.leads().filter((l) => l.xmlid === externalIdOf(id))).toHaveLength(1);
  });

  it('catches up in order when Odoo was down, and logs every try', async () => {
    odoo.setDown(true);
    const { id } = await postLead('Reem Salem');
    await eventually('a failed try logged', async () => {
      const { json } = await call('GET', '/v1/subscriptions/crm-odoo/deliveries');
      const failed = (json.deliveries as { leadId: string; outcome: string }[] | undefined)?.filter(
        (d) => d.leadId === id && d.outcome === 'failed',
      );
      return failed && failed.length > 0 ? failed : undefined;
    });
    expect(inOdoo(id)).toBeUndefined();
    odoo.setDown(false);
    const lead = await eventually(
      'in Odoo once back',
      async () => {
        const found = inOdoo(id);
        return found && found.user_id !== false ? found : undefined;
      },
      20_000,
    );
    expect(lead.contact_name).toBe('Reem Salem');
  }, 60_000);
});
