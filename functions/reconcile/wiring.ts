import { documentClient } from '../shared/aws/clients.ts';
import { DynamoLeadRepository } from '../shared/aws/dynamo-lead-repository.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { GraphEnv, IntakeQueueEnv, parseEnv, TableEnv } from '../shared/env.ts';
import { GraphApiClient } from '../shared/graph-api.ts';
import { createLogger } from '../shared/logger.ts';
import { missingFor } from '../shared/secrets.ts';
import { systemClock, type WiringInput } from '../shared/wiring.ts';
import * as z from '../shared/zod.ts';
import { createReconcileHandler } from './handler.ts';

export const ReconcileEnv = z.object({ ...TableEnv.shape, ...IntakeQueueEnv.shape, ...GraphEnv.shape });

/** The reconcile job as Lambda, the local runner (npm run backfill) and the tests run it. */
export function wireReconcile(input: WiringInput<'dynamodb' | 'sqs'>) {
  const env = parseEnv(ReconcileEnv, input.env);
  const facebook = input.config.sources.facebook;
  if (facebook === undefined)
    throw new Error('the reconcile function needs a facebook source in the configuration');
  const missing = missingFor(input.missingSecrets ?? [], 'facebook.');
  return createReconcileHandler({
    config: input.config,
    metaLeads: new GraphApiClient({
      baseUrl: env.GRAPH_API_BASE_URL,
      version: facebook.graphApiVersion,
      accessToken: facebook.pageAccessToken,
      appSecret: facebook.appSecret,
    }),
    leads: new DynamoLeadRepository(documentClient(input.clients.dynamodb), env.TABLE_NAME),
    intakeQueue: new SqsSender(input.clients.sqs, env.INTAKE_QUEUE_URL),
    ...(missing.length > 0
      ? { metaUnavailable: `create the SSM parameter ${missing.map((m) => m.parameter).join(' and ')}` }
      : {}),
    now: input.now ?? systemClock,
    logger: input.logger ?? createLogger('reconcile'),
  });
}
