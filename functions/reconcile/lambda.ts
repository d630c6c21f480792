import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient } from '../shared/aws/clients.ts';
import { DynamoLeadRepository } from '../shared/aws/dynamo-lead-repository.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { fetchSsmParameters } from '../shared/aws/ssm-parameters.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { GraphEnv, IntakeQueueEnv, parseEnv, TableEnv } from '../shared/env.ts';
import { GraphApiClient } from '../shared/graph-api.ts';
import { createLogger } from '../shared/logger.ts';
import { resolveAvailableSecrets } from '../shared/secrets.ts';
import { createReconcileHandler } from './handler.ts';

const env = parseEnv(TableEnv.extend(IntakeQueueEnv.shape).extend(GraphEnv.shape));
const { config, missing } = await resolveAvailableSecrets(
  bundledConfig(),
  ['facebook.pageAccessToken', 'facebook.appSecret'],
  fetchSsmParameters,
);
const facebook = config.sources.facebook;
if (facebook === undefined)
  throw new Error('the reconcile function needs a facebook source in the configuration');

export const handler = createReconcileHandler({
  config,
  metaLeads: new GraphApiClient({
    baseUrl: env.GRAPH_API_BASE_URL,
    version: facebook.graphApiVersion,
    accessToken: facebook.pageAccessToken,
    appSecret: facebook.appSecret,
  }),
  leads: new DynamoLeadRepository(documentClient(), env.TABLE_NAME),
  intakeQueue: new SqsSender(new SQSClient({}), env.INTAKE_QUEUE_URL),
  ...(missing.length > 0
    ? { metaUnavailable: `create the SSM parameter ${missing.map((m) => m.parameter).join(' and ')}` }
    : {}),
  now: () => new Date(),
  logger: createLogger('reconcile'),
});
