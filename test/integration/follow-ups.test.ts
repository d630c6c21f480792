import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import { timerKeys } from '../../functions/shared/aws/dynamo-timer-store.ts';
import type { Lead } from '../../functions/shared/lead.ts';
import { type OutboxMail, type Pipeline, startPipeline } from '../../local/pipeline.ts';
import { eventually, TEST_QUEUE_VISIBILITY_SECONDS, testEmulators } from '../support/aws.ts';
import { testConfig } from '../support/factories.ts';

// Clocks of seconds (minutes may be fractional), so deadlines pass while the test watches.
const config = testConfig({
  routing: {
    defaultPool: 'desk',
    pools: [
      {
        id: 'desk',
        reps: ['sara', 'layla'],
        manager: { name: 'Mona', email: 'mona@sales.example', locale: 'ar' },
      },
    ],
    reps: [
      { id: 'sara', name: 'Sara', email: 'sara@sales.example', locale: 'ar', timezone: 'Asia/Riyadh' },
      { id: 'layla', name: 'Layla', email: 'layla@sales.example', locale: 'en', timezone: 'Asia/Dubai' },
    ],
  },
  sla: { firstContactMinutes: 0.05, escalateAfterMinutes: 0.1 },
  nurture: {
    sequences: [
      {
        id: 'welcome',
        locales: ['en', 'ar'],
        lawfulBasis: 'consent',
        stopWhen: 'closed',
        steps: [
          { afterMinutes: 0.02, template: 'hello' },
          { afterMinutes: 0.06, template: 'case-study' },
          { afterMinutes: 0.06, template: 'case-study' },
        ],
      },
    ],
    templates: {
      hello: {
        en: {
          subject: 'Welcome, {{firstName}}',
          body: 'Hello {{firstName}},\n\nThanks for asking about {{company}}.',
        },
        ar: { subject: 'أهلًا {{firstName}}', body: 'مرحبًا {{firstName}}،\n\nشكرًا لاهتمامك.' },
      },
      'case-study': {
        en: { subject: 'How others did it', body: 'A short story for {{name}}.' },
        ar: { subject: 'قصة نجاح', body: 'قصة قصيرة لـ {{name}}.' },
      },
    },
  },
});

let pipeline: Pipeline;

beforeAll(async () => {
  pipeline = await startPipeline({
    config,
    emulators: testEmulators(),
    queueVisibilitySeconds: TEST_QUEUE_VISIBILITY_SECONDS,
    prefix: `t-follow-${Date.now().toString(36)}`,
    sweepIntervalMs: 200,
    onError: () => undefined,
  });
}, 60_000);

afterAll(async () => {
  await pipeline?.stop();
});

let people = 0;
async function postLead(fields: Record<string, string>): Promise<string> {
  people++;
  const response = await fetch(`${pipeline.url}/v1/forms/demo/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      phone: `+9715${String(50000000 + people + Math.floor(Math.random() * 1e6))}`,
      ...fields,
    }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { leadId: string }).leadId;
}

/** The stored lead; before scoring has stored it, an empty stand-in (no owner, nothing followed up). */
async function getLead(id: string): Promise<Lead> {
  const response = await fetch(`${pipeline.url}/v1/leads/${id}`);
  if (response.status === 404) return { id, followUps: [], history: [] } as unknown as Lead;
  return ((await response.json()) as { lead: Lead }).lead;
}

/** The follow-up that records why the lead's sequence stopped, once there is one. */
function sequenceStop(id: string) {
  return eventually(
    'the sequence to stop',
    async () => (await getLead(id)).followUps.find((f) => f.kind === 'nurture-stopped'),
    15_000,
  );
}

async function mailsOf(leadId: string): Promise<OutboxMail[]> {
  return (await pipeline.outbox()).filter((m) => m.headers['X-Leadpipe-Lead'] === leadId);
}

describe('SLA clock', () => {
  it('reminds the owner at the deadline, then escalates: the manager hears and the next rep gets the lead', async () => {
    const id = await postLead({ name: 'Huda Test', email: `huda.${Date.now()}@example.com` });
    const assigned = await eventually('the assignment', async () => (await getLead(id)).assignment);
    const first = assigned.repId;
    expect(assigned.sla?.minutes).toBe(0.05);
    expect(Date.parse(assigned.sla?.dueAt ?? '') - Date.parse(assigned.at)).toBe(3000);

    const lead = await eventually(
      'the escalation',
      async () => {
        const l = await getLead(id);
        return l.ownerId !== first ? l : undefined;
      },
      20_000,
    );
    expect(lead.assignment?.rule).toBe('escalation');
    expect(lead.history[0]?.repId).toBe(first);
    expect(lead.followUps.map((f) => f.kind)).toEqual(['sla-reminder', 'sla-escalation']);
    expect(lead.followUps[1]?.detail).toBe('manager notified; passed to the next rep');

    const mails = await eventually('the mails', async () => {
      const all = await mailsOf(id);
      return all.length >= 4 ? all : undefined;
    });
    const repEmail = (repId: string) => config.routing.reps.find((r) => r.id === repId)?.email;
    const to = mails.map((m) => m.to[0]);
    // Assignment to the first rep, the reminder to them, the manager's escalation, the new owner's assignment.
    expect(to.filter((t) => t === repEmail(first))).toHaveLength(2);
    expect(to).toContain('mona@sales.example');
    expect(to).toContain(repEmail(lead.ownerId ?? ''));
    const manager = mails.find((m) => m.to[0] === 'mona@sales.example');
    expect(manager?.html).toContain('lang="ar" dir="rtl"');

    // The new owner misses their deadline too: the manager hears again, but the lead is passed on only once.
    const second = await eventually(
      'the second escalation',
      async () => (await getLead(id)).followUps.filter((f) => f.kind === 'sla-escalation')[1],
      20_000,
    );
    expect(second.detail).toBe('manager notified');
    expect((await getLead(id)).ownerId).toBe(lead.ownerId);
  }, 60_000);

  it('stops when the rep makes contact: no reminder, no escalation', async () => {
    const id = await postLead({ name: 'Fast Contact', email: `fast.${Date.now()}@example.com` });
    await eventually('the assignment', async () => (await getLead(id)).assignment);
    const response = await fetch(`${pipeline.url}/v1/leads/${id}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'contacted', by: 'test' }),
    });
    expect(response.status).toBe(200);
    // The reminder fires at its deadline and records that it had nothing to do (a recorded outcome, not a nap);
    // only a reminder that acts starts the escalation, so there is no escalation timer at all.
    const assignment = (await getLead(id)).assignment;
    expect(await timerOutcome(`sla-reminder#${id}#${assignment?.at}`)).toMatch(/^moot/);
    expect(await timerItem(`sla-escalation#${id}#${assignment?.at}`)).toBeUndefined();
    const lead = await getLead(id);
    expect(lead.followUps.filter((f) => f.kind.startsWith('sla'))).toEqual([]);
    expect(lead.history).toEqual([]);
    expect((await mailsOf(id)).filter((m) => /Reminder|Escalation/.test(m.subject))).toEqual([]);
  }, 20_000);
});

async function timerItem(timerId: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient(new DynamoDBClient({})).send(
    new GetCommand({
      TableName: pipeline.resources.tableName,
      Key: timerKeys.timer(timerId),
      ConsistentRead: true,
    }),
  );
  return Item;
}

/** The outcome a fired timer recorded (the table keeps it 30 days), waited for. */
async function timerOutcome(timerId: string): Promise<string> {
  return eventually(`timer ${timerId} fired`, async () => {
    const item = await timerItem(timerId);
    return item?.outcome === undefined ? undefined : String(item.outcome);
  });
}

describe('nurture sequence', () => {
  it('mails a consenting lead in their language with one-click unsubscribe, and stops after the unsubscribe', async () => {
    const id = await postLead({
      name: 'Omar <b>Bold</b>',
      email: `omar.${Date.now()}@example.com`,
      company: 'ACME\r\nBcc: victim@example.com',
      consent: 'yes',
    });
    const first = await eventually('the first nurture email', async () => {
      const mails = (await mailsOf(id)).filter((m) => m.subject.startsWith('Welcome'));
      return mails[0];
    });
    expect(first.subject).toBe('Welcome, Omar');
    expect(first.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const link = /^<(.+)>$/.exec(first.headers['List-Unsubscribe'] ?? '')?.[1] ?? '';
    expect(link).toContain('/v1/unsubscribe?lead=');
    expect(first.html).toContain('ACME');
    expect(first.html).not.toContain('<b>');
    expect(first.text).not.toMatch(/\r?\nBcc:/);

    // What a mail client does for RFC 8058: a POST of `List-Unsubscribe=One-Click` to the link.
    const unsubscribe = await fetch(link.replace('https://leads.example.com', pipeline.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(unsubscribe.status).toBe(200);

    const stopped = await sequenceStop(id);
    expect(stopped.detail).toBe('welcome: address suppressed (unsubscribe)');
    expect((await mailsOf(id)).filter((m) => m.subject === 'How others did it')).toEqual([]);
  }, 30_000);

  it('does not mail a lead who gave no consent under a consent-based sequence', async () => {
    const id = await postLead({ name: 'No Consent', email: `nc.${Date.now()}@example.com` });
    // The assignment mail comes from the lead's second stream record; the enrolment decision was the first's
    // (records of one item arrive in order), so once the mail is out the decision is made: no step scheduled.
    await eventually('the assignment email', async () =>
      (await mailsOf(id)).find((m) => !m.subject.startsWith('Welcome')),
    );
    expect(await timerItem(`nurture#${id}#welcome#0`)).toBeUndefined();
    expect((await mailsOf(id)).filter((m) => m.subject.startsWith('Welcome'))).toEqual([]);
  }, 15_000);

  it('suppresses an address that hard-bounces (SES simulator) and sends it nothing more', async () => {
    const id = await postLead({
      name: 'Bounce Test',
      email: 'bounce@simulator.amazonses.com',
      consent: 'yes',
    });
    const stopped = await sequenceStop(id);
    expect(stopped.detail).toBe('welcome: address suppressed (bounce)');
    const nurtureMails = (await mailsOf(id)).filter((m) => m.to[0] === 'bounce@simulator.amazonses.com');
    expect(nurtureMails.map((m) => m.subject)).toEqual(['Welcome, Bounce']);
  }, 30_000);
});

describe('unsubscribe link', () => {
  it('asks on GET without unsubscribing, and refuses a forged token', async () => {
    const id = await postLead({
      name: 'Link Check',
      email: `link.${Date.now()}@example.com`,
      consent: 'yes',
    });
    const mail = await eventually('the first nurture email', async () =>
      (await mailsOf(id)).find((m) => m.subject.startsWith('Welcome')),
    );
    const link = (/^<(.+)>$/.exec(mail.headers['List-Unsubscribe'] ?? '')?.[1] ?? '').replace(
      'https://leads.example.com',
      pipeline.url,
    );
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    const forged = await fetch(link.replace(/token=[^&]+/, 'token=AAAA'), { method: 'POST' });
    expect(forged.status).toBe(403);
    // Still subscribed: the second step goes out.
    await eventually(
      'the second step',
      async () => (await mailsOf(id)).find((m) => m.subject === 'How others did it'),
      15_000,
    );
  }, 30_000);
});
