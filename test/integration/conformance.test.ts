import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wireIngest } from '../../functions/ingest/wiring.ts';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import { DynamoLeadRepository } from '../../functions/shared/aws/dynamo-lead-repository.ts';
import { leadIdFor } from '../../functions/shared/ids.ts';
import { ANSWERS_MAX_BYTES, WEBHOOK_MAX_BYTES } from '../../functions/shared/limits.ts';
import { cleanValue } from '../../functions/shared/text.ts';
import type { Pipeline } from '../../local/pipeline.ts';
import { emulatorClients, eventually, queueDepth, testPipeline } from '../support/aws.ts';
import { context, httpEvent, silentLogger, testConfig } from '../support/factories.ts';
import { functionOn } from '../support/handlers.ts';

// Inputs nobody on the project chose: arbitrary Unicode, sizes around every limit, names that are
// Object.prototype's, legacy charsets, posted over HTTP to the running pipeline and read back from the table.

type StoredLead = {
  id: string;
  contact: Record<string, string>;
  answers: Record<string, string>;
  ownerId?: string;
  test: boolean;
};

let pipeline: Pipeline;
let leads: DynamoLeadRepository;

beforeAll(async () => {
  pipeline = await testPipeline('conf');
  leads = new DynamoLeadRepository(documentClient(emulatorClients().dynamodb), pipeline.resources.tableName);
}, 90_000);

afterAll(async () => {
  await pipeline?.stop();
});

async function post(path: string, body: string | Uint8Array, headers: Record<string, string> = {}) {
  return fetch(`${pipeline.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

async function storedLead(id: string): Promise<StoredLead> {
  return eventually(`lead ${id} stored`, async () => {
    const response = await fetch(`${pipeline.url}/v1/leads/${id}`);
    return response.status === 200 ? ((await response.json()) as { lead: StoredLead }).lead : undefined;
  });
}

let people = 0;
const uniqueEmail = () => `conf.${Date.now()}.${++people}@example.com`;

describe('any Unicode a person types', () => {
  it('is accepted, stored and mailed unchanged: emoji, other planes, RTL marks, zero-width', async () => {
    const name = 'Sara 😀 👋🏽 سارة‏ 𝒜 ‍';
    const response = await post('/v1/forms/demo/leads', JSON.stringify({ name, email: uniqueEmail() }));
    expect(response.status).toBe(202);
    const { leadId } = (await response.json()) as { leadId: string };
    const lead = await storedLead(leadId);
    expect(lead.contact.name).toBe(name.trim());
    const mail = await eventually('the assignment mail', async () =>
      (await pipeline.outbox()).find((m) => m.headers['X-Leadpipe-Lead'] === leadId),
    );
    expect(mail.text).toContain('Sara 😀 👋🏽');
    expect(mail.html).toContain('Sara 😀 👋🏽');
  });

  it('survives the HTTP boundary, the queue and the table for arbitrary strings of every plane', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        async (name, message) => {
          const response = await post(
            '/v1/forms/demo/leads',
            JSON.stringify({ name, message, email: uniqueEmail(), note: `${name}\u0000${message}` }),
          );
          const expected = cleanValue(name, false);
          if (expected === '' || [...expected].length > 300) {
            // Nothing left of the name once controls are dropped is just an absent name; never a 5xx.
            expect(response.status).toBeLessThan(500);
            return;
          }
          expect(response.status).toBe(202);
          const { leadId } = (await response.json()) as { leadId: string };
          const lead = await storedLead(leadId);
          expect(lead.contact.name).toBe(expected);
          if (cleanValue(message, true) !== '') expect(lead.contact.message).toBe(cleanValue(message, true));
          expect(lead.answers.note).toBe(cleanValue(`${name}\u0000${message}`, true));
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it('keeps U+FFFE and U+FFFF, which SQS refuses raw, by escaping them in the message', async () => {
    const response = await post(
      '/v1/forms/demo/leads',
      JSON.stringify({ name: 'Odd \uFFFE\uFFFF Name', email: uniqueEmail() }),
    );
    expect(response.status).toBe(202);
    const { leadId } = (await response.json()) as { leadId: string };
    expect((await storedLead(leadId)).contact.name).toBe('Odd \uFFFE\uFFFF Name');
  });
});

function googleLead(leadId: string, answers: number, answerChars: number): string {
  const webhook = JSON.parse(readFileSync('test/fixtures/google/lead-arabic.json', 'utf8')) as {
    lead_id: string;
    user_column_data: { column_id?: string; column_name?: string; string_value?: string }[];
  };
  webhook.lead_id = leadId;
  for (let i = 0; i < answers; i++)
    webhook.user_column_data.push({
      column_id: `QUESTION_${i + 10}`,
      column_name: `سؤال ${i}`,
      string_value: 'ج'.repeat(answerChars - 1) + String(i % 10),
    });
  return JSON.stringify(webhook);
}

describe('the size of a lead', () => {
  it('stores a 450 KB Google lead it acknowledged: every answer, cut to fit, and the whole payload', async () => {
    const body = googleLead(`conf-large-${Date.now()}`, 90, 2500);
    expect(Buffer.byteLength(body)).toBeGreaterThan(440_000);
    const response = await post('/v1/webhooks/google', body);
    expect(response.status).toBe(200);
    const { lead_id: externalId } = JSON.parse(body) as { lead_id: string };
    const id = leadIdFor('google', externalId);
    const lead = await storedLead(id);
    const questions = Object.keys(lead.answers).filter((k) => k.startsWith('question_'));
    // The fixture's own QUESTION_1 and the 90 added ones, each under its stable key.
    expect(questions).toHaveLength(91);
    const bytes = Object.entries(lead.answers).reduce(
      (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v),
      0,
    );
    expect(bytes).toBeLessThanOrEqual(ANSWERS_MAX_BYTES);
    expect(Object.values(lead.answers).some((v) => v.endsWith('…'))).toBe(true);
    const raw = await leads.getRaw(id);
    // Whole, in parts (an item holds 400 KB), less the shared secret.
    expect(raw?.payload).toBe(body.replace('"local-google-key"', '"[redacted]"'));
  });

  it('refuses with 413 and queues nothing a body past the webhook limit', async () => {
    const body = googleLead(`conf-huge-${Date.now()}`, 150, 4000);
    expect(Buffer.byteLength(body)).toBeGreaterThan(WEBHOOK_MAX_BYTES);
    const before = await queueDepth(emulatorClients().sqs, pipeline.resources.intake.url);
    const response = await post('/v1/webhooks/google', body);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('body_too_large');
    expect(await queueDepth(emulatorClients().sqs, pipeline.resources.intake.url)).toBeLessThanOrEqual(
      before,
    );
  });
});

describe('Idempotency-Key', () => {
  it('is a retry with the same body, and a 422 with another body', async () => {
    const key = `k-${Date.now()}`;
    const body = JSON.stringify({ name: 'First Person', email: uniqueEmail() });
    const first = await post('/v1/forms/demo/leads', body, { 'idempotency-key': key });
    const retry = await post('/v1/forms/demo/leads', body, { 'idempotency-key': key });
    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    const firstId = ((await first.json()) as { leadId: string }).leadId;
    expect(((await retry.json()) as { leadId: string }).leadId).toBe(firstId);
    const other = await post(
      '/v1/forms/demo/leads',
      JSON.stringify({ name: 'Second', email: uniqueEmail() }),
      {
        'idempotency-key': key,
      },
    );
    expect(other.status).toBe(422);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_reused');
  });

  it('hashes the whole key: keys that differ only after 200 characters are two leads', async () => {
    const stem = 'x'.repeat(210);
    const a = await post('/v1/forms/demo/leads', JSON.stringify({ name: 'A', email: uniqueEmail() }), {
      'idempotency-key': `${stem}-a`,
    });
    const b = await post('/v1/forms/demo/leads', JSON.stringify({ name: 'B', email: uniqueEmail() }), {
      'idempotency-key': `${stem}-b`,
    });
    expect([a.status, b.status]).toEqual([202, 202]);
    const ids = [
      ((await a.json()) as { leadId: string }).leadId,
      ((await b.json()) as { leadId: string }).leadId,
    ];
    expect(ids[0]).not.toBe(ids[1]);
    expect((await storedLead(ids[1] ?? '')).contact.name).toBe('B');
  });
});

describe('legacy charsets', () => {
  it('decodes a windows-1256 form post from an old Arabic site', async () => {
    // سارة in windows-1256, percent-encoded as a browser sends a form declared with that charset.
    const body = `name=%D3%C7%D1%C9&email=${encodeURIComponent(uniqueEmail())}&city=%CC%CF%C9`;
    const response = await post('/v1/forms/demo/leads', body, {
      'content-type': 'application/x-www-form-urlencoded; charset=windows-1256',
    });
    expect(response.status).toBe(202);
    const { leadId } = (await response.json()) as { leadId: string };
    const lead = await storedLead(leadId);
    expect(lead.contact.name).toBe('سارة');
    expect(lead.contact.city).toBe('جدة');
  });

  it('refuses a charset it cannot read with 415, never as U+FFFD', async () => {
    const response = await post('/v1/forms/demo/leads', 'name=x', {
      'content-type': 'application/x-www-form-urlencoded; charset=x-klingon',
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unsupported_charset');
  });
});

describe("names that are Object.prototype's", () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'answers 404 for a form named %s',
    async (id) => {
      const response = await post(`/v1/forms/${id}/leads`, JSON.stringify({ email: uniqueEmail() }));
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unknown_form');
    },
  );

  it('keeps fields with those names as answers', async () => {
    const response = await post(
      '/v1/forms/demo/leads',
      '{"name":"Proto Person","email":"' +
        uniqueEmail() +
        '","constructor":"a","toString":"b","__proto__":"c","valueOf":"d"}',
    );
    expect(response.status).toBe(202);
    const { leadId } = (await response.json()) as { leadId: string };
    const lead = await storedLead(leadId);
    expect(lead.answers).toMatchObject({ constructor: 'a', toString: 'b', _proto_: 'c', valueOf: 'd' });
  });
});

type HttpRow = { request: string; run: () => Promise<Response>; status: number; code?: string };

const metaWebhookBody =
  '{"object":"page","entry":[{"id":"1","changes":[{"field":"leadgen","value":{"leadgen_id":"9","page_id":"1","form_id":"3"}}]}]}';

/** Ingest as lambda.ts builds it when the Meta app secret's SSM parameter does not exist yet. */
function ingestWithoutMetaSecret() {
  return wireIngest({
    ...functionOn({ ...emulatorClients(), resources: pipeline.resources }, 'ingest'),
    config: testConfig(),
    newId: () => '0197a000-0000-7000-8000-00000000dead',
    now: () => new Date(),
    logger: silentLogger(),
    missingSecrets: [{ name: 'facebook.appSecret', parameter: '/leadpipe/facebook/app-secret' }],
  });
}

async function invoke(event: Parameters<ReturnType<typeof wireIngest>>[0]): Promise<Response> {
  const result = await ingestWithoutMetaSecret()(event, context());
  return new Response(result.body ?? '', { status: result.statusCode });
}

const HTTP_ROWS: HttpRow[] = [
  {
    request: '`GET /v1/kpi/response-time?from=9999-12-31`',
    run: () => fetch(`${pipeline.url}/v1/kpi/response-time?from=9999-12-31`),
    status: 400,
    code: 'validation_failed',
  },
  {
    request: '`GET /v1/kpi/funnel?from=2020-01-01&to=2026-03-19`',
    run: () => fetch(`${pipeline.url}/v1/kpi/funnel?from=2020-01-01&to=2026-03-19`),
    status: 400,
    code: 'range_too_long',
  },
  {
    request: '`GET /v1/leads/<an id of 2 KB>`',
    run: () => fetch(`${pipeline.url}/v1/leads/${'a'.repeat(2048)}`),
    status: 404,
    code: 'unknown_lead',
  },
  {
    request: 'a path with malformed percent-encoding (`/v1/leads/%E0%A4%A`)',
    run: () => fetch(`${pipeline.url}/v1/leads/%E0%A4%A`),
    status: 400,
    code: 'malformed_path',
  },
  {
    request: 'a form post reusing an Idempotency-Key with another body',
    run: async () => {
      const key = `reused-${Date.now()}`;
      await post('/v1/forms/demo/leads', JSON.stringify({ email: uniqueEmail() }), {
        'idempotency-key': key,
      });
      return post('/v1/forms/demo/leads', JSON.stringify({ email: uniqueEmail() }), {
        'idempotency-key': key,
      });
    },
    status: 422,
    code: 'idempotency_key_reused',
  },
  {
    request: 'a Meta webhook while `/leadpipe/facebook/app-secret` does not exist',
    run: () =>
      invoke(
        httpEvent({
          method: 'POST',
          path: '/v1/webhooks/facebook',
          routeKey: 'POST /v1/webhooks/facebook',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
          body: metaWebhookBody,
        }),
      ),
    status: 503,
    code: 'source_not_ready',
  },
  {
    request: 'a Google webhook while only the Meta secret is missing',
    run: () =>
      invoke(
        httpEvent({
          method: 'POST',
          path: '/v1/webhooks/google',
          routeKey: 'POST /v1/webhooks/google',
          headers: { 'content-type': 'application/json' },
          body: googleLead(`conf-503-${Date.now()}`, 1, 10),
        }),
      ),
    status: 200,
  },
  {
    request: '`POST /v1/leads/{id}/assign` for a won or lost lead',
    run: async () => {
      const response = await post('/v1/forms/demo/leads', JSON.stringify({ email: uniqueEmail() }));
      const { leadId } = (await response.json()) as { leadId: string };
      await eventually('the assignment', async () => (await storedLead(leadId)).ownerId);
      await post(`/v1/leads/${leadId}/events`, JSON.stringify({ type: 'won', by: 'conformance' }));
      return post(
        `/v1/leads/${leadId}/assign`,
        JSON.stringify({ repId: 'omid', by: 'manager', reason: 'territory' }),
      );
    },
    status: 409,
    code: 'lead_closed',
  },
  {
    request: '`POST /v1/leads/{id}/events` disqualifying for a reason not configured',
    run: async () => {
      const leadId = await assignedLead();
      return post(
        `/v1/leads/${leadId}/events`,
        JSON.stringify({ type: 'disqualified', by: 'x', reason: 'bored' }),
      );
    },
    status: 400,
    code: 'unknown_reason',
  },
  {
    request: '`POST /v1/leads/{id}/notes` with 5,001 characters',
    run: async () => {
      const leadId = await assignedLead();
      return post(`/v1/leads/${leadId}/notes`, JSON.stringify({ text: 'ن'.repeat(5001), by: 'x' }));
    },
    status: 400,
    code: 'validation_failed',
  },
  {
    request: '`POST /v1/leads/{id}/tasks` due "tomorrow"',
    run: async () => {
      const leadId = await assignedLead();
      return post(`/v1/leads/${leadId}/tasks`, JSON.stringify({ type: 'call', dueAt: 'tomorrow', by: 'x' }));
    },
    status: 400,
    code: 'validation_failed',
  },
  {
    request: '`POST /v1/leads/{id}/tasks/{taskId}/cancel` for a task already done',
    run: async () => {
      const leadId = await assignedLead();
      const dueAt = new Date(Date.now() + 86_400_000).toISOString();
      const created = await post(
        `/v1/leads/${leadId}/tasks`,
        JSON.stringify({ type: 'call', dueAt, by: 'x' }),
      );
      const { task } = (await created.json()) as { task: { id: string } };
      await post(`/v1/leads/${leadId}/tasks/${task.id}/done`, JSON.stringify({ by: 'x' }));
      return post(`/v1/leads/${leadId}/tasks/${task.id}/cancel`, JSON.stringify({ by: 'x' }));
    },
    status: 409,
    code: 'task_closed',
  },
  {
    request: '`GET /v1/leads?q=a` (one character)',
    run: () => fetch(`${pipeline.url}/v1/leads?q=a`),
    status: 400,
    code: 'validation_failed',
  },
  {
    request: '`GET /v1/tasks` without `ownerId`, as a manager',
    run: () => fetch(`${pipeline.url}/v1/tasks`),
    status: 400,
    code: 'validation_failed',
  },
  {
    request: 'an import of 5 MB',
    run: () => importFile(Buffer.alloc(5 * 1024 * 1024, 'a')),
    status: 413,
    code: 'file_too_large',
  },
  {
    request: 'an import of 20,001 rows',
    run: () =>
      importFile(
        `email\r\n${Array.from({ length: 20_001 }, (_, i) => `r${i}@example.com`).join('\r\n')}\r\n`,
      ),
    status: 413,
    code: 'too_many_rows',
  },
  {
    request: "an import in Windows' Arabic code page, its encoding not named",
    run: () =>
      importFile(Buffer.from([0x45, 0x6d, 0x61, 0x69, 0x6c, 0x0d, 0x0a, 0xd3, 0xc7, 0xd1, 0xc9, 0x0d, 0x0a])),
    status: 422,
    code: 'wrong_encoding',
  },
  {
    request: 'an import with a row of more cells than the header',
    run: () => importFile('email,name\r\na@example.com,A,extra\r\n'),
    status: 422,
    code: 'ragged_rows',
  },
  {
    request: 'an import with a cell holding a formula (`=HYPERLINK(…)`)',
    run: () => importFile('email,name\r\na@example.com,"=HYPERLINK(""http://x.example"")"\r\n'),
    status: 422,
    code: 'formula_cells',
  },
  {
    request: 'an empty import',
    run: () => importFile(''),
    status: 422,
    code: 'empty_file',
  },
  {
    request: 'an import with no email or phone column',
    run: () => importFile('name,city\r\nSara,Riyadh\r\n'),
    status: 422,
    code: 'no_contact_column',
  },
  {
    request: 'an Excel workbook (.xlsx) sent as an import',
    run: () => importFile(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00])),
    status: 415,
    code: 'not_a_spreadsheet_text',
  },
  {
    request: 'an import sent as a multipart form upload',
    run: () => importFile('--x\r\n', { 'content-type': 'multipart/form-data; boundary=x' }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    request: 'an import by a rep (dashboard)',
    run: () =>
      post('/dashboard/api/v1/imports?source=conformance', 'email\r\na@example.com\r\n', {
        'content-type': 'text/csv',
        'x-leadpipe-local-user': 'rep:sara',
      }),
    status: 403,
    code: 'managers_only',
  },
  {
    request: '`won` with an amount of 10.005 SAR',
    run: async () => {
      const leadId = await assignedLead();
      return post(
        `/v1/leads/${leadId}/events`,
        JSON.stringify({ type: 'won', by: 'x', amount: '10.005', currency: 'SAR' }),
      );
    },
    status: 400,
    code: 'validation_failed',
  },
  {
    request: '`won` with an amount in a currency the config has no rate for',
    run: async () => {
      const leadId = await assignedLead();
      return post(
        `/v1/leads/${leadId}/events`,
        JSON.stringify({ type: 'won', by: 'x', amount: 100, currency: 'EUR' }),
      );
    },
    status: 400,
    code: 'no_rate',
  },
  {
    request: '`PUT /v1/spend` with a row in a currency the config has no rate for',
    run: () =>
      fetch(`${pipeline.url}/v1/spend`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          { day: '2026-03-19', source: 'google', campaign: 'x', amount: '1.00', currency: 'USD' },
          { day: '2026-03-19', source: 'google', campaign: 'y', amount: '1.00', currency: 'EUR' },
        ]),
      }),
    status: 400,
    code: 'no_rate',
  },
  {
    request: '`PATCH /v1/leads/{id}` on a won lead',
    run: async () => {
      const leadId = await assignedLead();
      await post(`/v1/leads/${leadId}/events`, JSON.stringify({ type: 'won', by: 'x' }));
      return fetch(`${pipeline.url}/v1/leads/${leadId}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ expectedValue: { amount: 5 } }),
      });
    },
    status: 409,
    code: 'lead_closed',
  },
];

/** A spreadsheet posted to the import route, as its bytes. */
function importFile(body: string | Uint8Array, headers: Record<string, string> = {}) {
  return post('/v1/imports?source=conformance', body, {
    'content-type': 'application/octet-stream',
    ...headers,
  });
}

/** A web form lead through the pipeline, waited for until it has an owner. */
async function assignedLead(): Promise<string> {
  const response = await post('/v1/forms/demo/leads', JSON.stringify({ email: uniqueEmail() }));
  const { leadId } = (await response.json()) as { leadId: string };
  await eventually('the assignment', async () => (await storedLead(leadId)).ownerId);
  return leadId;
}

describe('every HTTP row of docs/bad-inputs.md', () => {
  it('is listed in the doc with the answer it gets, and the doc lists nothing else', () => {
    const doc = readFileSync('docs/bad-inputs.md', 'utf8');
    const section = doc.slice(doc.indexOf('## Over HTTP'));
    const rows = section
      .slice(0, section.indexOf('\nAlso,'))
      .split('\n')
      .filter((line) => /^\| .+ \| \d{3} \|/.test(line))
      .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| /, '').trim()));
    expect(rows.map((r) => [r[0], r[1], r[2]?.split(' ')[0]?.replaceAll('`', '')])).toEqual(
      HTTP_ROWS.map((r) => [r.request, String(r.status), r.code ?? 'accepted:']),
    );
  });

  it.each(HTTP_ROWS.map((r) => [r.request, r] as const))('%s', async (_, row) => {
    const response = await row.run();
    expect(response.status).toBe(row.status);
    if (row.code) {
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(row.code);
      expect(body.error.message.length).toBeGreaterThan(10);
      if (row.code === 'source_not_ready')
        expect(body.error.message).toContain('/leadpipe/facebook/app-secret');
    }
  });
});

describe('every config lookup keyed by user input', () => {
  const names = Object.getOwnPropertyNames(Object.prototype);

  it('never lets a name of Object.prototype act as config: form ids, field names, campaigns, Google columns', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), fc.constantFrom(...names), async (a, b) => {
        expect((await post(`/v1/forms/${a}/leads`, JSON.stringify({ email: uniqueEmail() }))).status).toBe(
          404,
        );
        const form = await post(
          '/v1/forms/demo/leads',
          JSON.stringify({ email: uniqueEmail(), [a]: 'x', utm_campaign: b }),
        );
        expect(form.status).toBe(202);
        const webhook = JSON.parse(googleLead(`conf-proto-${a}-${b}-${Date.now()}`, 0, 1)) as {
          user_column_data: { column_id?: string; column_name?: string; string_value?: string }[];
        };
        webhook.user_column_data.push({ column_id: a, column_name: b, string_value: 'y' });
        expect((await post('/v1/webhooks/google', JSON.stringify(webhook))).status).toBe(200);
      }),
      { numRuns: 15 },
    );
  }, 60_000);
});

describe('sizes around the limits at the HTTP edge', () => {
  it.each([
    [299, 202],
    [300, 202],
    [301, 400],
  ])('a name of %i characters is answered %i', async (length, status) => {
    const response = await post(
      '/v1/forms/demo/leads',
      JSON.stringify({ name: 'ن'.repeat(length), email: uniqueEmail() }),
    );
    expect(response.status).toBe(status);
  });

  /** A JSON form body of exactly `bytes` bytes, padded with answers of at most 5,000 characters. */
  function bodyOf(bytes: number): string {
    const fields: Record<string, string> = { email: uniqueEmail() };
    for (let i = 0; Buffer.byteLength(JSON.stringify(fields)) < bytes; i++) {
      const room = bytes - Buffer.byteLength(JSON.stringify({ ...fields, [`pad${i}`]: '' }));
      fields[`pad${i}`] = 'x'.repeat(Math.max(0, Math.min(4000, room)));
    }
    return JSON.stringify(fields);
  }

  it.each([
    [65_535, 202],
    [65_536, 202],
    [65_537, 413],
  ])('a form body of %i bytes (the form allows 65,536) is answered %i', async (bytes, status) => {
    const body = bodyOf(bytes);
    expect(Buffer.byteLength(body)).toBe(bytes);
    expect((await post('/v1/forms/demo/leads', body)).status).toBe(status);
  });
});
