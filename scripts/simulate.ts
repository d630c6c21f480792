import { createHmac, randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import * as z from '../functions/shared/zod.ts';
import { loadConfigFile } from '../local/config-file.ts';
import { personaLead } from '../local/fake-graph-api.ts';
import { connectToRunner } from '../local/runtime.ts';

// `npm run simulate -- facebook|google [--count N]`: sends what Meta or Google would send to the running local
// pipeline, signed or keyed with the local secrets, so the whole path can be watched end to end.
const Args = z.object({
  source: z.enum(['facebook', 'google'], {
    error: 'say which source: npm run simulate -- facebook (or google)',
  }),
  count: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 1),
});

async function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  console.log(`POST ${new URL(url).pathname} → ${response.status} ${await response.text()}`);
}

try {
  const { values, positionals } = parseArgs({
    options: { count: { type: 'string' } },
    allowPositionals: true,
  });
  const args = Args.parse({ source: positionals[0], count: values.count });
  const runtime = connectToRunner();
  const config = loadConfigFile(runtime.configPath, process.env);

  if (args.source === 'facebook') {
    const facebook = config.sources.facebook;
    if (!facebook) throw new Error(`${runtime.configPath} has no sources.facebook`);
    const formId = facebook.forms[0] ?? '100000000000001';
    const leadgenIds = Array.from(
      { length: args.count },
      () => `${randomInt(10 ** 8, 10 ** 9)}${randomInt(10 ** 7, 10 ** 8)}`,
    );
    for (const id of leadgenIds) {
      // What the person's form submission leaves at Meta (the built-in fake Graph API keeps it).
      await fetch(`${runtime.graphApiUrl}/_fake/leads`, {
        method: 'POST',
        body: JSON.stringify(personaLead(id, formId)),
      });
    }
    const body = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: '138124712925158',
          time: Math.floor(Date.now() / 1000),
          changes: leadgenIds.map((id) => ({
            field: 'leadgen',
            value: {
              leadgen_id: id,
              page_id: '138124712925158',
              form_id: formId,
              created_time: Math.floor(Date.now() / 1000),
            },
          })),
        },
      ],
    });
    const signature = `sha256=${createHmac('sha256', facebook.appSecret).update(body).digest('hex')}`;
    await post(`${runtime.url}/v1/webhooks/facebook`, body, { 'x-hub-signature-256': signature });
  } else {
    const google = config.sources.google;
    if (!google) throw new Error(`${runtime.configPath} has no sources.google`);
    for (let i = 0; i < args.count; i++) {
      const body = JSON.stringify({
        lead_id: `sim-${Date.now()}-${i}`,
        api_version: '1.0',
        form_id: 349080077126,
        campaign_id: 23729418209,
        google_key: google.key,
        is_test: false,
        gcl_id: `sim-gclid-${i}`,
        user_column_data: [
          { column_name: 'Full Name', string_value: 'ليلى حداد', column_id: 'FULL_NAME' },
          {
            column_name: 'User Email',
            string_value: `layla.${Date.now()}.${i}@example.ae`,
            column_id: 'EMAIL',
          },
          { column_name: 'User Phone', string_value: '+971 50 123 4567', column_id: 'PHONE_NUMBER' },
          { column_name: 'Company Name', string_value: 'Gulf Trading', column_id: 'COMPANY_NAME' },
          // A custom question: keyed `budget`, so the demo's big-budget rule scores it.
          { column_name: 'ما هي ميزانيتك؟', string_value: '25000', column_id: 'budget' },
        ],
      });
      await post(`${runtime.url}/v1/webhooks/google`, body, {});
    }
  }
  console.log(`watch the rep's mail at ${runtime.url}/_local/outbox`);
} catch (error) {
  console.error(
    `simulate: ${error instanceof z.core.$ZodError ? error.issues.map((i) => i.message).join('; ') : (error as Error).message}`,
  );
  process.exit(1);
}
