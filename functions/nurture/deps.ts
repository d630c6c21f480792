import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from '../shared/config.ts';
import type { CrmLead } from '../shared/crm/odoo-leads.ts';
import type { RoutingMessage } from '../shared/lead.ts';
import type {
  ChatPoster,
  KpiStore,
  LeadRepository,
  Mailer,
  MessageLog,
  MessageSender,
  RepDirectory,
  SmsSender,
  SuppressionList,
  WebhookSender,
  WebhookStore,
  WhatsAppSender,
  Workspace,
} from '../shared/ports.ts';
import type { TimerDeps } from '../shared/timer-service.ts';
import type { WebhookEventType } from '../shared/webhooks.ts';
import type { Notify } from './notify.ts';
import type { RepLookup } from './rep-lookup.ts';
import type { RepNotice } from './rep-mail.ts';
import type { SendChannelOnce, SendOnce } from './send-once.ts';
import type { TellTeam } from './team-chat.ts';

export type NurtureDeps = {
  config: Config;
  mailer: Mailer;
  /** Reps as stored (ops may have added one, or changed a language, since the config was written). */
  reps: Pick<RepDirectory, 'get'>;
  leads: Pick<LeadRepository, 'get' | 'getMany' | 'recordFollowUp'>;
  kpis: Pick<KpiStore, 'recordAll' | 'recordFromShard'>;
  timers: TimerDeps;
  suppressions: Pick<SuppressionList, 'find' | 'suppress'>;
  /** A task's state when its reminder falls due. */
  workspace: Pick<Workspace, 'getTask' | 'handOver'>;
  /** Escalations that reassign go back to routing, which owns the rotation. */
  routingQueue: MessageSender<RoutingMessage>;
  /** Channels besides email: undefined when not configured. */
  whatsapp?: WhatsAppSender;
  sms?: SmsSender;
  chat: ChatPoster;
  /** Outbound webhooks: subscriptions, outboxes, the delivery log; and the guarded POST to subscribers. */
  webhooks: WebhookStore;
  webhookSender: WebhookSender;
  /** Odoo, when configured: each lead event upserts the lead's crm.lead, through the webhooks' outbox. */
  crm?: { push(type: WebhookEventType, lead: CrmLead): Promise<number> };
  /** The lead's timeline of messages: which channel reached whom. */
  messages: Pick<MessageLog, 'record' | 'claim'>;
  /** Remembers which mails were sent, so a redelivered record or timer mails nobody twice. */
  idempotency: BasePersistenceLayer;
  now: () => Date;
  logger: Logger;
  /** Telegram's Bot API (a local stand-in in local runs). */
  telegramApiUrl?: string;
};

/** What every nurture job shares: the ports, the send-once mailer, the rep lookup and the rep's mail. */
export type NurtureKit = NurtureDeps & {
  sendOnce: SendOnce;
  sendChannelOnce: SendChannelOnce;
  repById: RepLookup;
  /** A message to a rep or manager over the channels its kind goes by, first that reaches them wins. */
  notify: Notify;
  notifyRep: RepNotice;
  tellTeam: TellTeam;
  /** The lead's page in the API (the email's link; it opens the dashboard for a signed-in person). */
  leadUrl: (id: string) => string;
  /** The lead in the dashboard: the link of chat, SMS and WhatsApp messages. */
  dashboardLeadUrl: (id: string) => string;
  /** The From header of every mail. */
  from: string;
};
