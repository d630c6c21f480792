import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphLead } from '../functions/shared/lead.ts';
import * as z from '../functions/shared/zod.ts';
import {
  buttonReplyWebhook,
  CloudApiMessage,
  recordWhatsApp,
  refuseWhatsApp,
  type SentWhatsApp,
  signWebhook,
  statusWebhook,
} from './fake-whatsapp.ts';
import type { FaultInjector } from './faults.ts';

/**
 * A stand-in for Meta's Graph API on loopback, speaking its HTTP interface: `GET /{version}/{leadgen-id}`,
 * `GET /{version}/{form-id}/leads` (time_created filtering, cursor paging), errors in Meta's shape. Leads it was
 * not told about are made up from the id (stable personas), so any signed webhook finds its lead.
 */
export type FakeGraphApi = {
  url: string;
  /** Registers a lead (as Meta would hold it once a person submits a form). */
  addLead(lead: GraphLead & { form_id: string }): void;
  /** Every WhatsApp message sent through it, oldest first. */
  whatsappSent(): SentWhatsApp[];
  /** Where Meta posts the WhatsApp webhooks (statuses, replies), signed with this app secret. */
  setWhatsAppWebhook(url: string, appSecret: string): void;
  /** A rep taps a quick-reply button of a sent template: Meta's signed webhook, posted now; its HTTP status. */
  tapWhatsAppButton(messageId: string, index: number, options?: { from?: string }): Promise<number>;
  /** Whether every webhook it owes has been posted. */
  webhooksSettled(): Promise<void>;
  stop(): Promise<void>;
};

/** The labels of the assignment template's quick replies, in order. */
export const WHATSAPP_BUTTONS = ['Called', 'Call later', 'Not mine'];

/** Numbers ending in 0000 are not on WhatsApp here: Meta accepts the send, then reports it failed (131026). */
export const isUndeliverable = (to: string) => to.endsWith('0000');

const PERSONAS = [
  {
    full_name: 'Reza Ahmadi',
    email: 'reza.ahmadi@example.com',
    phone_number: '+989121234567',
    city: 'Tehran',
  },
  { full_name: 'نورة القحطاني', email: 'noura@example.sa', phone_number: '+966551234567', city: 'الرياض' },
  { full_name: 'Omar Haddad', email: 'omar.haddad@example.ae', phone_number: '+971501234567', city: 'Dubai' },
  { full_name: 'مریم رضایی', email: 'maryam.rezaei@example.ir', phone_number: '۰۹۳۵۱۲۳۴۵۶۷', city: 'اصفهان' },
];

export function personaLead(leadgenId: string, formId = '100000000000001'): GraphLead & { form_id: string } {
  const persona = PERSONAS[Number(BigInt(leadgenId) % BigInt(PERSONAS.length))] ?? PERSONAS[0];
  return {
    id: leadgenId,
    created_time: new Date().toISOString().replace(/\.\d{3}Z$/, '+0000'),
    form_id: formId,
    ad_id: '120200000000000001',
    adset_id: '120200000000000002',
    campaign_id: '120200000000000003',
    campaign_name: 'Demo lead ads',
    is_organic: false,
    platform: 'fb',
    field_data: Object.entries(persona ?? {})
      .map(([name, value]) => ({ name, values: [value] }))
      .concat([{ name: 'what_is_your_budget?', values: ['50k_100k'] }]),
  };
}

const DASHBOARD_TEST_LEADGEN_ID = '444444444444';

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function graphError(res: ServerResponse, status: number, code: number, message: string): void {
  send(res, status, { error: { message, type: 'OAuthException', code, fbtrace_id: 'AfakeTraceId' } });
}

export async function startFakeGraphApi(options: {
  accessToken: string;
  /** Other tokens it accepts (WhatsApp's System User token beside the Page's). */
  otherTokens?: string[];
  port?: number;
  /** Chaos runs: some reads get Meta's transient 500. */
  faults?: FaultInjector;
}): Promise<FakeGraphApi> {
  const leads = new Map<string, GraphLead & { form_id: string }>();
  const tokens = new Set([options.accessToken, ...(options.otherTokens ?? [])].map((t) => `Bearer ${t}`));
  const sentWhatsApp: SentWhatsApp[] = [];
  let webhook: { url: string; appSecret: string } | undefined;
  const pending = new Set<Promise<unknown>>();

  async function postWebhook(payload: unknown): Promise<number> {
    if (webhook === undefined) return 0;
    const body = JSON.stringify(payload);
    // Meta retries a webhook that is not answered 200, for up to seven days; a few quick tries here.
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(webhook.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': signWebhook(body, webhook.appSecret),
          },
          body,
        });
        if (response.status === 200 || attempt >= 5) return response.status;
      } catch (error) {
        if (attempt >= 5) throw error;
      }
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }

  /** Meta's statuses of a message, a moment after the send: sent then delivered, or failed. */
  function reportStatuses(sent: SentWhatsApp): void {
    const statuses: Parameters<typeof statusWebhook>[1][] = isUndeliverable(sent.to)
      ? ['failed']
      : ['sent', 'delivered'];
    const delivery = (async () => {
      await new Promise((r) => setTimeout(r, 20));
      for (const status of statuses)
        await postWebhook(
          statusWebhook(
            sent,
            status,
            status === 'failed' ? { code: 131026, title: 'Message undeliverable' } : undefined,
          ),
        );
    })()
      .catch(() => undefined)
      .finally(() => pending.delete(delivery));
    pending.add(delivery);
  }

  async function sendWhatsApp(
    phoneNumberId: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    let text = '';
    for await (const chunk of req) text += chunk;
    const parsed = CloudApiMessage.safeParse(JSON.parse(text || '{}'));
    if (!parsed.success) {
      graphError(res, 400, 100, `(#100) Invalid parameter: ${parsed.error.issues[0]?.path.join('.')}`);
      return;
    }
    const refusal = refuseWhatsApp(parsed.data);
    if (refusal) {
      graphError(res, refusal.status, refusal.code, refusal.message);
      return;
    }
    const sent = recordWhatsApp(phoneNumberId, parsed.data);
    sentWhatsApp.push(sent);
    send(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: parsed.data.to, wa_id: sent.to }],
      messages: [{ id: sent.id, message_status: 'accepted' }],
    });
    reportStatuses(sent);
  }

  async function tapWhatsAppButton(
    messageId: string,
    index: number,
    tap: { from?: string } = {},
  ): Promise<number> {
    const sent = sentWhatsApp.find((m) => m.id === messageId);
    if (sent === undefined) throw new Error(`no WhatsApp message ${messageId} was sent`);
    return postWebhook(buttonReplyWebhook(sent, index, WHATSAPP_BUTTONS[index] ?? 'Button', tap.from));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/_fake/leads') {
      // Local only: what a person submitting a Meta lead form would leave in Meta's store.
      let body = '';
      for await (const chunk of req) body += chunk;
      const lead = JSON.parse(body) as GraphLead & { form_id: string };
      leads.set(lead.id, lead);
      send(res, 201, { id: lead.id });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/_fake/whatsapp/messages') {
      send(res, 200, sentWhatsApp);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/_fake/whatsapp/tap') {
      // Local only: a rep taps a button of a sent template, { "messageId": "wamid…", "button": 0 }.
      let body = '';
      for await (const chunk of req) body += chunk;
      const tap = z
        .object({
          messageId: z.string(),
          button: z.number().check(z.int(), z.gte(0), z.lte(9)),
          from: z.optional(z.string()),
        })
        .safeParse(JSON.parse(body || '{}'));
      if (!tap.success) {
        send(res, 400, { error: 'send { "messageId": "wamid…", "button": 0 }' });
        return;
      }
      const status = await tapWhatsAppButton(tap.data.messageId, tap.data.button, {
        ...(tap.data.from ? { from: tap.data.from } : {}),
      });
      send(res, 200, { webhookStatus: status });
      return;
    }
    if (options.faults?.graphFault()) {
      graphError(res, 500, 2, 'An unexpected error has occurred. Please retry your request later.');
      return;
    }
    if (!tokens.has(String(req.headers.authorization))) {
      graphError(res, 400, 190, 'Invalid OAuth access token - Cannot parse access token');
      return;
    }
    const [version, id, edge] = url.pathname.split('/').filter(Boolean);
    if (req.method === 'POST' && version?.startsWith('v') && id && /^\d+$/.test(id) && edge === 'messages') {
      await sendWhatsApp(id, req, res);
      return;
    }
    if (req.method !== 'GET' || !version?.startsWith('v') || !id || !/^\d+$/.test(id)) {
      graphError(res, 400, 100, 'Unsupported get request.');
      return;
    }
    if (edge === 'leads') {
      const filtering = JSON.parse(url.searchParams.get('filtering') ?? '[]') as {
        field: string;
        operator: string;
        value: number;
      }[];
      const since =
        filtering.find((f) => f.field === 'time_created' && f.operator === 'GREATER_THAN')?.value ?? 0;
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 25), 100);
      const matching = [...leads.values()]
        .filter(
          (l) =>
            l.form_id === id && Date.parse((l.created_time ?? '').replace(/\+0000$/, 'Z')) / 1000 > since,
        )
        .sort((a, b) => a.id.localeCompare(b.id));
      const start = Number(Buffer.from(url.searchParams.get('after') ?? '', 'base64url').toString() || 0);
      const page = matching.slice(start, start + limit);
      const nextCursor = Buffer.from(String(start + limit)).toString('base64url');
      const more = start + limit < matching.length;
      send(res, 200, {
        data: page,
        paging: {
          cursors: { before: Buffer.from(String(start)).toString('base64url'), after: nextCursor },
          ...(more ? { next: `${url.origin}${url.pathname}?after=${nextCursor}` } : {}),
        },
      });
      return;
    }
    if (edge !== undefined) {
      graphError(res, 400, 100, `Tried accessing nonexisting field (${edge})`);
      return;
    }
    // The App Dashboard's "Test" button sends this leadgen_id; Graph has no such lead, and says so.
    if (id === DASHBOARD_TEST_LEADGEN_ID && !leads.has(id)) {
      send(res, 400, {
        error: {
          message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          type: 'GraphMethodException',
          code: 100,
          error_subcode: 33,
          fbtrace_id: 'AfakeTraceId',
        },
      });
      return;
    }
    const lead = leads.get(id) ?? personaLead(id);
    leads.set(id, lead);
    send(res, 200, lead);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => graphError(res, 500, 2, 'An unexpected error has occurred.'));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    addLead: (lead) => leads.set(lead.id, lead),
    whatsappSent: () => [...sentWhatsApp],
    setWhatsAppWebhook: (url, appSecret) => {
      webhook = { url, appSecret };
    },
    tapWhatsAppButton,
    webhooksSettled: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
