import * as z from '../zod.ts';

/**
 * Odoo's external API over JSON-RPC (`POST /jsonrpc`, services `common` and `object`), as Odoo 14–19 serve it:
 * `authenticate` once for the user id, then `execute_kw` on models. An API key stands in for the password.
 */
export class OdooError extends Error {
  override readonly name = 'OdooError';
  constructor(
    message: string,
    /** Odoo's exception class (`odoo.exceptions.AccessDenied`…), or `http` / `network`. */
    readonly kind: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const RpcAnswer = z.union([
  z.object({ result: z.unknown() }),
  z.object({
    error: z.object({
      message: z.optional(z.string()),
      data: z.optional(z.object({ name: z.optional(z.string()), message: z.optional(z.string()) })),
    }),
  }),
]);

export type OdooOptions = {
  url: string;
  db: string;
  login: string;
  apiKey: string;
  fetch?: typeof fetch;
};

export class OdooClient {
  private uid: Promise<number> | undefined;
  private readonly fetch: typeof fetch;
  private id = 0;

  constructor(private readonly options: OdooOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  private async rpc(service: 'common' | 'object', method: string, args: unknown[]): Promise<unknown> {
    let response: Response;
    try {
      response = await this.fetch(`${this.options.url.replace(/\/$/, '')}/jsonrpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          method: 'call',
          id: ++this.id,
          params: { service, method, args },
        }),
        redirect: 'error',
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new OdooError(`Odoo could not be reached: ${(error as Error).name}`, 'network', true);
    }
    if (!response.ok)
      throw new OdooError(
        `Odoo answered HTTP ${response.status}`,
        'http',
        response.status >= 500 || response.status === 429,
      );
    const answer = RpcAnswer.safeParse(await response.json().catch(() => undefined));
    if (!answer.success) throw new OdooError('Odoo answered something that is not JSON-RPC', 'http', true);
    if ('error' in answer.data) {
      const kind = answer.data.error.data?.name ?? 'odoo.exceptions.UserError';
      // Access and validation problems need a person; anything else (a lock, a restart) may pass.
      const permanent = /AccessDenied|AccessError|ValidationError|UserError|MissingError/.test(kind);
      throw new OdooError(
        `${kind}: ${answer.data.error.data?.message ?? answer.data.error.message ?? 'Odoo refused the call'}`.slice(
          0,
          300,
        ),
        kind,
        !permanent,
      );
    }
    return answer.data.result;
  }

  private user(): Promise<number> {
    this.uid ??= this.rpc('common', 'authenticate', [
      this.options.db,
      this.options.login,
      this.options.apiKey,
      {},
    ]).then((uid) => {
      if (typeof uid !== 'number' || uid <= 0)
        throw new OdooError('Odoo refused the login or API key', 'odoo.exceptions.AccessDenied', false);
      return uid;
    });
    this.uid.catch(() => {
      this.uid = undefined;
    });
    return this.uid;
  }

  /** `execute_kw(db, uid, key, model, method, args, kwargs)`. */
  async call(
    model: string,
    method: string,
    args: unknown[],
    kwargs: Record<string, unknown> = {},
  ): Promise<unknown> {
    const uid = await this.user();
    return this.rpc('object', 'execute_kw', [
      this.options.db,
      uid,
      this.options.apiKey,
      model,
      method,
      args,
      kwargs,
    ]);
  }
}
