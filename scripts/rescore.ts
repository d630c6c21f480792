import { parseArgs } from 'node:util';
import { rescore } from '../functions/scoring/core.ts';
import { documentClient } from '../functions/shared/aws/clients.ts';
import { DynamoLeadRepository } from '../functions/shared/aws/dynamo-lead-repository.ts';
import { scanPages } from '../functions/shared/aws/scan.ts';
import { Lead } from '../functions/shared/lead.ts';
import { SORT } from '../functions/shared/table-schema.ts';
import * as z from '../functions/shared/zod.ts';
import { loadConfigFile } from '../local/config-file.ts';
import { connectToRunner } from '../local/runtime.ts';

// `npm run rescore [-- --dry-run]`: scores every stored lead again with the current rules. Changing the
// config re-scores nothing by itself. Against AWS: `-- --table NAME --config FILE` with AWS credentials.
const Args = z.object({
  'dry-run': z._default(z.boolean(), false),
  table: z.optional(z.string().check(z.minLength(3))),
  config: z.optional(z.string().check(z.minLength(1))),
});

try {
  const { values } = parseArgs({
    options: { 'dry-run': { type: 'boolean' }, table: { type: 'string' }, config: { type: 'string' } },
  });
  const args = Args.parse(values);
  const runtime = args.table ? undefined : connectToRunner();
  const tableName = args.table ?? runtime?.tableName ?? '';
  const config = loadConfigFile(args.config ?? runtime?.configPath ?? 'leadpipe.config.yaml', process.env);
  const db = documentClient();
  const leads = new DynamoLeadRepository(db, tableName);
  const now = new Date();
  let scanned = 0;
  let changed = 0;
  let conflicts = 0;
  for await (const page of scanPages(db, {
    TableName: tableName,
    FilterExpression: '#sk = :lead',
    ExpressionAttributeNames: { '#sk': 'sk' },
    ExpressionAttributeValues: { ':lead': SORT.lead },
  })) {
    for (const item of page.Items ?? []) {
      scanned++;
      const lead = Lead.parse(item);
      const updated = rescore(lead, config, now);
      if (updated === undefined) continue;
      changed++;
      if (!args['dry-run'] && (await leads.saveMerged(updated, lead.version)) === 'conflict') conflicts++;
    }
  }
  const verb = args['dry-run'] ? 'would change' : 'changed';
  console.log(
    `${scanned} leads scored again: ${verb} ${changed}${conflicts ? `, ${conflicts} skipped (changed meanwhile; run again)` : ''}`,
  );
  db.destroy();
} catch (error) {
  console.error(
    `rescore: ${error instanceof z.core.$ZodError ? error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (error as Error).message}`,
  );
  process.exit(1);
}
