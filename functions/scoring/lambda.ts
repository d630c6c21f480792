import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient } from '../shared/aws/clients.ts';
import { DynamoFailureLog, DynamoLeadRepository } from '../shared/aws/dynamo-lead-repository.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { fetchSsmParameters } from '../shared/aws/ssm-parameters.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { GraphEnv, parseEnv, RoutingQueueEnv, TableEnv } from '../shared/env.ts';
import { GraphApiClient } from '../shared/graph-api.ts';
import { createLogger } from '../shared/logger.ts';
import { resolveAvailableSecrets } from '../shared/secrets.ts';
import { createScoringHandler } from './handler.ts';

const env = parseEnv(TableEnv.extend(RoutingQueueEnv.shape).extend(GraphEnv.shape));
// Web-form and Google leads need no secret here: a Meta secret not created yet stops only Meta leads.
const { config, missing } = await resolveAvailableSecrets(
  bundledConfig(),
  ['facebook.pageAccessToken', 'facebook.appSecret'],
  fetchSsmParameters,
);
const db = documentClient();
const facebook = missing.length === 0 ? config.sources.facebook : undefined;
const logger = createLogger('scoring');
for (const secret of missing)
  logger.error('secret missing', { secret: secret.name, parameter: secret.parameter });

export const handler = createScoringHandler({
  config,
  leads: new DynamoLeadRepository(db, env.TABLE_NAME),
  routingQueue: new SqsSender(new SQSClient({}), env.ROUTING_QUEUE_URL),
  ...(facebook
    ? {
        metaLeads: new GraphApiClient({
          baseUrl: env.GRAPH_API_BASE_URL,
          version: facebook.graphApiVersion,
          accessToken: facebook.pageAccessToken,
          appSecret: facebook.appSecret,
        }),
      }
    : {}),
  failures: new DynamoFailureLog(db, env.TABLE_NAME),
  ...(missing.length > 0
    ? {
        metaUnavailable: `Meta leads wait: create the SSM parameter ${missing.map((m) => m.parameter).join(' and ')}, then redrive the intake DLQ.`,
      }
    : {}),
  now: () => new Date(),
  logger,
});
