import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { IMPORT_MAX_BYTES, type ImportView } from '../functions/shared/imports.ts';
import * as z from '../functions/shared/zod.ts';
import { connectToRunner } from '../local/runtime.ts';

// `npm run import -- FILE --source NAME [--no-route] [--encoding windows-1256] [--format meta|google|generic]
// [--locale fa] [--country IR]`: a spreadsheet of leads into the running local pipeline, through the same
// `POST /v1/imports` the dashboard uses; waits until every row is stored and prints what became of each.
const Args = z.object({
  file: z
    .string({ error: 'name the file: npm run import -- leads.csv --source expo-riyadh' })
    .check(z.minLength(1)),
  source: z
    .string({ error: 'name the import: --source expo-riyadh (its leads’ form)' })
    .check(z.minLength(1)),
  route: z.boolean(),
  encoding: z.optional(z.string()),
  format: z.optional(z.string()),
  locale: z.optional(z.string()),
  country: z.optional(z.string()),
});

try {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      'no-route': { type: 'boolean' },
      encoding: { type: 'string' },
      format: { type: 'string' },
      locale: { type: 'string' },
      country: { type: 'string' },
    },
  });
  const args = Args.parse({ ...values, file: positionals[0], route: !values['no-route'] });
  const size = statSync(args.file).size;
  if (size > IMPORT_MAX_BYTES)
    throw new Error(
      `${args.file} is ${(size / 1_048_576).toFixed(1)} MB; one import takes at most ${IMPORT_MAX_BYTES / 1_048_576} MB (about 20,000 rows). Split it into several files.`,
    );
  const { url } = connectToRunner();
  const params = new URLSearchParams({ source: args.source, fileName: basename(args.file) });
  if (!args.route) params.set('route', 'false');
  for (const key of ['encoding', 'format', 'locale', 'country'] as const) {
    const value = args[key];
    if (value) params.set(key, value);
  }
  // The bytes as they are: the server reads the encoding (a UTF-16 Meta download stays UTF-16).
  const response = await fetch(`${url}/v1/imports?${params}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: readFileSync(args.file),
  });
  const answer = (await response.json()) as {
    id?: string;
    format?: string;
    error?: { message?: string; issues?: { path: string; message: string }[] };
  };
  if (response.status !== 202 || answer.id === undefined) {
    const issues = (answer.error?.issues ?? []).map((i) => `\n  ${i.path}: ${i.message}`).join('');
    throw new Error(`${answer.error?.message ?? `${response.status} ${response.statusText}`}${issues}`);
  }
  console.log(`import ${answer.id}: ${answer.format} file, waiting for the pipeline…`);
  let view: ImportView | undefined;
  for (const deadline = Date.now() + 10 * 60_000; Date.now() < deadline; ) {
    view = (await (await fetch(`${url}/v1/imports/${answer.id}`)).json()) as ImportView;
    if (view.status !== 'importing') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  if (view === undefined) throw new Error('the import could not be read');
  console.log(
    `${view.rows} row${view.rows === 1 ? '' : 's'}: ${view.created} new lead${view.created === 1 ? '' : 's'}, ${view.merged} already known (merged), ${view.refusedCount} refused${view.pending > 0 ? `, ${view.pending} still in the pipeline` : ''}`,
  );
  for (const r of view.refused) console.log(`  row ${r.row}: ${r.reason}`);
  if (view.refusedCount > view.refused.length)
    console.log(`  … and ${view.refusedCount - view.refused.length} more`);
  if (view.interrupted) throw new Error(view.interrupted);
} catch (error) {
  console.error(
    `import: ${error instanceof z.core.$ZodError ? error.issues.map((i) => i.message).join('; ') : (error as Error).message}`,
  );
  process.exit(1);
}
