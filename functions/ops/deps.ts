import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Config } from '../shared/config.ts';
import type { DashboardAssets, DashboardSignIn } from '../shared/dashboard-assets.ts';
import type { HttpResponse } from '../shared/http.ts';
import type { IntakeMessage, RoutingMessage } from '../shared/lead.ts';
import type {
  ImportLog,
  KpiStore,
  LeadLister,
  LeadRepository,
  LeadSearch,
  MessageLog,
  MessageSender,
  RepDirectory,
  SpendBook,
  SuppressionList,
  WebhookStore,
  WhatsAppSender,
  Workspace,
} from '../shared/ports.ts';
import type { OpsRouteKey } from '../shared/routes.ts';
import type { TimerDeps } from '../shared/timer-service.ts';
import type { Viewer } from './core.ts';

export type OpsDeps = {
  config: Config;
  leads: Pick<LeadRepository, 'get' | 'recordStatus' | 'reassign' | 'leaveWaiting' | 'waiting' | 'setValues'>;
  lister: LeadLister;
  /** The dashboard's built files; without them `/dashboard` answers 404. */
  dashboard?: () => DashboardAssets | undefined;
  /** Cognito's sign-in for the dashboard in AWS; locally none (loopback needs no sign-in). */
  signIn?: DashboardSignIn;
  reps: Pick<RepDirectory, 'get' | 'roster' | 'add' | 'update'>;
  kpis: Pick<KpiStore, 'query'>;
  /** Ad spend per source, campaign and day, for the ROI report. */
  spend: SpendBook;
  routingQueue: MessageSender<RoutingMessage>;
  suppressions: Pick<SuppressionList, 'suppress'>;
  workspace: Workspace;
  search: Pick<LeadSearch, 'lookup'>;
  /** Task reminders go through the timer service, as the SLA clocks do. */
  timers: TimerDeps;
  /** Imported spreadsheets: each row goes on the intake queue, as a webhook lead does. */
  imports: ImportLog;
  intakeQueue: MessageSender<IntakeMessage>;
  /** WhatsApp's delivery statuses land on the messages of the lead's timeline. */
  messages: Pick<MessageLog, 'updateStatus'>;
  /** Replies to a rep's button tap; undefined when WhatsApp is not configured. */
  whatsapp?: WhatsAppSender;
  /** Why WhatsApp's webhook cannot be served yet (a secret not in SSM): its 503's message. */
  whatsappUnavailable?: string;
  /** Outbound webhook subscriptions and their delivery logs. */
  webhooks: WebhookStore;
  /** Subscribers on loopback are allowed in local runs only (the stack never sets it). */
  allowLoopback: boolean;
  /** Ids of notes, tasks and imports. */
  newId: () => string;
  /** Where an export is cut into parts (4 MB; tests make it small to see the parts). */
  exportPartBytes?: number;
  now: () => Date;
  logger: Logger;
};

/** What a route's handler gets: the event, the clock's reading, the path's ids, and who is asking. */
export type OpsRequest = {
  event: APIGatewayProxyEventV2;
  now: Date;
  leadId: string;
  repId: string;
  taskId: string;
  viewer: Viewer;
  routeKey: string;
};

export type OpsRoute = (request: OpsRequest) => Promise<HttpResponse>;

/** Some of the ops routes, each with its handler: a module per area, merged into one table by handler.ts. */
export type OpsRoutes<K extends OpsRouteKey> = Record<K, OpsRoute>;
