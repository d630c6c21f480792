import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphLead } from '../functions/shared/lead.ts';
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
  stop(): Promise<void>;
};

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
  port?: number;
  /** Chaos runs: some reads get Meta's transient 500. */
  faults?: FaultInjector;
}): Promise<FakeGraphApi> {
  const leads = new Map<string, GraphLead & { form_id: string }>();

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
    if (options.faults?.graphFault()) {
      graphError(res, 500, 2, 'An unexpected error has occurred. Please retry your request later.');
      return;
    }
    if (req.headers.authorization !== `Bearer ${options.accessToken}`) {
      graphError(res, 400, 190, 'Invalid OAuth access token - Cannot parse access token');
      return;
    }
    const [version, id, edge] = url.pathname.split('/').filter(Boolean);
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
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
