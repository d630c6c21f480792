import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { wireReconcile } from '../functions/reconcile/wiring.ts';
import { createLogger } from '../functions/shared/logger.ts';
import * as z from '../functions/shared/zod.ts';
import { loadConfigFile } from '../local/config-file.ts';
import { lambdaContext } from '../local/lambda-context.ts';
import { connectToRunner } from '../local/runtime.ts';

// `npm run backfill -- --source facebook --form ID --since ISO`: the reconcile job, run once by hand against
// the running local pipeline (in AWS it runs on a schedule, or `aws lambda invoke` with {"forms","since"}).
const Args = z.object({
  source: z.literal('facebook', {
    error: 'only --source facebook can be backfilled (Google has no read API for leads)',
  }),
  form: z.string().check(z.regex(/^\d+$/, '--form takes a numeric Meta form id')),
  since: z.iso.datetime({ offset: true, error: '--since takes an ISO time such as 2026-03-01T00:00:00Z' }),
});

try {
  const { values } = parseArgs({
    options: { source: { type: 'string' }, form: { type: 'string' }, since: { type: 'string' } },
  });
  const args = Args.parse(values);
  const runtime = connectToRunner();
  const config = loadConfigFile(runtime.configPath, process.env);
  const facebook = config.sources.facebook;
  if (!facebook) throw new Error(`${runtime.configPath} has no sources.facebook`);
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const sqs = new SQSClient({});
  const intake = runtime.queues.intake;
  if (!intake) throw new Error('the running pipeline has no intake queue');
  const dynamodb = new DynamoDBClient({});
  // The reconcile function as Lambda builds it, pointed at the running pipeline's resources.
  const reconcile = wireReconcile({
    clients: { dynamodb, sqs },
    env: {
      TABLE_NAME: runtime.tableName,
      INTAKE_QUEUE_URL: intake.url,
      GRAPH_API_BASE_URL: process.env.GRAPH_API_BASE_URL ?? runtime.graphApiUrl,
    },
    config,
    logger: createLogger('backfill'),
  });
  const summary = await reconcile(
    { forms: [args.form], since: args.since },
    lambdaContext('backfill', 900_000),
  );
  console.log(
    `form ${args.form} since ${summary.since}: ${summary.scanned} leads at Meta, ${summary.missing} missing here and queued`,
  );
  sqs.destroy();
  dynamodb.destroy();
} catch (error) {
  console.error(
    `backfill: ${error instanceof z.core.$ZodError ? error.issues.map((i) => i.message).join('; ') : (error as Error).message}`,
  );
  process.exit(1);
}
