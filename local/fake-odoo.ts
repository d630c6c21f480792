import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from '../functions/shared/zod.ts';

/**
 * An Odoo instance's external API on loopback, as far as leadpipe uses it: JSON-RPC at `POST /jsonrpc`,
 * `common.authenticate` and `object.execute_kw` on `crm.lead` (`load` with external ids, `action_set_won`,
 * `action_set_lost`, `search_read`). Errors in Odoo's JSON-RPC shape (`error.data.name`). Shapes from Odoo's
 * "External API" reference (odoo.com/documentation/18.0/developer/reference/external_api.html) and the `load`
 * import method (odoo/models.py, BaseModel.load).
 */
export type OdooLead = {
  id: number;
  xmlid: string;
  name: string;
  contact_name: string;
  email_from: string;
  phone: string;
  partner_name: string;
  user_id: number | false;
  stage_id: number | false;
  team_id: number | false;
  expected_revenue: number;
  active: boolean;
  won: boolean;
  /** How many times `load` wrote it. */
  writes: number;
};

export type FakeOdoo = {
  url: string;
  leads(): OdooLead[];
  /** Makes calls fail as a busy server does (a 503 from its proxy) until cleared. */
  setDown(down: boolean): void;
  stop(): Promise<void>;
};

const Rpc = z.object({
  jsonrpc: z.literal('2.0'),
  method: z.literal('call'),
  id: z.optional(z.union([z.number(), z.string()])),
  params: z.object({ service: z.string(), method: z.string(), args: z.array(z.unknown()) }),
});

export async function startFakeOdoo(options: {
  db: string;
  login: string;
  apiKey: string;
  uid?: number;
}): Promise<FakeOdoo> {
  const uid = options.uid ?? 2;
  const byXmlid = new Map<string, OdooLead>();
  const byId = new Map<number, OdooLead>();
  let nextId = 1;
  let down = false;

  const fail = (name: string, message: string) => ({
    error: { code: 200, message: 'Odoo Server Error', data: { name, message, arguments: [message] } },
  });

  function load(fields: string[], rows: string[][]): unknown {
    const ids: number[] = [];
    const messages: { type: string; message: string }[] = [];
    for (const row of rows) {
      const value = (field: string) => row[fields.indexOf(field)];
      const xmlid = value('id');
      if (!xmlid) {
        messages.push({ type: 'error', message: 'Missing external id' });
        continue;
      }
      const numberOf = (field: string) => {
        const raw = value(field);
        return raw === undefined || raw === '' ? undefined : Number(raw);
      };
      const existing = byXmlid.get(xmlid);
      const lead: OdooLead = existing ?? {
        id: nextId++,
        xmlid,
        name: '',
        contact_name: '',
        email_from: '',
        phone: '',
        partner_name: '',
        user_id: false,
        stage_id: false,
        team_id: false,
        expected_revenue: 0,
        active: true,
        won: false,
        writes: 0,
      };
      for (const field of ['name', 'contact_name', 'email_from', 'phone', 'partner_name'] as const) {
        const v = value(field);
        if (v !== undefined) lead[field] = v;
      }
      if (!lead.name) {
        messages.push({ type: 'error', message: 'Missing required value for the field Opportunity (name)' });
        continue;
      }
      const user = numberOf('user_id/.id');
      if (user !== undefined) lead.user_id = user;
      const stage = numberOf('stage_id/.id');
      if (stage !== undefined) lead.stage_id = stage;
      const team = numberOf('team_id/.id');
      if (team !== undefined) lead.team_id = team;
      const revenue = numberOf('expected_revenue');
      if (revenue !== undefined) lead.expected_revenue = revenue;
      lead.writes++;
      byXmlid.set(xmlid, lead);
      byId.set(lead.id, lead);
      ids.push(lead.id);
    }
    return { ids: messages.length > 0 ? false : ids, messages };
  }

  function executeKw(args: unknown[]): unknown {
    const [db, who, key, model, method, positional = [], kwargs = {}] = args as [
      string,
      number,
      string,
      string,
      string,
      unknown[],
      Record<string, unknown>,
    ];
    if (db !== options.db || who !== uid || key !== options.apiKey)
      return fail('odoo.exceptions.AccessDenied', 'Access Denied');
    if (model !== 'crm.lead')
      return fail('odoo.exceptions.AccessError', `You are not allowed to access '${model}'`);
    if (method === 'load') return { result: load(positional[0] as string[], positional[1] as string[][]) };
    if (method === 'action_set_won' || method === 'action_set_lost') {
      for (const id of positional[0] as number[]) {
        const lead = byId.get(id);
        if (lead === undefined)
          return fail('odoo.exceptions.MissingError', 'Record does not exist or has been deleted.');
        if (method === 'action_set_won') lead.won = true;
        else lead.active = false;
      }
      return { result: true };
    }
    if (method === 'search_read') {
      const limit = Number(kwargs.limit ?? 80);
      return { result: [...byId.values()].slice(0, limit) };
    }
    return fail('odoo.exceptions.UserError', `The method ${method} does not exist on crm.lead`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += chunk;
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/jsonrpc') {
      res.writeHead(404).end();
      return;
    }
    if (down) {
      res.writeHead(503, { 'content-type': 'text/html' }).end('<h1>503 Service Unavailable</h1>');
      return;
    }
    const rpc = Rpc.safeParse(JSON.parse(text || '{}'));
    const reply = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: rpc.success ? (rpc.data.id ?? null) : null,
          ...(body as object),
        }),
      );
    };
    if (!rpc.success) return reply(fail('werkzeug.exceptions.BadRequest', 'Invalid JSON-RPC request'));
    const { service, method, args } = rpc.data.params;
    if (service === 'common' && method === 'authenticate') {
      const [db, login, key] = args as string[];
      return reply({
        result: db === options.db && login === options.login && key === options.apiKey ? uid : false,
      });
    }
    if (service === 'object' && method === 'execute_kw') return reply(executeKw(args));
    return reply(fail('odoo.exceptions.UserError', `Unknown service method ${service}.${method}`));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    leads: () => [...byId.values()].map((l) => ({ ...l })),
    setDown: (value) => {
      down = value;
    },
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
