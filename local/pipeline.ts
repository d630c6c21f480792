import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { MiddlewareStack } from '@smithy/types';
import type { SNSEvent } from 'aws-lambda';
import { buildDashboard } from '../dashboard/build.ts';
import { FOOTPRINTS, type FunctionName } from '../functions/footprints.ts';
import { wireIngest } from '../functions/ingest/wiring.ts';
import { ReplayRequest } from '../functions/nurture/replay.ts';
import { wireNurture } from '../functions/nurture/wiring.ts';
import { wireOps } from '../functions/ops/wiring.ts';
import { wireReconcile } from '../functions/reconcile/wiring.ts';
import { wireRouting } from '../functions/routing/wiring.ts';
import { wireScoring } from '../functions/scoring/wiring.ts';
import { sesClient } from '../functions/shared/aws/ses-mailer.ts';
import { smsClient } from '../functions/shared/aws/sms-sender.ts';
import type { Config } from '../functions/shared/config.ts';
import type { DashboardSignIn } from '../functions/shared/dashboard-assets.ts';
import { footprintEnvNames } from '../functions/shared/footprint.ts';
import type { Mailer, OutgoingMail } from '../functions/shared/ports.ts';
import { HTTP_ROUTES } from '../functions/shared/routes.ts';
import { STREAM_WINDOW_SECONDS } from '../functions/shared/stream-position.ts';
import { SORT } from '../functions/shared/table-schema.ts';
import type { AwsClients } from '../functions/shared/wiring.ts';
import { wireSweeper } from '../functions/sweeper/wiring.ts';
import { AccessGuard } from './access-guard.ts';
import { type LocalChannels, localMessages, messagesPage, startLocalChannels } from './channels.ts';
import { type Emulators, startEmulators, useEmulatorEndpoints } from './emulators.ts';
import { type FakeGraphApi, startFakeGraphApi } from './fake-graph-api.ts';
import type { FaultInjector } from './faults.ts';
import { createGateway, type GatewayRoute, readBody } from './gateway.ts';
import { storedItemSizer } from './item-size.ts';
import { invocationFaults, invokeWithTimeout, stopWithInvocation } from './lambda-context.ts';
import { RequestCounter, type RequestRole } from './request-counter.ts';
import { ensureResources, LOCAL_QUEUE, type Resources } from './resources.ts';
import { Schedule } from './schedule.ts';
import { SqsEventSource } from './sqs-event-source.ts';
import { StreamEventSource } from './stream-event-source.ts';

/** The operations that can put a record on the table's stream. */
const TABLE_WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
  'ExecuteStatementCommand',
  'BatchExecuteStatementCommand',
  'ExecuteTransactionCommand',
]);

export type OutboxMail = {
  messageId: string;
  to: string[];
  from: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  sentAt: string;
};

export type PipelineOptions = {
  config: Config;
  port?: number;
  host?: string;
  /** Reuse running emulators (tests); otherwise the pipeline starts and owns its own. */
  emulators?: Emulators;
  /** Resource name prefix, so several pipelines can share one set of emulators. */
  prefix?: string;
  /** Meta's Graph API; by default a fake one on loopback. */
  graphApiBaseUrl?: string;
  /** How often the timer sweep runs (EventBridge runs it every 5 minutes in AWS). */
  sweepIntervalMs?: number;
  /** How often the reconcile job reads Meta's lead forms (every 15 minutes, as in AWS). */
  reconcileIntervalMs?: number;
  /** Chaos runs only: failures and duplicate deliveries injected into AWS calls, invocations and Meta. */
  faults?: FaultInjector;
  /** Retries of a failing stream batch before it goes to the failure queue (default 10, as deployed). */
  streamRetryAttempts?: number;
  /**
   * The queues' visibility timeout (default 5 s). Tests take 2 s: a failed batch comes back sooner, and the
   * poller keeps a running one hidden whatever the timeout.
   */
  queueVisibilitySeconds?: number;
  /**
   * Keep tables, queued messages, stream positions and sent mail in this directory, so a restarted runner
   * (even one killed with SIGKILL) goes on where it stopped. Without it everything is in memory.
   */
  dataDir?: string;
  /**
   * Measure what DynamoDB bills (the bench): ask for the capacity each request consumed, and bill transactions
   * per item as AWS does, reading each updated item's stored size after the write. Off by default, as the load
   * it adds is not the pipeline's; requests are counted either way.
   */
  measureCapacity?: boolean;
  /** Tests of the dashboard's AWS sign-in: the Cognito domain and client the page is told to use. */
  dashboardSignIn?: DashboardSignIn;
  onError?: (error: unknown) => void;
};

export type Pipeline = {
  url: string;
  port: number;
  resources: Resources;
  emulators: Emulators;
  graphApiUrl: string;
  requests: RequestCounter;
  /** What each function accessed, checked against its footprint as IAM would. */
  access: AccessGuard;
  outbox(): Promise<OutboxMail[]>;
  /**
   * When SES accepted each lead's first mail (its assignment email), by lead id, since this runner started. The
   * bench waits on it: reading the outbox serializes every stored mail (about 300 ms for a thousand here).
   */
  firstMailByLead(): ReadonlyMap<string, number>;
  /** The channels besides email: the fake Graph API's WhatsApp side, the SMS endpoint, the chat receiver. */
  channels: LocalChannels & { graph: FakeGraphApi | undefined };
  /** True when every queue is empty and no handler is running. */
  isIdle(): Promise<boolean>;
  /** Stops and restarts the event sources (the queues keep filling): for the benchmark's ingest-only phase. */
  pauseConsumers(): Promise<void>;
  resumeConsumers(): void;
  stop(): Promise<void>;
};

/** A message as aws-ses-v2-local keeps it (`GET /store`). */
export type SesStoreEmail = {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
  at: number;
};

/** SES's mailbox simulator: mail to these addresses bounces or draws a complaint, in AWS and here. */
const SIMULATOR: Record<string, 'Bounce' | 'Complaint'> = {
  'bounce@simulator.amazonses.com': 'Bounce',
  'complaint@simulator.amazonses.com': 'Complaint',
};

/**
 * Remembers when each message was handed to SES (to the millisecond), for the outbox and the benchmark, and
 * plays SES's mailbox simulator: its bounce and complaint addresses produce the event SES would publish to the
 * configuration set's SNS topic.
 */
class RecordingMailer implements Mailer {
  readonly sent = new Map<string, number>();
  /** When SES accepted each lead's first mail (its assignment email), by lead id. */
  readonly firstByLead = new Map<string, number>();
  constructor(
    private readonly inner: Mailer,
    private readonly publish: (feedback: Record<string, unknown>) => void,
    /** With a data directory: every mail SES accepted, kept across restarts (the SES emulator forgets). */
    private readonly outboxFile?: string,
  ) {}
  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    const result = await this.inner.send(mail);
    const at = Date.now();
    this.sent.set(result.messageId, at);
    const leadId = mail.headers?.['X-Leadpipe-Lead'];
    if (leadId !== undefined && !this.firstByLead.has(leadId)) this.firstByLead.set(leadId, at);
    if (this.outboxFile) {
      const kept: OutboxMail = {
        messageId: result.messageId,
        to: [mail.to],
        from: mail.from,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        headers: mail.headers ?? {},
        sentAt: new Date().toISOString(),
      };
      appendFileSync(this.outboxFile, `${JSON.stringify(kept)}\n`);
    }
    // The simulator ignores a +label, so each test can be its own person.
    const simulated = SIMULATOR[mail.to.toLowerCase().replace(/\+[^@]*@/, '@')];
    if (simulated === 'Bounce')
      this.publish({
        eventType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: [{ emailAddress: mail.to }],
        },
        mail: { messageId: result.messageId },
      });
    if (simulated === 'Complaint')
      this.publish({
        eventType: 'Complaint',
        complaint: { complainedRecipients: [{ emailAddress: mail.to }], complaintFeedbackType: 'abuse' },
        mail: { messageId: result.messageId },
      });
    return result;
  }
}

/** An SNS notification as Lambda receives it from the configuration set's topic. */
function snsEvent(message: Record<string, unknown>): SNSEvent {
  const id = randomUUID();
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:leadpipe-ses-feedback:local',
        Sns: {
          Type: 'Notification',
          MessageId: id,
          TopicArn: 'arn:aws:sns:us-east-1:000000000000:leadpipe-ses-feedback',
          Subject: 'Amazon SES Email Event Notification',
          Message: JSON.stringify(message),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
}

/**
 * Runs the whole pipeline on one machine: the production handlers and AWS adapters, against DynamoDB Local,
 * fauxqs and aws-ses-v2-local, fed by local stand-ins for API Gateway and Lambda's event sources.
 */
export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  // WhatsApp, SMS and team chats are real at the HTTP level: local endpoints that speak each one's protocol.
  const channels = await startLocalChannels(options.config, options.faults);
  const { config } = channels;
  const onError = options.onError ?? ((error: unknown) => console.error(error));
  const ownEmulators = options.emulators === undefined;
  const { dataDir } = options;
  const emulators = options.emulators ?? (await startEmulators(dataDir ? { dataDir } : {}));
  useEmulatorEndpoints(emulators);

  // The runner's own clients (creating resources, queue depth for isIdle) are not the pipeline's cost.
  const runnerDynamo = new DynamoDBClient({});
  const requests = new RequestCounter(options.measureCapacity ? storedItemSizer(runnerDynamo) : undefined);
  requests.billing = options.measureCapacity === true;
  // Clients for the event sources, counted apart: in AWS, Lambda makes these calls.
  const esmSqs = new SQSClient({});
  const esmStreams = new DynamoDBStreamsClient({});
  requests.attach(esmSqs, 'event-source');
  requests.attach(esmStreams, 'event-source');
  const runnerSqs = new SQSClient({});
  const { faults } = options;
  if (faults) invocationFaults.injector = faults;

  const resources = await ensureResources(runnerDynamo, runnerSqs, options.prefix, {
    ...LOCAL_QUEUE,
    visibilityTimeoutSeconds: options.queueVisibilitySeconds ?? LOCAL_QUEUE.visibilityTimeoutSeconds,
  });
  // IAM, locally: each function's clients refuse what its footprint does not grant.
  const access = new AccessGuard(resources);
  const built: AwsClients[] = [];
  // Set once the stream's poller exists: a function's write wakes it (records reach nurture at once).
  let wakeStream = () => {};
  /** A function's own clients, as its Lambda has them: counted, guarded by its footprint, and faulted in chaos. */
  function clientsFor(fn: FunctionName, role: RequestRole = 'function'): AwsClients {
    // The SDK finds the emulators via AWS_ENDPOINT_URL_*.
    const clients = {
      dynamodb: new DynamoDBClient({}),
      sqs: new SQSClient({}),
      ses: sesClient(),
      sms: smsClient({ endpoint: channels.sms.url }),
    };
    const instrument = <I extends object, O extends object>(client: {
      middlewareStack: MiddlewareStack<I, O>;
    }) => {
      requests.attach(client, role);
      access.attach(client, fn, FOOTPRINTS[fn]);
      // A timed-out invocation makes no more AWS calls, as Lambda would have ended it.
      stopWithInvocation(client);
      // The sweep's cost and faults are per sweep, not per lead: it runs unfaulted, as before.
      if (faults && role === 'function') faults.attach(client);
    };
    instrument(clients.dynamodb);
    clients.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        if (TABLE_WRITES.has(context.commandName ?? '')) wakeStream();
        return output;
      },
      { step: 'initialize', name: 'leadpipeWakeStream' },
    );
    instrument(clients.sqs);
    instrument(clients.ses);
    instrument(clients.sms);
    built.push(clients);
    return clients;
  }

  // Each function is built by its own composition, as lambda.ts builds it, from these clients and the same
  // environment names the stack sets in AWS.
  const facebook = config.sources.facebook;
  const whatsapp = config.notifications.whatsapp;
  const graphTokens = [facebook?.pageAccessToken, whatsapp?.accessToken].filter((t) => t !== undefined);
  const [graphToken, ...otherTokens] = graphTokens;
  const fakeGraph: FakeGraphApi | undefined =
    options.graphApiBaseUrl === undefined && graphToken !== undefined
      ? await startFakeGraphApi({ accessToken: graphToken, otherTokens, ...(faults ? { faults } : {}) })
      : undefined;
  const graphApiUrl = options.graphApiBaseUrl ?? fakeGraph?.url ?? '';
  // Outbound webhooks may reach loopback here only: the local receivers live there.
  const outbound = { OUTBOUND_ALLOW_LOOPBACK: 'true', TELEGRAM_API_BASE_URL: channels.chat.url };
  const env = (fn: FunctionName) => ({
    ...functionEnv(fn, resources, graphApiUrl),
    ...(fn === 'nurture' || fn === 'ops' ? outbound : {}),
  });

  // SES delivers feedback asynchronously; so does the simulator (after the send has returned).
  const pendingFeedback = new Set<Promise<unknown>>();
  const recording = (ses: Mailer) =>
    new RecordingMailer(
      ses,
      (feedback) => {
        // SNS invokes Lambda asynchronously: a failed invocation is retried twice, as Lambda does.
        const invoke = async () => {
          for (let attempt = 1; ; attempt++) {
            try {
              // The entry point Lambda invokes, as SNS invokes it in AWS.
              return await invokeWithTimeout(nurture.handler, snsEvent(feedback), 'nurture', 30_000);
            } catch (error) {
              if (attempt >= 3) throw error;
              await new Promise((r) => setTimeout(r, 200 * attempt));
            }
          }
        };
        const delivery = new Promise((resolve) => setTimeout(resolve, 50))
          .then(invoke)
          .catch(onError)
          .finally(() => pendingFeedback.delete(delivery));
        pendingFeedback.add(delivery);
      },
      dataDir ? join(dataDir, 'outbox.jsonl') : undefined,
    );
  let mailer: RecordingMailer | undefined;

  const ingest = wireIngest({ clients: clientsFor('ingest'), env: env('ingest'), config });
  const scoring = wireScoring({
    clients: clientsFor('scoring'),
    env: env('scoring'),
    config,
    graphBackoffMs: 100,
  });
  const routing = wireRouting({ clients: clientsFor('routing'), env: env('routing'), config });
  const nurture = wireNurture({
    clients: clientsFor('nurture'),
    env: env('nurture'),
    config,
    observeMail: (ses) => {
      mailer = recording(ses);
      return mailer;
    },
  });
  if (mailer === undefined) throw new Error('nurture was wired without its mailer');
  const sent = mailer.sent;
  const firstByLead = mailer.firstByLead;
  // The sweep's requests are counted apart: its cost is per sweep, not per lead.
  const sweeper = wireSweeper({ clients: clientsFor('sweeper', 'sweeper'), env: env('sweeper') });

  const sources = [
    new SqsEventSource({
      sqs: esmSqs,
      visibilitySqs: runnerSqs,
      queue: resources.intake,
      functionName: 'scoring',
      handler: scoring,
      onError,
      ...(faults ? { faults } : {}),
    }),
    new SqsEventSource({
      sqs: esmSqs,
      visibilitySqs: runnerSqs,
      queue: resources.routing,
      functionName: 'routing',
      handler: routing,
      onError,
      ...(faults ? { faults } : {}),
    }),
    new SqsEventSource({
      sqs: esmSqs,
      visibilitySqs: runnerSqs,
      queue: resources.timers,
      functionName: 'nurture',
      // The one entry point Lambda invokes for every nurture trigger: its dispatch.
      handler: nurture.handler,
      onError,
      ...(faults ? { faults } : {}),
    }),
  ];
  const stream = new StreamEventSource({
    streams: esmStreams,
    sqs: esmSqs,
    streamArn: resources.streamArn,
    functionName: 'nurture',
    handler: nurture.handler,
    failureQueue: resources.nurtureFailures,
    // As the stack's FilterCriteria: only lead items wake nurture, not the keys, markers and timers beside them.
    filter: (record) => record.dynamodb?.Keys?.sk?.S === SORT.lead,
    // As the stack's mapping: each batch names its shard, which counts its KPI events by position.
    tumblingWindowSeconds: STREAM_WINDOW_SECONDS,
    onError,
    ...(faults ? { faults } : {}),
    ...(dataDir ? { checkpointFile: join(dataDir, 'stream-checkpoints.json') } : {}),
    ...(options.streamRetryAttempts !== undefined
      ? { maximumRetryAttempts: options.streamRetryAttempts }
      : {}),
  });
  wakeStream = () => stream.wake();
  for (const source of sources) source.start();
  stream.start();
  const schedules = [new Schedule('sweeper', sweeper, options.sweepIntervalMs ?? 5000, onError)];
  // Meta loses webhooks: the reconcile job reads the lead forms on a schedule (every 15 minutes in AWS).
  if (facebook && graphApiUrl)
    schedules.push(
      new Schedule(
        'reconcile',
        wireReconcile({ clients: clientsFor('reconcile'), env: env('reconcile'), config }),
        options.reconcileIntervalMs ?? 15 * 60_000,
        onError,
      ),
    );
  for (const schedule of schedules) schedule.start();

  const dashboard = buildDashboard();
  const ops = wireOps({
    clients: clientsFor('ops'),
    env: {
      ...env('ops'),
      ...(options.dashboardSignIn
        ? {
            DASHBOARD_SIGN_IN_DOMAIN: options.dashboardSignIn.domain,
            DASHBOARD_CLIENT_ID: options.dashboardSignIn.clientId,
          }
        : {}),
    },
    config,
    dashboard: () => dashboard,
  });

  const handlers = { ingest, ops } as const;
  const routes: GatewayRoute[] = HTTP_ROUTES.map((r) => ({
    method: r.method,
    path: r.path,
    functionName: r.fn,
    handler: handlers[r.fn],
    auth: r.auth,
  }));

  async function isIdle(): Promise<boolean> {
    if (
      sources.some((s) => s.busy) ||
      stream.busy ||
      schedules.some((s) => s.busy) ||
      pendingFeedback.size > 0
    )
      return false;
    const depths = await Promise.all([
      queueDepth(resources.intake.url),
      queueDepth(resources.routing.url),
      // Timers waiting for their due time are not work in progress.
      queueDepth(resources.timers.url, false),
    ]);
    return depths.every((d) => d === 0);
  }

  async function outbox(): Promise<OutboxMail[]> {
    if (dataDir) {
      const file = join(dataDir, 'outbox.jsonl');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as OutboxMail);
    }
    const response = await fetch(`${emulators.sesEndpoint}/store`);
    const { emails } = (await response.json()) as { emails: SesStoreEmail[] };
    return emails
      .filter((e) => sent.has(e.messageId))
      .map((e) => ({
        messageId: e.messageId,
        to: e.destination.to,
        from: e.from,
        subject: e.subject,
        html: e.body.html ?? '',
        text: e.body.text ?? '',
        headers: Object.fromEntries((e.headers ?? []).map((h) => [h.name, h.value])),
        sentAt: new Date(sent.get(e.messageId) ?? e.at * 1000).toISOString(),
      }));
  }

  const gateway: Server = createGateway(
    routes,
    [
      { method: 'GET', path: '/_local/outbox', handle: async () => ({ status: 200, body: await outbox() }) },
      {
        // Every channel's messages (email, WhatsApp, SMS, chat): a page for a person, JSON for a script.
        method: 'GET',
        path: '/_local/messages',
        handle: async (req) => {
          const messages = localMessages(await outbox(), channels, fakeGraph);
          const wantsHtml = String(req.headers.accept ?? '').includes('text/html');
          return wantsHtml
            ? { status: 200, body: messagesPage(messages), contentType: 'text/html; charset=utf-8' }
            : { status: 200, body: messages };
        },
      },
      {
        // What `aws lambda invoke` does in AWS: replays leads through nurture (see docs/operations.md).
        method: 'POST',
        path: '/_local/nurture/replay',
        handle: async (req) => {
          const body = await readBody(req);
          let json: unknown;
          try {
            json = JSON.parse(body === 'too-large' ? '' : body.toString('utf8'));
          } catch {
            json = undefined;
          }
          const request = ReplayRequest.safeParse({ replay: json });
          if (!request.success)
            return {
              status: 400,
              body: { error: { code: 'validation_failed', message: 'Send { "leadIds": ["…"] }.' } },
            };
          // As `aws lambda invoke` does in AWS: the function's own entry point, with a Lambda context.
          const summary = await invokeWithTimeout(nurture.handler, request.data, 'nurture', 60_000);
          return { status: 200, body: summary };
        },
      },
      {
        method: 'GET',
        path: '/_local/health',
        handle: async () => ({ status: 200, body: { status: 'ok' } }),
      },
      {
        // For scripts that drive a runner in another process: true when every queue is empty and nothing runs.
        method: 'GET',
        path: '/_local/idle',
        handle: async () => ({ status: 200, body: { idle: await isIdle() } }),
      },
    ],
    onError,
  );
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    gateway.once('error', reject);
    gateway.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (gateway.address() as AddressInfo).port;
  // Meta posts WhatsApp's statuses and reps' taps to the webhook, signed with the app secret.
  if (fakeGraph && whatsapp)
    fakeGraph.setWhatsAppWebhook(`http://${host}:${port}/v1/webhooks/whatsapp`, whatsapp.appSecret);

  async function queueDepth(url: string, countDelayed = true): Promise<number> {
    const { Attributes = {} } = await runnerSqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
      (countDelayed ? Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0) : 0)
    );
  }

  return {
    url: `http://${host}:${port}`,
    port,
    resources,
    emulators,
    graphApiUrl,
    requests,
    access,
    outbox,
    firstMailByLead: () => firstByLead,
    channels: { ...channels, graph: fakeGraph },
    isIdle,
    async pauseConsumers() {
      await Promise.all([...sources.map((s) => s.stop()), stream.stop(), ...schedules.map((s) => s.stop())]);
    },
    resumeConsumers() {
      for (const source of sources) source.start();
      stream.start();
      for (const schedule of schedules) schedule.start();
    },
    async stop() {
      await new Promise<void>((resolve) => {
        gateway.close(() => resolve());
        gateway.closeAllConnections();
      });
      await Promise.all([...sources.map((s) => s.stop()), stream.stop(), ...schedules.map((s) => s.stop())]);
      await Promise.all([...pendingFeedback]);
      if (invocationFaults.injector === faults) invocationFaults.injector = undefined;
      for (const client of [esmSqs, esmStreams, runnerDynamo, runnerSqs]) client.destroy();
      for (const clients of built) for (const client of Object.values(clients)) client.destroy();
      await fakeGraph?.stop();
      await channels.stop();
      if (ownEmulators) await emulators.stop();
    },
  };
}

/** The environment the stack sets for a function (its footprint's names), pointing at this runner's resources. */
export function functionEnv(
  fn: FunctionName,
  resources: Resources,
  graphApiUrl: string,
): Record<string, string> {
  const values: Record<string, string> = {
    TABLE_NAME: resources.tableName,
    IDEMPOTENCY_TABLE_NAME: resources.idempotencyTableName,
    INTAKE_QUEUE_URL: resources.intake.url,
    ROUTING_QUEUE_URL: resources.routing.url,
    TIMER_QUEUE_URL: resources.timers.url,
    ...(graphApiUrl ? { GRAPH_API_BASE_URL: graphApiUrl } : {}),
  };
  return Object.fromEntries(
    footprintEnvNames(FOOTPRINTS[fn]).flatMap((name) => {
      const value = values[name];
      return value === undefined ? [] : [[name, value]];
    }),
  );
}
