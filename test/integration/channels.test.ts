import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook, statusWebhook } from '../../local/fake-whatsapp.ts';
import type { Pipeline } from '../../local/pipeline.ts';
import { apiOf, eventually, testPipeline } from '../support/aws.ts';
import { testConfig } from '../support/factories.ts';

// Gulf leads go to Sara (Arabic) or Layla (English), both on WhatsApp. Everything else goes to Omid (Persian),
// whose WhatsApp number Meta refuses (not in the allowed list): his messages fall through to SMS. Omid's pool
// has a short clock, a manager on Slack and the team on Telegram.
const config = testConfig({
  routing: {
    defaultPool: 'default',
    pools: [
      { id: 'gulf', segments: ['gulf'], reps: ['sara', 'layla'] },
      {
        id: 'default',
        reps: ['omid'],
        manager: {
          name: 'Mona',
          email: 'mona@sales.example',
          locale: 'ar',
          channels: { chat: { kind: 'slack', url: 'http://chat.localhost/slack/T1/B1/mona' } },
        },
        teamChat: { kind: 'telegram', chatId: '-1001234567890' },
        sla: { firstContactMinutes: 0.02, escalateAfterMinutes: 0.04, escalation: { reassign: false } },
      },
    ],
    reps: [
      {
        id: 'sara',
        name: 'Sara',
        email: 'sara@sales.example',
        locale: 'ar',
        timezone: 'Asia/Riyadh',
        channels: { whatsapp: '+966501110001' },
      },
      {
        id: 'layla',
        name: 'Layla',
        email: 'layla@sales.example',
        locale: 'en',
        timezone: 'Asia/Dubai',
        channels: { whatsapp: '+971501110003' },
      },
      {
        id: 'omid',
        name: 'Omid',
        email: 'omid@sales.example',
        locale: 'fa',
        timezone: 'Asia/Tehran',
        channels: { whatsapp: '+989121119999', sms: '+989121110002' },
      },
    ],
  },
  sla: { businessHours: false, firstContactMinutes: 60 },
  notifications: {
    routes: {
      assignment: { try: ['whatsapp', 'sms'], always: ['email'] },
      reminder: ['whatsapp', 'sms', 'email'],
      escalation: ['chat', 'email'],
    },
    whatsapp: {
      phoneNumberId: '106540352242922',
      accessToken: 'test-whatsapp-token',
      appSecret: 'test-whatsapp-app-secret',
      verifyToken: 'test-whatsapp-verify',
      templates: {
        assignment: { name: 'leadpipe_new_lead', languages: { en: 'en', ar: 'ar', fa: 'fa' } },
        reminder: { name: 'leadpipe_lead_waiting', languages: { en: 'en', ar: 'ar', fa: 'fa' } },
      },
    },
    sms: { originationIdentity: 'leadpipe', configurationSet: 'leadpipe', maxParts: 3 },
    telegram: { botToken: '123456789:test-telegram-bot-token-abcdef' },
  },
});

let pipeline: Pipeline;
type Json = Record<string, unknown>;
type Message = {
  notice: string;
  channel: string;
  to: string;
  outcome: string;
  status?: string;
  detail?: string;
};
type LeadView = {
  lead: Json & { ownerId?: string; status: string; firstContactAt?: string };
  messages: Message[];
};

beforeAll(async () => {
  pipeline = await testPipeline('channels', config);
});
afterAll(async () => {
  await pipeline?.stop();
});

const call = apiOf(() => pipeline);

/** The lead with its timeline's messages (none while it is not stored yet). */
async function view(id: string): Promise<LeadView> {
  const { json } = await call('GET', `/v1/leads/${id}`);
  return {
    lead: (json.lead ?? { status: 'none' }) as LeadView['lead'],
    messages: (json.messages ?? []) as Message[],
  };
}

let people = 0;
/** A lead through the pipeline, waited for until its owner was told on some channel. */
async function toldLead(
  name: string,
  phone: string,
): Promise<{ id: string; ownerId: string; view: LeadView }> {
  people++;
  const posted = await call('POST', '/v1/forms/demo/leads', {
    name,
    email: `channels.${people}.${Date.now()}@example.com`,
    phone,
  });
  const id = String(posted.json.leadId);
  const told = await eventually(`lead ${id} told`, async () => {
    const v = await view(id);
    const sent = v.messages.filter((m) => m.notice === 'assignment' && m.outcome === 'sent');
    return sent.some((m) => m.channel === 'email') && v.lead.ownerId ? v : undefined;
  });
  return { id, ownerId: String(told.lead.ownerId), view: told };
}

/** The WhatsApp template the lead's assignment went out as. */
function whatsappFor(leadId: string) {
  const sent = pipeline.channels.graph
    ?.whatsappSent()
    .find((m) => m.type === 'template' && m.callbackData?.startsWith(`${leadId} `));
  if (sent === undefined) throw new Error(`no WhatsApp message for lead ${leadId}`);
  return sent;
}

const numbers: Record<string, string> = { sara: '966501110001', layla: '971501110003' };

describe('a rep on WhatsApp', () => {
  it('gets the assignment as the approved template, in their language, with signed one-tap replies', async () => {
    const { id, ownerId, view: told } = await toldLead('Noura *bold* _it_ ~x~', '+966551230001');
    const sent = whatsappFor(id);
    expect(`+${sent.to}`).toBe(ownerId === 'sara' ? '+966501110001' : '+971501110003');
    expect(sent.template).toBe('leadpipe_new_lead');
    expect(sent.language).toBe(ownerId === 'sara' ? 'ar' : 'en');
    // The name cannot format the message: WhatsApp's marks became look-alikes.
    expect(sent.text[0]).toBe('Noura ∗bold∗ ˍitˍ ∼x∼');
    expect(sent.buttons).toHaveLength(3);
    for (const payload of sent.buttons)
      expect(payload).toMatch(new RegExp(`^lp1\\.[cln]\\.${id}\\.${ownerId}\\.`));
    // The timeline: WhatsApp reached the rep; the email went too, as configured; the team heard nothing (no team
    // chat on this pool).
    expect(told.messages.map((m) => `${m.notice} ${m.channel} ${m.outcome}`)).toEqual(
      expect.arrayContaining(['assignment whatsapp sent', 'assignment email sent']),
    );
    // Meta's statuses come back on the webhook and land on the message.
    await eventually('delivered', async () =>
      (await view(id)).messages.find((m) => m.channel === 'whatsapp' && m.status === 'delivered'),
    );
  });

  it('"Called" stops the first-contact clock once, and counts in the speed-to-lead KPI', async () => {
    const { id, ownerId } = await toldLead('Khalid', '+966551230002');
    const sent = whatsappFor(id);
    const graph = pipeline.channels.graph;
    if (graph === undefined) throw new Error('no fake Graph API');
    expect(await graph.tapWhatsAppButton(sent.id, 0)).toBe(200);
    const contacted = await eventually('contacted', async () => {
      const v = await view(id);
      return v.lead.firstContactAt ? v : undefined;
    });
    expect(contacted.lead.status).toBe('contacted');
    // Tapped again (or Meta redelivering the webhook): nothing more changes.
    expect(await graph.tapWhatsAppButton(sent.id, 0)).toBe(200);
    const again = await view(id);
    expect(again.lead.firstContactAt).toBe(contacted.lead.firstContactAt);
    // The rep hears back in the window the tap opened, in their language.
    const replies = graph.whatsappSent().filter((m) => m.type === 'text' && m.to === numbers[ownerId]);
    expect(replies.length).toBeGreaterThanOrEqual(2);
    const day = new Date().toISOString().slice(0, 10);
    const rt = await eventually('first contact counted', async () => {
      const { json } = await call('GET', `/v1/kpi/response-time?from=${day}&to=${day}&groupBy=rep`);
      const group = (json.groups as { group: string; contacted: number }[]).find((g) => g.group === ownerId);
      return group && group.contacted >= 1 ? group : undefined;
    });
    expect(rt.contacted).toBeGreaterThanOrEqual(1);
  });

  it('a tap from a former owner, or from another number, does nothing', async () => {
    const { id, ownerId } = await toldLead('Huda', '+966551230003');
    const sent = whatsappFor(id);
    const graph = pipeline.channels.graph;
    if (graph === undefined) throw new Error('no fake Graph API');
    // Someone else's phone taps the rep's button: refused.
    await graph.tapWhatsAppButton(sent.id, 0, { from: '966500000000' });
    // A manager moves the lead; the old owner's "Called" then changes nothing.
    const other = ownerId === 'sara' ? 'layla' : 'sara';
    const moved = await call('POST', `/v1/leads/${id}/assign`, {
      repId: other,
      by: 'mona',
      reason: 'covering a day off',
    });
    expect(moved.status).toBe(200);
    await graph.tapWhatsAppButton(sent.id, 0);
    const after = await view(id);
    expect(after.lead.ownerId).toBe(other);
    expect(after.lead.status).toBe('assigned');
    expect(after.lead.firstContactAt).toBeUndefined();
    const told = graph.whatsappSent().filter((m) => m.type === 'text' && m.to === numbers[ownerId]);
    expect(told.at(-1)?.text[0]).toMatch(/no longer yours|لم يعد/);
  });

  it('"Not mine" passes the lead to the next rep; "Call later" plans a call', async () => {
    const declined = await toldLead('Faisal', '+966551230004');
    const graph = pipeline.channels.graph;
    if (graph === undefined) throw new Error('no fake Graph API');
    await graph.tapWhatsAppButton(whatsappFor(declined.id).id, 2);
    const moved = await eventually('passed on', async () => {
      const v = await view(declined.id);
      return v.lead.ownerId !== declined.ownerId ? v : undefined;
    });
    expect((moved.lead.assignment as { rule: string }).rule).toBe('declined');

    const later = await toldLead('Reem', '+966551230005');
    await graph.tapWhatsAppButton(whatsappFor(later.id).id, 1);
    const tasks = await eventually('call planned', async () => {
      const { json } = await call('GET', `/v1/leads/${later.id}`);
      const list = json.tasks as { type: string; ownerId: string }[];
      return list.length > 0 ? list : undefined;
    });
    expect(tasks).toEqual([expect.objectContaining({ type: 'call', ownerId: later.ownerId })]);
  });

  it('refuses a webhook Meta did not sign, and acts on nothing in it', async () => {
    const { id } = await toldLead('Salma', '+966551230006');
    const sent = whatsappFor(id);
    const body = JSON.stringify(statusWebhook(sent, 'read'));
    const forged = await fetch(`${pipeline.url}/v1/webhooks/whatsapp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signWebhook(body, 'not-the-secret'),
      },
      body,
    });
    expect(forged.status).toBe(401);
    expect((await view(id)).messages.find((m) => m.channel === 'whatsapp')?.status).not.toBe('read');
    // Signed, "read" lands; a late "delivered" after it never takes the message back.
    const read = await fetch(`${pipeline.url}/v1/webhooks/whatsapp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signWebhook(body, 'test-whatsapp-app-secret'),
      },
      body,
    });
    expect(read.status).toBe(200);
    const late = JSON.stringify(statusWebhook(sent, 'delivered'));
    await fetch(`${pipeline.url}/v1/webhooks/whatsapp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signWebhook(late, 'test-whatsapp-app-secret'),
      },
      body: late,
    });
    expect((await view(id)).messages.find((m) => m.channel === 'whatsapp')?.status).toBe('read');
    // Meta's subscription handshake answers only with the verify token.
    const ok = await fetch(
      `${pipeline.url}/v1/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=test-whatsapp-verify&hub.challenge=42`,
    );
    expect(await ok.text()).toBe('42');
    const wrong = await fetch(
      `${pipeline.url}/v1/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=42`,
    );
    expect(wrong.status).toBe(403);
  });
});

describe('a rep WhatsApp refuses', () => {
  it('is reached by SMS instead, in Persian within three UCS-2 parts, and the timeline says so', async () => {
    const { id, ownerId, view: told } = await toldLead('مریم رضایی '.repeat(12).trim(), '+989121234567');
    expect(ownerId).toBe('omid');
    const assignment = told.messages.filter((m) => m.notice === 'assignment');
    expect(assignment.map((m) => `${m.channel} ${m.outcome}`)).toEqual(
      expect.arrayContaining(['whatsapp failed', 'sms sent', 'email sent']),
    );
    expect(assignment.find((m) => m.channel === 'whatsapp')?.detail).toContain('131030');
    const sms = pipeline.channels.sms.sent().find((m) => m.body.includes(`/dashboard#/leads/${id}`));
    expect(sms?.to).toBe('+989121110002');
    expect(sms?.encoding).toBe('UCS-2');
    expect(sms?.parts).toBeLessThanOrEqual(3);
    expect(sms?.body).toContain('سرنخ جدید برای شما');
    // The team channel heard of it, on Telegram, with the lead's dashboard link as a button.
    // After the rep's own message, so a moment later.
    const telegram = await eventually('the team told', async () =>
      pipeline.channels.chat.posts().find((p) => JSON.stringify(p.body).includes(id)),
    );
    expect(telegram?.kind).toBe('telegram');
    expect(telegram?.body).toEqual(
      expect.objectContaining({
        parse_mode: 'HTML',
        reply_markup: { inline_keyboard: [[expect.objectContaining({ url: expect.stringContaining(id) })]] },
      }),
    );
  });

  it("escalates to the manager's Slack, with the lead's name as plain text", async () => {
    const { id } = await toldLead('<!channel> *Omar*', '+989121234568');
    const slack = await eventually(
      'escalated',
      async () =>
        pipeline.channels.chat.posts().find((p) => p.kind === 'slack' && JSON.stringify(p.body).includes(id)),
      20_000,
    );
    const body = slack.body as {
      text: string;
      mrkdwn: boolean;
      blocks: { text?: { type: string; text: string } }[];
    };
    expect(body.mrkdwn).toBe(false);
    expect(body.text).toContain('&lt;!channel&gt;');
    expect(body.text).not.toContain('<!channel>');
    expect(body.blocks[0]?.text).toEqual(expect.objectContaining({ type: 'plain_text' }));
    const escalation = await eventually('recorded', async () =>
      (await view(id)).messages.find((m) => m.notice === 'escalation' && m.outcome === 'sent'),
    );
    expect(escalation).toEqual(expect.objectContaining({ channel: 'chat', to: 'manager:default' }));
  });
});

describe("a rep's channels in the reps API", () => {
  it('are set and read like any other field of the rep, and refused when malformed', async () => {
    const changed = await call('PATCH', '/v1/reps/layla', {
      channels: {
        whatsapp: '+971501110033',
        chat: { kind: 'slack', url: 'https://hooks.slack.com/services/T/B/X' },
      },
      by: 'mona',
    });
    expect(changed.status).toBe(200);
    expect((changed.json.rep as Json).channels).toEqual({
      whatsapp: '+971501110033',
      chat: { kind: 'slack', url: 'https://hooks.slack.com/services/T/B/X' },
    });
    const refused = await call('PATCH', '/v1/reps/layla', {
      channels: { whatsapp: '050 111 0003' },
      by: 'mona',
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toContain('E.164');
  });
});

describe('the local viewer of every channel', () => {
  it('lists WhatsApp, SMS, chat and mail as JSON and as a page', async () => {
    const json = (await (await fetch(`${pipeline.url}/_local/messages`)).json()) as { channel: string }[];
    expect(new Set(json.map((m) => m.channel))).toEqual(new Set(['email', 'whatsapp', 'sms', 'chat']));
    const page = await fetch(`${pipeline.url}/_local/messages`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('Messages sent');
    // User text is escaped on the page too.
    expect(html).not.toContain('<!channel>');
  });
});
