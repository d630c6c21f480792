import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from '../shared/config.ts';
import type { RoutingMessage } from '../shared/lead.ts';
import type {
  KpiStore,
  LeadRepository,
  Mailer,
  MessageSender,
  RepDirectory,
  SuppressionList,
  Workspace,
} from '../shared/ports.ts';
import type { TimerDeps } from '../shared/timer-service.ts';
import type { RepLookup } from './rep-lookup.ts';
import type { RepMail } from './rep-mail.ts';
import type { SendOnce } from './send-once.ts';

export type NurtureDeps = {
  config: Config;
  mailer: Mailer;
  /** Reps as stored (ops may have added one, or changed a language, since the config was written). */
  reps: Pick<RepDirectory, 'get'>;
  leads: Pick<LeadRepository, 'get' | 'recordFollowUp'>;
  kpis: Pick<KpiStore, 'record'>;
  timers: TimerDeps;
  suppressions: Pick<SuppressionList, 'find' | 'suppress'>;
  /** A task's state when its reminder falls due. */
  workspace: Pick<Workspace, 'getTask' | 'handOver'>;
  /** Escalations that reassign go back to routing, which owns the rotation. */
  routingQueue: MessageSender<RoutingMessage>;
  /** Remembers which mails were sent, so a redelivered record or timer mails nobody twice. */
  idempotency: BasePersistenceLayer;
  now: () => Date;
  logger: Logger;
};

/** What every nurture job shares: the ports, the send-once mailer, the rep lookup and the rep's mail. */
export type NurtureKit = NurtureDeps & {
  sendOnce: SendOnce;
  repById: RepLookup;
  mailRep: RepMail;
  /** The dashboard's page of a lead. */
  leadUrl: (id: string) => string;
  /** The From header of every mail. */
  from: string;
};
