import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { documentClient } from '../functions/shared/aws/clients.ts';
import { backfillListKeys } from '../functions/shared/aws/dynamo-lead-list.ts';
import { connectToRunner } from '../local/runtime.ts';

// `npm run list-keys`: gives leads stored before the dashboard's list index their list keys, so the dashboard
// lists them. Against the running local pipeline; `-- --aws --table NAME` against AWS with your credentials.
const Args = z
  .object({ aws: z.boolean().default(false), table: z.string().min(3).optional() })
  .refine((a) => !a.aws || a.table, {
    message: 'with --aws, name the table: --table <the LeadsTableName output of the pipeline stack>',
  });

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

try {
  const { values } = parseArgs({ options: { aws: { type: 'boolean' }, table: { type: 'string' } } });
  const args = Args.parse(values);
  const table = args.aws ? args.table : (args.table ?? connectToRunner().tableName);
  if (table === undefined) throw new Error('no table');
  const dynamodb = new DynamoDBClient({});
  const { scanned, updated } = await backfillListKeys(documentClient(dynamodb), table);
  console.log(`${table}: ${scanned} items scanned, ${updated} leads given list keys`);
  dynamodb.destroy();
} catch (error) {
  console.error(
    `list-keys: ${error instanceof z.ZodError ? error.issues.map((i) => i.message).join('; ') : (error as Error).message}`,
  );
  process.exit(1);
}
