import { documentClient } from '../shared/aws/clients.ts';
import { DynamoImportLog } from '../shared/aws/dynamo-import-log.ts';
import { DynamoFailureLog, DynamoLeadRepository } from '../shared/aws/dynamo-lead-repository.ts';
import { DynamoLeadSearch } from '../shared/aws/dynamo-lead-search.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { GraphEnv, parseEnv, RoutingQueueEnv, TableEnv } from '../shared/env.ts';
import { GraphApiClient } from '../shared/graph-api.ts';
import { createLogger } from '../shared/logger.ts';
import { missingFor } from '../shared/secrets.ts';
import { systemClock, type WiringInput } from '../shared/wiring.ts';
import * as z from '../shared/zod.ts';
import { createScoringHandler } from './handler.ts';

export const ScoringEnv = z.object({ ...TableEnv.shape, ...RoutingQueueEnv.shape, ...GraphEnv.shape });

/** The scoring function as Lambda, the local runner and the tests run it. */
export function wireScoring(input: WiringInput<'dynamodb' | 'sqs'> & { graphBackoffMs?: number }) {
  const env = parseEnv(ScoringEnv, input.env);
  const db = documentClient(input.clients.dynamodb);
  const logger = input.logger ?? createLogger('scoring');
  // Web-form and Google leads need no secret here: a Meta secret not created yet stops only Meta leads.
  const missing = missingFor(input.missingSecrets ?? [], 'facebook.');
  for (const secret of missing)
    logger.error('secret missing', { secret: secret.name, parameter: secret.parameter });
  const facebook = missing.length === 0 ? input.config.sources.facebook : undefined;
  return createScoringHandler({
    config: input.config,
    leads: new DynamoLeadRepository(db, env.TABLE_NAME),
    routingQueue: new SqsSender(input.clients.sqs, env.ROUTING_QUEUE_URL),
    ...(facebook
      ? {
          metaLeads: new GraphApiClient({
            baseUrl: env.GRAPH_API_BASE_URL,
            version: facebook.graphApiVersion,
            accessToken: facebook.pageAccessToken,
            appSecret: facebook.appSecret,
            ...(input.graphBackoffMs !== undefined ? { backoffMs: input.graphBackoffMs } : {}),
          }),
        }
      : {}),
    ...(missing.length > 0
      ? {
          metaUnavailable: `Meta leads wait: create the SSM parameter ${missing.map((m) => m.parameter).join(' and ')}, then redrive the intake DLQ.`,
        }
      : {}),
    failures: new DynamoFailureLog(db, env.TABLE_NAME),
    search: new DynamoLeadSearch(db, env.TABLE_NAME),
    imports: new DynamoImportLog(db, env.TABLE_NAME, input.now ?? systemClock),
    now: input.now ?? systemClock,
    logger,
  });
}
