import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SNSEvent } from 'aws-lambda';
import { v7 as uuidv7 } from 'uuid';
import { buildDashboard } from '../dashboard/build.ts';
import { createIngestHandler } from '../functions/ingest/handler.ts';
import { createNurtureHandler, ReplayRequest } from '../functions/nurture/handler.ts';
import { createOpsHandler } from '../functions/ops/handler.ts';
import { createRoutingHandler } from '../functions/routing/handler.ts';
import { createScoringHandler } from '../functions/scoring/handler.ts';
import { documentClient } from '../functions/shared/aws/clients.ts';
import { DynamoKpiStore } from '../functions/shared/aws/dynamo-kpi-store.ts';
import { DynamoLeadLister } from '../functions/shared/aws/dynamo-lead-list.ts';
import {
  DynamoFailureLog,
  DynamoLeadRepository,
  DynamoPoolCounter,
} from '../functions/shared/aws/dynamo-lead-repository.ts';
import { DynamoRepRepository } from '../functions/shared/aws/dynamo-rep-repository.ts';
import { DynamoSuppressionList } from '../functions/shared/aws/dynamo-suppression-list.ts';
import { DynamoTimerStore } from '../functions/shared/aws/dynamo-timer-store.ts';
import { SesMailer } from '../functions/shared/aws/ses-mailer.ts';
import { SqsSender } from '../functions/shared/aws/sqs-sender.ts';
import type { Config } from '../functions/shared/config.ts';
import type { DashboardSignIn } from '../functions/shared/dashboard-assets.ts';
import { GraphApiClient } from '../functions/shared/graph-api.ts';
import { createLogger } from '../functions/shared/logger.ts';
import type { Mailer, OutgoingMail } from '../functions/shared/ports.ts';
import { HTTP_ROUTES } from '../functions/shared/routes.ts';
import type { TimerMessage } from '../functions/shared/timers.ts';
import { createSweeperHandler } from '../functions/sweeper/handler.ts';
import { type Emulators, startEmulators, useEmulatorEndpoints } from './emulators.ts';
import { type FakeGraphApi, startFakeGraphApi } from './fake-graph-api.ts';
import type { FaultInjector } from './faults.ts';
import { createGateway, type GatewayRoute, readBody } from './gateway.ts';
import { invocationFaults, invokeWithTimeout } from './lambda-context.ts';
import { RequestCounter } from './request-counter.ts';
import { ensureResources, type Resources } from './resources.ts';
import { SqsEventSource } from './sqs-event-source.ts';
import { StreamEventSource } from './stream-event-source.ts';
import { Sweeps } from './sweeps.ts';

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
  /** Chaos runs only: failures and duplicate deliveries injected into AWS calls, invocations and Meta. */
  faults?: FaultInjector;
  /** Retries of a failing stream batch before it goes to the failure queue (default 10, as deployed). */
  streamRetryAttempts?: number;
  /**
   * Keep tables, queued messages, stream positions and sent mail in this directory, so a restarted runner
   * (even one killed with SIGKILL) goes on where it stopped. Without it everything is in memory.
   */
  dataDir?: string;
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
  outbox(): Promise<OutboxMail[]>;
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
  constructor(
    private readonly inner: Mailer,
    private readonly publish: (feedback: Record<string, unknown>) => void,
    /** With a data directory: every mail SES accepted, kept across restarts (the SES emulator forgets). */
    private readonly outboxFile?: string,
  ) {}
  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    const result = await this.inner.send(mail);
    this.sent.set(result.messageId, Date.now());
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
  const { config } = options;
  const onError = options.onError ?? ((error: unknown) => console.error(error));
  const ownEmulators = options.emulators === undefined;
  const { dataDir } = options;
  const emulators = options.emulators ?? (await startEmulators(dataDir ? { dataDir } : {}));
  useEmulatorEndpoints(emulators);

  const requests = new RequestCounter();
  // Clients for the functions, built as lambda.ts builds them; the SDK finds the emulators via AWS_ENDPOINT_URL_*.
  const dynamodb = new DynamoDBClient({});
  const sqs = new SQSClient({});
  const ses = new SESv2Client({});
  // Clients for the event sources, counted apart: in AWS, Lambda makes these calls.
  const esmSqs = new SQSClient({});
  const esmStreams = new DynamoDBStreamsClient({});
  // The runner's own look-ups (queue depth for isIdle) are not the pipeline's cost: not counted.
  const runnerSqs = new SQSClient({});
  requests.attach(dynamodb, 'function');
  requests.attach(sqs, 'function');
  requests.attach(ses, 'function');
  requests.attach(esmSqs, 'event-source');
  requests.attach(esmStreams, 'event-source');
  const { faults } = options;
  if (faults) {
    faults.attach(dynamodb);
    faults.attach(sqs);
    faults.attach(ses);
    invocationFaults.injector = faults;
  }

  const resources = await ensureResources(dynamodb, sqs, options.prefix);
  const db = documentClient(dynamodb);
  const leads = new DynamoLeadRepository(db, resources.tableName);
  // SES delivers feedback asynchronously; so does the simulator (after the send has returned).
  const pendingFeedback = new Set<Promise<unknown>>();
  const mailer = new RecordingMailer(
    new SesMailer(ses),
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
  const now = () => new Date();
  const facebook = config.sources.facebook;
  const fakeGraph: FakeGraphApi | undefined =
    options.graphApiBaseUrl === undefined && facebook
      ? await startFakeGraphApi({ accessToken: facebook.pageAccessToken, ...(faults ? { faults } : {}) })
      : undefined;
  const graphApiUrl = options.graphApiBaseUrl ?? fakeGraph?.url ?? '';

  const ingest = createIngestHandler({
    config,
    intakeQueue: new SqsSender(sqs, resources.intake.url),
    store: leads,
    newId: uuidv7,
    now,
    logger: createLogger('ingest'),
  });
  const scoring = createScoringHandler({
    config,
    leads,
    routingQueue: new SqsSender(sqs, resources.routing.url),
    ...(facebook
      ? {
          metaLeads: new GraphApiClient({
            baseUrl: graphApiUrl,
            version: facebook.graphApiVersion,
            accessToken: facebook.pageAccessToken,
            appSecret: facebook.appSecret,
            backoffMs: 100,
          }),
        }
      : {}),
    failures: new DynamoFailureLog(db, resources.tableName),
    now,
    logger: createLogger('scoring'),
  });
  const reps = new DynamoRepRepository(db, resources.tableName, config.routing.reps);
  const kpis = new DynamoKpiStore(db, resources.tableName);
  const routing = createRoutingHandler({
    config,
    leads,
    reps,
    routingQueue: new SqsSender(sqs, resources.routing.url),
    counters: new DynamoPoolCounter(db, resources.tableName),
    now,
    logger: createLogger('routing'),
  });
  const timerStore = new DynamoTimerStore(db, resources.tableName);
  const timerQueue = new SqsSender<TimerMessage>(sqs, resources.timers.url);
  const suppressions = new DynamoSuppressionList(db, resources.tableName);
  const nurture = createNurtureHandler({
    config,
    mailer,
    reps,
    leads,
    kpis,
    timers: { store: timerStore, queue: timerQueue },
    suppressions,
    routingQueue: new SqsSender(sqs, resources.routing.url),
    idempotency: new DynamoDBPersistenceLayer({
      tableName: resources.idempotencyTableName,
      awsSdkV3Client: dynamodb,
    }),
    now,
    logger: createLogger('nurture'),
  });
  // The sweep's own clients, counted apart: its cost is per sweep, not per lead.
  const sweeperDynamo = new DynamoDBClient({});
  const sweeperSqs = new SQSClient({});
  requests.attach(sweeperDynamo, 'sweeper');
  requests.attach(sweeperSqs, 'sweeper');
  const sweeper = createSweeperHandler({
    store: new DynamoTimerStore(documentClient(sweeperDynamo), resources.tableName),
    queue: new SqsSender<TimerMessage>(sweeperSqs, resources.timers.url),
    now,
    logger: createLogger('sweeper'),
  });

  const sources = [
    new SqsEventSource({
      sqs: esmSqs,
      queue: resources.intake,
      functionName: 'scoring',
      handler: scoring,
      onError,
      ...(faults ? { faults } : {}),
    }),
    new SqsEventSource({
      sqs: esmSqs,
      queue: resources.routing,
      functionName: 'routing',
      handler: routing,
      onError,
      ...(faults ? { faults } : {}),
    }),
    new SqsEventSource({
      sqs: esmSqs,
      queue: resources.timers,
      functionName: 'nurture',
      handler: nurture.timers,
      onError,
      ...(faults ? { faults } : {}),
    }),
  ];
  const stream = new StreamEventSource({
    streams: esmStreams,
    sqs: esmSqs,
    streamArn: resources.streamArn,
    functionName: 'nurture',
    handler: nurture.stream,
    failureQueue: resources.nurtureFailures,
    onError,
    ...(faults ? { faults } : {}),
    ...(dataDir ? { checkpointFile: join(dataDir, 'stream-checkpoints.json') } : {}),
    ...(options.streamRetryAttempts !== undefined
      ? { maximumRetryAttempts: options.streamRetryAttempts }
      : {}),
  });
  for (const source of sources) source.start();
  stream.start();
  const sweeps = new Sweeps(sweeper, options.sweepIntervalMs ?? 1000, onError);
  sweeps.start();

  const ops = createOpsHandler({
    config,
    leads,
    lister: new DynamoLeadLister(db, resources.tableName),
    dashboard: buildDashboard(),
    ...(options.dashboardSignIn ? { signIn: options.dashboardSignIn } : {}),
    reps,
    kpis,
    routingQueue: new SqsSender(sqs, resources.routing.url),
    suppressions,
    now,
    logger: createLogger('ops'),
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
    if (sources.some((s) => s.busy) || stream.busy || sweeps.busy || pendingFeedback.size > 0) return false;
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
      .filter((e) => mailer.sent.has(e.messageId))
      .map((e) => ({
        messageId: e.messageId,
        to: e.destination.to,
        from: e.from,
        subject: e.subject,
        html: e.body.html ?? '',
        text: e.body.text ?? '',
        headers: Object.fromEntries((e.headers ?? []).map((h) => [h.name, h.value])),
        sentAt: new Date(mailer.sent.get(e.messageId) ?? e.at * 1000).toISOString(),
      }));
  }

  const gateway: Server = createGateway(
    routes,
    [
      { method: 'GET', path: '/_local/outbox', handle: async () => ({ status: 200, body: await outbox() }) },
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
          return { status: 200, body: await nurture.replay(request.data) };
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
    outbox,
    isIdle,
    async pauseConsumers() {
      await Promise.all([...sources.map((s) => s.stop()), stream.stop(), sweeps.stop()]);
    },
    resumeConsumers() {
      for (const source of sources) source.start();
      stream.start();
      sweeps.start();
    },
    async stop() {
      await new Promise<void>((resolve) => {
        gateway.close(() => resolve());
        gateway.closeAllConnections();
      });
      await Promise.all([...sources.map((s) => s.stop()), stream.stop(), sweeps.stop()]);
      await Promise.all([...pendingFeedback]);
      if (invocationFaults.injector === faults) invocationFaults.injector = undefined;
      for (const client of [dynamodb, sqs, ses, esmSqs, esmStreams, runnerSqs, sweeperDynamo, sweeperSqs])
        client.destroy();
      await fakeGraph?.stop();
      if (ownEmulators) await emulators.stop();
    },
  };
}
