import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import * as z from '../functions/shared/zod.ts';
import { connectToRunner } from '../local/runtime.ts';

// `npm run export -- [--out FILE] [--status won,lost] [--source facebook] [--owner sara] [--from D --to D]`:
// the running local pipeline's leads as a spreadsheet (UTF-8 CSV with a BOM), every part of a large export
// fetched in turn (the API answers at most 4 MB a response and links the next). In AWS, the dashboard's
// Export button downloads the same file with the signed-in viewer's token.
const Args = z.object({
  out: z._default(z.string().check(z.minLength(1)), 'leads.csv'),
  status: z.optional(z.string()),
  source: z.optional(z.string()),
  owner: z.optional(z.string()),
  from: z.optional(z.string()),
  to: z.optional(z.string()),
});

try {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      status: { type: 'string' },
      source: { type: 'string' },
      owner: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
    },
  });
  const args = Args.parse(values);
  const { url } = connectToRunner();
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({
    ...args,
    ownerId: args.owner,
    owner: undefined,
    out: undefined,
  }))
    if (value) params.set(key, value);
  const file = createWriteStream(args.out);
  let path: string | undefined = `/v1/leads/export.csv?${params}`;
  let parts = 0;
  let rows = 0;
  while (path) {
    const response = await fetch(`${url}${path}`);
    if (!response.ok) {
      const error = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
      throw new Error(error.error?.message ?? `${response.status} ${response.statusText}`);
    }
    let text = await response.text();
    // Each part starts with the byte-order mark and the header row: the file keeps the first part's only.
    if (parts > 0) text = text.replace(/^\uFEFF[^\r\n]*\r\n/, '');
    rows += text.split('\r\n').length - 1 - (parts === 0 ? 1 : 0);
    file.write(text);
    parts++;
    path = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
  }
  await new Promise<void>((resolve, reject) =>
    file.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  console.log(`${args.out}: ${rows} leads in ${parts} part${parts === 1 ? '' : 's'}`);
} catch (error) {
  console.error(
    `export: ${error instanceof z.core.$ZodError ? error.issues.map((i) => i.message).join('; ') : (error as Error).message}`,
  );
  process.exit(1);
}
