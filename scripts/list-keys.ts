import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from '../functions/shared/aws/clients.ts';
import { backfillListKeys } from '../functions/shared/aws/dynamo-lead-list.ts';
import { backfillSearchTerms } from '../functions/shared/aws/dynamo-lead-search.ts';
import * as z from '../functions/shared/zod.ts';
import { connectToRunner } from '../local/runtime.ts';

// `npm run list-keys`: gives leads stored before the dashboard's list index their list keys, so the dashboard
// lists them, and writes the search entries of leads stored before search existed, so a search finds them. Against the running local pipeline; against AWS with `-- --table NAME` (the LeadsTableName
// output) and your AWS credentials, as `npm run rescore` does.
const Args = z.object({
  table: z.optional(z.string().check(z.minLength(3, '--table takes the LeadsTableName output'))),
});

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

try {
  const { values } = parseArgs({ options: { table: { type: 'string' } } });
  const args = Args.parse(values);
  const table = args.table ?? connectToRunner().tableName;
  const dynamodb = new DynamoDBClient({});
  const { scanned, updated } = await backfillListKeys(documentClient(dynamodb), table);
  console.log(`${table}: ${scanned} items scanned, ${updated} leads given list keys`);
  const searched = await backfillSearchTerms(documentClient(dynamodb), table);
  console.log(`${table}: ${searched.indexed} leads written under their search terms`);
  dynamodb.destroy();
} catch (error) {
  console.error(
    `list-keys: ${error instanceof z.core.$ZodError ? error.issues.map((i) => i.message).join('; ') : (error as Error).message}`,
  );
  process.exit(1);
}
