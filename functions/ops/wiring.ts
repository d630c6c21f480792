import { randomUUID } from 'node:crypto';
import { documentClient } from '../shared/aws/clients.ts';
import { DynamoImportLog } from '../shared/aws/dynamo-import-log.ts';
import { DynamoKpiStore } from '../shared/aws/dynamo-kpi-store.ts';
import { DynamoLeadLister } from '../shared/aws/dynamo-lead-list.ts';
import { DynamoLeadRepository } from '../shared/aws/dynamo-lead-repository.ts';
import { DynamoLeadSearch } from '../shared/aws/dynamo-lead-search.ts';
import { DynamoMessageLog } from '../shared/aws/dynamo-message-log.ts';
import { DynamoRepRepository } from '../shared/aws/dynamo-rep-repository.ts';
import { DynamoSpendBook } from '../shared/aws/dynamo-spend-book.ts';
import { DynamoSuppressionList } from '../shared/aws/dynamo-suppression-list.ts';
import { DynamoTimerStore } from '../shared/aws/dynamo-timer-store.ts';
import { DynamoWebhookStore } from '../shared/aws/dynamo-webhooks.ts';
import { DynamoWorkspace } from '../shared/aws/dynamo-workspace.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { whatsappSender } from '../shared/channels/senders.ts';
import type { DashboardAssets } from '../shared/dashboard-assets.ts';
import {
  DashboardEnv,
  GraphEnv,
  IntakeQueueEnv,
  OutboundEnv,
  parseEnv,
  RoutingQueueEnv,
  TableEnv,
  TimerQueueEnv,
} from '../shared/env.ts';
import type { IntakeMessage } from '../shared/lead.ts';
import { createLogger } from '../shared/logger.ts';
import { missingFor } from '../shared/secrets.ts';
import type { TimerMessage } from '../shared/timers.ts';
import { systemClock, type WiringInput } from '../shared/wiring.ts';
import * as z from '../shared/zod.ts';
import { createOpsHandler } from './handler.ts';

export const OpsEnv = z.object({
  ...TableEnv.shape,
  ...RoutingQueueEnv.shape,
  ...TimerQueueEnv.shape,
  ...IntakeQueueEnv.shape,
  ...GraphEnv.shape,
  ...OutboundEnv.shape,
  ...z.partial(DashboardEnv).shape,
});

/**
 * The ops function (API, action links, unsubscribe, dashboard) as Lambda, the local runner and the tests run
 * it. The dashboard's files ship beside the bundle in AWS (read on first request) and are built at start locally; without a Cognito
 * sign-in in the environment (loopback), the page needs none.
 */
export function wireOps(
  input: WiringInput<'dynamodb' | 'sqs'> & {
    dashboard?: () => DashboardAssets | undefined;
    exportPartBytes?: number;
  },
) {
  const env = parseEnv(OpsEnv, input.env);
  const db = documentClient(input.clients.dynamodb);
  const logger = input.logger ?? createLogger('ops');
  const whatsapp = input.config.notifications.whatsapp;
  const missing = missingFor(input.missingSecrets ?? [], 'notifications.whatsapp.');
  for (const secret of missing)
    logger.error('secret missing', { secret: secret.name, parameter: secret.parameter });
  return createOpsHandler({
    config: input.config,
    leads: new DynamoLeadRepository(db, env.TABLE_NAME),
    lister: new DynamoLeadLister(db, env.TABLE_NAME),
    ...(input.dashboard ? { dashboard: input.dashboard } : {}),
    ...(env.DASHBOARD_SIGN_IN_DOMAIN && env.DASHBOARD_CLIENT_ID
      ? { signIn: { domain: env.DASHBOARD_SIGN_IN_DOMAIN, clientId: env.DASHBOARD_CLIENT_ID } }
      : {}),
    reps: new DynamoRepRepository(db, env.TABLE_NAME, input.config.routing.reps),
    kpis: new DynamoKpiStore(db, env.TABLE_NAME),
    spend: new DynamoSpendBook(db, env.TABLE_NAME, input.config.money.reportingCurrency),
    routingQueue: new SqsSender(input.clients.sqs, env.ROUTING_QUEUE_URL),
    suppressions: new DynamoSuppressionList(db, env.TABLE_NAME),
    workspace: new DynamoWorkspace(db, env.TABLE_NAME),
    search: new DynamoLeadSearch(db, env.TABLE_NAME),
    timers: {
      store: new DynamoTimerStore(db, env.TABLE_NAME),
      queue: new SqsSender<TimerMessage>(input.clients.sqs, env.TIMER_QUEUE_URL),
    },
    imports: new DynamoImportLog(db, env.TABLE_NAME, input.now ?? systemClock),
    intakeQueue: new SqsSender<IntakeMessage>(input.clients.sqs, env.INTAKE_QUEUE_URL),
    messages: new DynamoMessageLog(db, env.TABLE_NAME),
    webhooks: new DynamoWebhookStore(db, env.TABLE_NAME),
    allowLoopback: env.OUTBOUND_ALLOW_LOOPBACK === 'true',
    ...(whatsapp && missing.length === 0
      ? {
          whatsapp: whatsappSender(env.GRAPH_API_BASE_URL, whatsapp),
        }
      : {}),
    ...(missing.length > 0
      ? {
          whatsappUnavailable: `WhatsApp waits: create the SSM parameter ${missing.map((m) => m.parameter).join(' and ')}.`,
        }
      : {}),
    newId: randomUUID,
    ...(input.exportPartBytes !== undefined ? { exportPartBytes: input.exportPartBytes } : {}),
    now: input.now ?? systemClock,
    logger,
  });
}
