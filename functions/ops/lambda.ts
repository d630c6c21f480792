import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient } from '../shared/aws/clients.ts';
import { DynamoKpiStore } from '../shared/aws/dynamo-kpi-store.ts';
import { DynamoLeadLister } from '../shared/aws/dynamo-lead-list.ts';
import { DynamoLeadRepository } from '../shared/aws/dynamo-lead-repository.ts';
import { DynamoRepRepository } from '../shared/aws/dynamo-rep-repository.ts';
import { DynamoSuppressionList } from '../shared/aws/dynamo-suppression-list.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { fetchSsmParameters } from '../shared/aws/ssm-parameters.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { bundledDashboard } from '../shared/dashboard-assets.ts';
import { DashboardEnv, parseEnv, RoutingQueueEnv, TableEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { resolveSecrets } from '../shared/secrets.ts';
import { createOpsHandler } from './handler.ts';

const env = parseEnv(TableEnv.extend(RoutingQueueEnv.shape).extend(DashboardEnv.shape));
const db = documentClient();

const config = await resolveSecrets(bundledConfig(), ['mail.linkSigningKey'], fetchSsmParameters);

export const handler = createOpsHandler({
  config,
  leads: new DynamoLeadRepository(db, env.TABLE_NAME),
  lister: new DynamoLeadLister(db, env.TABLE_NAME),
  dashboard: bundledDashboard(),
  signIn: { domain: env.DASHBOARD_SIGN_IN_DOMAIN, clientId: env.DASHBOARD_CLIENT_ID },
  reps: new DynamoRepRepository(db, env.TABLE_NAME, config.routing.reps),
  kpis: new DynamoKpiStore(db, env.TABLE_NAME),
  routingQueue: new SqsSender(new SQSClient({}), env.ROUTING_QUEUE_URL),
  suppressions: new DynamoSuppressionList(db, env.TABLE_NAME),
  now: () => new Date(),
  logger: createLogger('ops'),
});
