import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { documentClient } from '../shared/aws/clients.ts';
import { DynamoKpiStore } from '../shared/aws/dynamo-kpi-store.ts';
import { DynamoLeadRepository } from '../shared/aws/dynamo-lead-repository.ts';
import { DynamoMessageLog } from '../shared/aws/dynamo-message-log.ts';
import { DynamoRepRepository } from '../shared/aws/dynamo-rep-repository.ts';
import { DynamoSuppressionList } from '../shared/aws/dynamo-suppression-list.ts';
import { DynamoTimerStore } from '../shared/aws/dynamo-timer-store.ts';
import { DynamoWebhookStore } from '../shared/aws/dynamo-webhooks.ts';
import { DynamoWorkspace } from '../shared/aws/dynamo-workspace.ts';
import { SesMailer } from '../shared/aws/ses-mailer.ts';
import { EndUserMessagingSms } from '../shared/aws/sms-sender.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { OutboundWebhookSender, WebhookChatPoster, whatsappSender } from '../shared/channels/senders.ts';
import { OdooClient } from '../shared/crm/odoo.ts';
import { OdooLeadSync } from '../shared/crm/odoo-leads.ts';
import {
  GraphEnv,
  IdempotencyEnv,
  MailEnv,
  OutboundEnv,
  parseEnv,
  RoutingQueueEnv,
  TableEnv,
  TimerQueueEnv,
} from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import type { Mailer } from '../shared/ports.ts';
import { missingFor } from '../shared/secrets.ts';
import type { TimerMessage } from '../shared/timers.ts';
import { systemClock, type WiringInput } from '../shared/wiring.ts';
import * as z from '../shared/zod.ts';
import { createNurtureHandler } from './handler.ts';

export const NurtureEnv = z.object({
  ...IdempotencyEnv.shape,
  ...MailEnv.shape,
  ...TableEnv.shape,
  ...TimerQueueEnv.shape,
  ...RoutingQueueEnv.shape,
  ...GraphEnv.shape,
  ...OutboundEnv.shape,
});

/**
 * The nurture function (the table's stream, the timer queue, SES feedback through SNS, replays) as Lambda, the
 * local runner and the tests run it. `observeMail` lets the local runner watch what SES accepted (its outbox
 * and SES's mailbox simulator); in AWS the SES client is the whole story.
 */
export function wireNurture(
  input: WiringInput<'dynamodb' | 'sqs' | 'ses' | 'sms'> & { observeMail?: (mailer: Mailer) => Mailer },
) {
  const env = parseEnv(NurtureEnv, input.env);
  const db = documentClient(input.clients.dynamodb);
  const ses = new SesMailer(input.clients.ses, env.SES_CONFIGURATION_SET);
  const logger = input.logger ?? createLogger('nurture');
  const { whatsapp, sms } = input.config.notifications;
  // A channel whose secret is not in SSM yet is left out: its messages fall through to the next channel.
  const missing = input.missingSecrets ?? [];
  for (const secret of missing)
    logger.error('secret missing', { secret: secret.name, parameter: secret.parameter });
  const whatsappReady = whatsapp !== undefined && missingFor(missing, 'notifications.whatsapp.').length === 0;
  const odoo = missingFor(missing, 'crm.odoo.').length === 0 ? input.config.crm.odoo : undefined;
  return createNurtureHandler({
    config: input.config,
    mailer: input.observeMail ? input.observeMail(ses) : ses,
    reps: new DynamoRepRepository(db, env.TABLE_NAME, input.config.routing.reps),
    leads: new DynamoLeadRepository(db, env.TABLE_NAME),
    kpis: new DynamoKpiStore(db, env.TABLE_NAME),
    timers: {
      store: new DynamoTimerStore(db, env.TABLE_NAME),
      queue: new SqsSender<TimerMessage>(input.clients.sqs, env.TIMER_QUEUE_URL),
    },
    suppressions: new DynamoSuppressionList(db, env.TABLE_NAME),
    workspace: new DynamoWorkspace(db, env.TABLE_NAME),
    routingQueue: new SqsSender(input.clients.sqs, env.ROUTING_QUEUE_URL),
    idempotency: new DynamoDBPersistenceLayer({
      tableName: env.IDEMPOTENCY_TABLE_NAME,
      awsSdkV3Client: input.clients.dynamodb,
    }),
    ...(whatsappReady
      ? {
          whatsapp: whatsappSender(env.GRAPH_API_BASE_URL, whatsapp),
        }
      : {}),
    ...(sms
      ? {
          sms: new EndUserMessagingSms(input.clients.sms, {
            originationIdentity: sms.originationIdentity,
            ...(sms.configurationSet ? { configurationSet: sms.configurationSet } : {}),
            ...(sms.maxPrice ? { maxPrice: sms.maxPrice } : {}),
          }),
        }
      : {}),
    chat: new WebhookChatPoster({ allowLoopback: env.OUTBOUND_ALLOW_LOOPBACK === 'true' }),
    webhooks: new DynamoWebhookStore(db, env.TABLE_NAME),
    webhookSender: new OutboundWebhookSender({ allowLoopback: env.OUTBOUND_ALLOW_LOOPBACK === 'true' }),
    ...(odoo
      ? {
          crm: new OdooLeadSync(
            new OdooClient({ url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey }),
            { users: odoo.users, stages: odoo.stages, ...(odoo.teamId ? { teamId: odoo.teamId } : {}) },
          ),
        }
      : {}),
    messages: new DynamoMessageLog(db, env.TABLE_NAME),
    telegramApiUrl: env.TELEGRAM_API_BASE_URL,
    now: input.now ?? systemClock,
    logger,
  });
}
