import { createHmac } from 'node:crypto';
import { parseJsonLossless } from './json.ts';
import { GraphLead } from './lead.ts';
import * as z from './zod.ts';

export const GRAPH_LEAD_FIELDS =
  'id,created_time,field_data,ad_id,ad_name,adset_id,campaign_id,campaign_name,form_id,is_organic,platform,custom_disclaimer_responses';

/** A Graph API failure, sorted into "retry later" and "a person must fix something". */
export class GraphApiError extends Error {
  override readonly name = 'GraphApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: number | undefined,
    readonly permanent: boolean,
    /** What ops should do about it; safe to store and show (no token, no PII). */
    readonly hint: string,
  ) {
    super(message);
  }
}

/**
 * A POST that got no answer (a timeout, a dropped connection): Meta may have acted on it, a WhatsApp message may
 * be on its way. Never repeated, by this client or by a retry of the send.
 */
export class GraphNoAnswerError extends GraphApiError {}

const GraphErrorBody = z.object({
  error: z.object({
    message: z.optional(z.string()),
    type: z.optional(z.string()),
    code: z.optional(z.number()),
    error_subcode: z.optional(z.number()),
  }),
});

// Graph error codes that clear up by themselves: temporary outages and rate limits (WhatsApp's among them:
// 130429 throughput, 131000 unknown, 131016 service unavailable, 131056 pair rate, 133004 server unavailable).
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 341, 368, 613, 130429, 131000, 131016, 131056, 133004]);

export function classifyGraphError(status: number, body: unknown): GraphApiError {
  const parsed = GraphErrorBody.safeParse(body);
  const code = parsed.success ? parsed.data.error.code : undefined;
  const message = (parsed.success ? parsed.data.error.message : undefined) ?? `HTTP ${status}`;
  if (
    status >= 500 ||
    status === 429 ||
    (code !== undefined && (TRANSIENT_CODES.has(code) || (code >= 80000 && code <= 80014)))
  ) {
    return new GraphApiError(
      message,
      status,
      code,
      false,
      'Meta is unavailable or rate-limiting; retried automatically.',
    );
  }
  if (code === 190) {
    return new GraphApiError(
      message,
      status,
      code,
      true,
      'The page access token is invalid or expired: create a long-lived Page (or System User) token with leads_retrieval and update facebook.pageAccessToken, then redrive the intake DLQ.',
    );
  }
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299)) {
    return new GraphApiError(
      message,
      status,
      code,
      true,
      'The token may not read leads: grant leads_retrieval (and pages_manage_ads), make sure the app is in Live mode and the Page has installed it (subscribed_apps), then redrive the intake DLQ.',
    );
  }
  if (code !== undefined && code >= 131000 && code <= 132999) {
    return new GraphApiError(
      message,
      status,
      code,
      true,
      'WhatsApp refused the message: check the number is on WhatsApp, the template is approved in this language and its parameters match.',
    );
  }
  if (code === 100) {
    return new GraphApiError(
      message,
      status,
      code,
      true,
      'Meta does not know this lead for this token: it may be deleted, or the token belongs to another Page.',
    );
  }
  return new GraphApiError(
    message,
    status,
    code,
    true,
    'Meta refused the request; see the message and the Graph API error code.',
  );
}

export type GraphApiOptions = {
  baseUrl: string;
  version: string;
  accessToken: string;
  /** With the app secret, each call carries appsecret_proof, as Meta recommends for server calls. */
  appSecret?: string;
  fetch?: typeof fetch;
  /** Attempts for transient failures within one call (then the queue's redelivery takes over). */
  attempts?: number;
  backoffMs?: number;
};

const LeadPage = z.object({
  data: z.array(z.unknown()),
  paging: z.optional(
    z.object({
      cursors: z.optional(z.object({ after: z.optional(z.string()) })),
      next: z.optional(z.string()),
    }),
  ),
});

const WhatsAppSent = z.object({ messages: z.array(z.object({ id: z.string() })) });

/** Reads Meta leads over the Graph API's HTTP interface (the real one, or a fake that speaks it). */
export class GraphApiClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: GraphApiOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  private url(path: string, params: Record<string, string>): string {
    const url = new URL(`${this.options.baseUrl.replace(/\/$/, '')}/${this.options.version}/${path}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    if (this.options.appSecret)
      url.searchParams.set(
        'appsecret_proof',
        createHmac('sha256', this.options.appSecret).update(this.options.accessToken).digest('hex'),
      );
    return url.toString();
  }

  private get(path: string, params: Record<string, string>): Promise<unknown> {
    return this.call('GET', path, params);
  }

  /**
   * One Graph call, transient failures retried with back-off. A POST is retried only when Meta answered: a
   * request that may have arrived is not sent again (the queue's redelivery decides, under its send-once key).
   */
  private async call(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string>,
    body?: unknown,
  ): Promise<unknown> {
    const attempts = this.options.attempts ?? 3;
    let last: GraphApiError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let answered = false;
      try {
        // The token goes in a header, never in a URL that could be logged.
        const response = await this.fetch(this.url(path, params), {
          method,
          headers: {
            authorization: `Bearer ${this.options.accessToken}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(10_000),
        });
        answered = true;
        const text = await response.text();
        const answer = text === '' ? {} : parseJsonLossless(text);
        if (response.ok) return answer;
        last = classifyGraphError(response.status, answer);
      } catch (error) {
        if (error instanceof SyntaxError) last = classifyGraphError(502, {});
        else
          last = new GraphApiError(
            (error as Error).message,
            0,
            undefined,
            false,
            'Meta could not be reached; retried automatically.',
          );
      }
      if (method === 'POST' && !answered)
        throw new GraphNoAnswerError(
          last.message,
          0,
          undefined,
          true,
          'Meta did not answer: it may have taken the message, so it is not sent again.',
        );
      if (last.permanent) throw last;
      if (attempt < attempts)
        await new Promise((r) => setTimeout(r, (this.options.backoffMs ?? 200) * 4 ** (attempt - 1)));
    }
    throw last ?? new Error('unreachable');
  }

  /** A WhatsApp Cloud API message from the business number; Meta's message id (wamid) back. */
  async sendWhatsApp(phoneNumberId: string, message: Record<string, unknown>): Promise<{ id: string }> {
    const body = await this.call(
      'POST',
      `${phoneNumberId}/messages`,
      {},
      {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        ...message,
      },
    );
    const sent = WhatsAppSent.safeParse(body);
    const id = sent.success ? sent.data.messages[0]?.id : undefined;
    if (id === undefined)
      throw new GraphApiError(
        'unexpected send response',
        200,
        undefined,
        false,
        'WhatsApp answered with an unexpected shape; retried automatically.',
      );
    return { id };
  }

  async getLead(leadgenId: string): Promise<GraphLead> {
    const body = await this.get(leadgenId, { fields: GRAPH_LEAD_FIELDS });
    const lead = GraphLead.safeParse(body);
    if (!lead.success)
      throw new GraphApiError(
        'unexpected lead shape',
        200,
        undefined,
        false,
        'Meta answered with an unexpected lead shape; retried automatically.',
      );
    return lead.data;
  }

  /** One page of a form's leads created after `since`; pass the returned cursor for the next page. */
  async listFormLeads(
    formId: string,
    since: Date,
    after?: string,
  ): Promise<{ leads: GraphLead[]; after?: string }> {
    const body = await this.get(`${formId}/leads`, {
      fields: GRAPH_LEAD_FIELDS,
      limit: '100',
      filtering: JSON.stringify([
        { field: 'time_created', operator: 'GREATER_THAN', value: Math.floor(since.getTime() / 1000) },
      ]),
      ...(after ? { after } : {}),
    });
    const page = LeadPage.parse(body);
    const leads = page.data.map((item) => GraphLead.parse(item));
    const next = page.paging?.next ? page.paging.cursors?.after : undefined;
    return { leads, ...(next ? { after: next } : {}) };
  }
}
