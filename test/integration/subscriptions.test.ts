import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBSCRIPTIONS_CACHE_MS } from '../../functions/nurture/webhooks.ts';
import { messagesIn } from '../../local/chaos.ts';
import type { Pipeline } from '../../local/pipeline.ts';
import { redrive } from '../../local/redrive.ts';
import { apiOf, eventually, testPipeline } from '../support/aws.ts';
import { testConfig } from '../support/factories.ts';

// Retries a second or two apart instead of minutes and hours, so "down for minutes" fits in a test.
const config = testConfig({ webhooks: { retrySeconds: [1, 2, 2, 2, 2, 2], disableAfterHours: 72 } });

type Received = {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  type: string;
  leadId: string;
};

/** A subscriber's endpoint on loopback: records what it gets, and can be down (503) or gone (410). */
class Receiver {
  server: Server;
  received: Received[] = [];
  answer = 200;
  constructor() {
    this.server = createServer(async (req: IncomingMessage, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      if (this.answer === 200) {
        const parsed = JSON.parse(body) as { type: string; data: { id: string } };
        this.received.push({
          id: String(req.headers['webhook-id']),
          timestamp: String(req.headers['webhook-timestamp']),
          signature: String(req.headers['webhook-signature']),
          body,
          type: parsed.type,
          leadId: parsed.data.id,
        });
      }
      res.writeHead(this.answer).end();
    });
  }
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }
  forLead(leadId: string) {
    return this.received.filter((r) => r.leadId === leadId);
  }
}

let pipeline: Pipeline;
const receiver = new Receiver();
let url: string;
type Json = Record<string, unknown>;

const call = apiOf(() => pipeline);

async function subscribe(events: string[], target = url): Promise<{ id: string; secret: string }> {
  const { status, json } = await call('POST', '/v1/subscriptions', { url: target, events, by: 'mona' });
  expect(status).toBe(201);
  // A warm nurture function hears of a new subscription within SUBSCRIPTIONS_CACHE_MS.
  await new Promise((r) => setTimeout(r, SUBSCRIPTIONS_CACHE_MS + 200));
  return { id: String(json.id), secret: String(json.secret) };
}

let people = 0;
async function assignedLead(name: string): Promise<string> {
  people++;
  const posted = await call('POST', '/v1/forms/demo/leads', {
    name,
    email: `sub.${people}.${Date.now()}@example.com`,
  });
  const id = String(posted.json.leadId);
  await eventually(`lead ${id} assigned`, async () => {
    const { json } = await call('GET', `/v1/leads/${id}`);
    return (json.lead as { ownerId?: string } | undefined)?.ownerId;
  });
  return id;
}

beforeAll(async () => {
  url = await receiver.start();
  pipeline = await testPipeline('subscriptions', config);
});
afterAll(async () => {
  await pipeline?.stop();
  receiver.server.close();
});

describe('outbound webhooks', () => {
  let subscription: { id: string; secret: string };

  it('subscribe a URL to lead events and answer with a Standard Webhooks secret, shown once', async () => {
    subscription = await subscribe(['lead.created', 'lead.assigned', 'lead.status_changed', 'lead.won']);
    expect(subscription.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const { json } = await call('GET', '/v1/subscriptions');
    const listed = (json.subscriptions as Json[]).find((s) => s.id === subscription.id);
    expect(listed).toEqual(expect.objectContaining({ url, status: 'active' }));
    expect(listed).not.toHaveProperty('secret');
  });

  it('deliver each event signed as the specification says, in the lead order', async () => {
    const leadId = await assignedLead('Webhook Person');
    const got = await eventually('created, assigned, its status', async () => {
      const events = receiver.forLead(leadId);
      return events.length >= 3 ? events : undefined;
    });
    // Created, then assigned, which is a status too.
    expect(got.map((e) => e.type)).toEqual(['lead.created', 'lead.assigned', 'lead.status_changed']);
    const verifier = new Webhook(subscription.secret);
    for (const event of got) {
      const verified = verifier.verify(event.body, {
        'webhook-id': event.id,
        'webhook-timestamp': event.timestamp,
        'webhook-signature': event.signature,
      }) as { type: string; data: Json };
      expect(verified.type).toBe(event.type);
      expect(event.id).toMatch(/^msg_/);
      expect(verified.data).toEqual(expect.objectContaining({ id: leadId, name: 'Webhook Person' }));
    }
    // Tampered, it no longer verifies.
    const [first] = got;
    expect(() =>
      verifier.verify(`${first?.body} `, {
        'webhook-id': first?.id ?? '',
        'webhook-timestamp': first?.timestamp ?? '',
        'webhook-signature': first?.signature ?? '',
      }),
    ).toThrow();
  });

  it('reach a subscriber that was down, every event once, in order, each try logged', async () => {
    receiver.answer = 503;
    const leadId = await assignedLead('Down Time');
    for (const type of ['contacted', 'qualified', 'won'] as const)
      expect(
        (
          await call('POST', `/v1/leads/${leadId}/events`, {
            type,
            by: 'sara',
            ...(type === 'won' ? { amount: 1000 } : {}),
          })
        ).status,
      ).toBe(200);
    // Down while the lead was created, assigned, contacted, qualified and won: tries fail and wait their turn.
    await eventually('failures logged', async () => {
      const { json } = await call('GET', `/v1/subscriptions/${subscription.id}/deliveries`);
      const failed = (json.deliveries as { outcome: string; leadId: string }[]).filter(
        (d) => d.outcome === 'failed' && d.leadId === leadId,
      );
      return failed.length >= 2 ? failed : undefined;
    });
    receiver.answer = 200;
    const got = await eventually(
      'all delivered once back',
      async () => {
        const events = receiver.forLead(leadId);
        return events.length >= 7 ? events : undefined;
      },
      30_000,
    );
    // Assigned (a status too), contacted, qualified, won.
    expect(got.map((e) => e.type)).toEqual([
      'lead.created',
      'lead.assigned',
      'lead.status_changed',
      'lead.status_changed',
      'lead.status_changed',
      'lead.status_changed',
      'lead.won',
    ]);
    expect(got.map((e) => (JSON.parse(e.body) as { data: { status: string } }).data.status)).toEqual([
      'new',
      'assigned',
      'assigned',
      'contacted',
      'qualified',
      'won',
      'won',
    ]);
    expect(new Set(got.map((e) => e.id)).size).toBe(got.length);
    const { json } = await call('GET', `/v1/subscriptions/${subscription.id}/deliveries?limit=500`);
    const ours = (
      json.deliveries as { outcome: string; leadId: string; status: number; attempt: number }[]
    ).filter((d) => d.leadId === leadId);
    expect(ours.filter((d) => d.outcome === 'delivered')).toHaveLength(7);
    expect(ours.some((d) => d.outcome === 'failed' && d.status === 503 && d.attempt >= 1)).toBe(true);
  }, 90_000);

  it('refuse URLs into private networks or the metadata service, and plain HTTP outside loopback', async () => {
    for (const target of [
      'http://169.254.169.254/latest/meta-data/',
      'https://10.0.0.5/hook',
      'https://[fd00::1]/hook',
      'http://example.com/hook',
    ]) {
      const { status, json } = await call('POST', '/v1/subscriptions', {
        url: target,
        events: ['lead.created'],
      });
      expect(status, target).toBe(400);
      expect(JSON.stringify(json), target).toMatch(/url_refused|validation_failed/);
    }
    const unknown = await call('POST', '/v1/subscriptions', { url, events: ['lead.exploded'] });
    expect(unknown.status).toBe(400);
  });

  it('stop for a subscriber that answers 410 Gone, and say so', async () => {
    const gone = new Receiver();
    gone.answer = 410;
    const goneUrl = await gone.start();
    try {
      const doomed = await subscribe(['lead.created'], goneUrl);
      await assignedLead('Gone Away');
      const disabled = await eventually('disabled', async () => {
        const { json } = await call('GET', '/v1/subscriptions');
        const found = (json.subscriptions as Json[]).find((s) => s.id === doomed.id);
        return found?.status === 'disabled' ? found : undefined;
      });
      expect(disabled.disabledReason).toContain('410');
    } finally {
      gone.server.close();
    }
  });

  it('park an event in the timer DLQ after its last try, and deliver it when the DLQ is redriven', async () => {
    const flaky = new Receiver();
    flaky.answer = 500;
    const flakyUrl = await flaky.start();
    const sqs = new SQSClient({});
    try {
      const parked = await subscribe(['lead.created'], flakyUrl);
      const leadId = await assignedLead('Parked Event');
      // Six tries a second or two apart, then the timer's own receives: the DLQ gets it.
      await eventually(
        'in the DLQ',
        async () => ((await messagesIn(sqs, pipeline.resources.timersDlq.url)) > 0 ? true : undefined),
        60_000,
      );
      flaky.answer = 200;
      expect(
        await redrive(sqs, pipeline.resources.timersDlq.url, pipeline.resources.timers.url),
      ).toBeGreaterThan(0);
      const got = await eventually('delivered after the redrive', async () => {
        const events = flaky.forLead(leadId);
        return events.length > 0 ? events : undefined;
      });
      expect(got.map((e) => e.type)).toEqual(['lead.created']);
      expect((await call('DELETE', `/v1/subscriptions/${parked.id}`)).status).toBe(200);
    } finally {
      sqs.destroy();
      flaky.server.close();
    }
  }, 90_000);
});
