import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient } from '../shared/aws/clients.ts';
import { DynamoFailureLog, DynamoLeadRepository } from '../shared/aws/dynamo-lead-repository.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { fetchSsmParameters } from '../shared/aws/ssm-parameters.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { GraphEnv, parseEnv, RoutingQueueEnv, TableEnv } from '../shared/env.ts';
import { GraphApiClient } from '../shared/graph-api.ts';
import { createLogger } from '../shared/logger.ts';
import { resolveSecrets } from '../shared/secrets.ts';
import { createScoringHandler } from './handler.ts';

const env = parseEnv(TableEnv.extend(RoutingQueueEnv.shape).extend(GraphEnv.shape));
const config = await resolveSecrets(
  bundledConfig(),
  ['facebook.pageAccessToken', 'facebook.appSecret'],
  fetchSsmParameters,
);
const db = documentClient();
const facebook = config.sources.facebook;

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
  now: () => new Date(),
  logger: createLogger('scoring'),
});
