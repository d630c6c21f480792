import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline } from '../../local/pipeline.ts';
import { apiOf, eventually, testPipeline } from '../support/aws.ts';
import { testConfig, testWhatsApp } from '../support/factories.ts';

// Huda's WhatsApp number is not on WhatsApp: Meta takes the message, then reports it failed (131026).
const config = testConfig({
  routing: {
    defaultPool: 'desk',
    pools: [{ id: 'desk', reps: ['huda'] }],
    reps: [
      {
        id: 'huda',
        name: 'Huda',
        email: 'huda@sales.example',
        locale: 'ar',
        timezone: 'Asia/Riyadh',
        channels: { whatsapp: '+966501230000', sms: '+966501231111' },
      },
    ],
  },
  notifications: {
    routes: { assignment: { try: ['whatsapp', 'sms'], always: ['email'] } },
    whatsapp: testWhatsApp,
    sms: { originationIdentity: 'leadpipe' },
  },
});

let pipeline: Pipeline;
const call = apiOf(() => pipeline);
type Message = { notice: string; channel: string; outcome: string; status?: string; detail?: string };

beforeAll(async () => {
  pipeline = await testPipeline('fallback', config);
});
afterAll(async () => {
  await pipeline?.stop();
});

describe('a WhatsApp message taken, then reported failed', () => {
  it('goes on to SMS, once, and the timeline shows both', async () => {
    const posted = await call('POST', '/v1/forms/demo/leads', {
      name: 'Late Failure',
      email: `fallback.${Date.now()}@example.com`,
    });
    const id = String(posted.json.leadId);
    const messages = await eventually(
      'reached by SMS after WhatsApp failed',
      async () => {
        const { json } = await call('GET', `/v1/leads/${id}`);
        const list = (json.messages ?? []) as Message[];
        return list.some((m) => m.channel === 'sms' && m.outcome === 'sent') ? list : undefined;
      },
      20_000,
    );
    expect(messages.find((m) => m.channel === 'whatsapp')).toEqual(
      expect.objectContaining({
        outcome: 'sent',
        status: 'failed',
        detail: expect.stringContaining('131026'),
      }),
    );
    const sms = pipeline.channels.sms.sent().filter((m) => m.body.includes(id));
    expect(sms).toHaveLength(1);
    expect(sms[0]?.to).toBe('+966501231111');
    // The email went once, as `always` says: not again with the fallback.
    const mails = (await pipeline.outbox()).filter(
      (m) => m.headers['X-Leadpipe-Lead'] === id && m.headers['X-Leadpipe-Mail'] === 'assignment',
    );
    expect(mails).toHaveLength(1);
  });
});
