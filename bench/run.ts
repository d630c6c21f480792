import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createIngestHandler } from '../functions/ingest/handler.ts';
import { wireIngest } from '../functions/ingest/wiring.ts';
import { buildLead } from '../functions/scoring/core.ts';
import { documentClient } from '../functions/shared/aws/clients.ts';
import { DynamoLeadRepository, keys } from '../functions/shared/aws/dynamo-lead-repository.ts';
import type { Condition } from '../functions/shared/conditions.ts';
import { IntakeMessage } from '../functions/shared/lead.ts';
import { createLogger } from '../functions/shared/logger.ts';
import * as z from '../functions/shared/zod.ts';
import { createGateway } from '../local/gateway.ts';
import { invocations, lambdaContext } from '../local/lambda-context.ts';
import { startPipeline } from '../local/pipeline.ts';
import { RequestCounter } from '../local/request-counter.ts';
import { awsHops, awsHopsMarkdown } from './aws-hops.ts';
import { type BundleResult, bundlesMarkdown, measureBundles } from './bundles.ts';
import { costPerMillionLeads, theoreticalMinimum } from './costs.ts';
import { aroundTheClockConfig, demoConfig } from './demo-config.ts';
import { measureFollowUps, measureKpiCost, measureTimers } from './follow-ups.ts';
import { startEmptyHops } from './hops.ts';
import { importMarkdown, measureImport } from './imports.ts';
import { listPagesMarkdown, measureListPages } from './lead-list.ts';
import { CHANNEL_PRICES, countryOfNumber, PRICES } from './prices.ts';
import { cpuPerLead, findDynamoDbJvm, sampleCpu } from './process-cpu.ts';
import { measureScale, routingOnFreshTable, sqsEvent } from './scale.ts';
import { postAtRate } from './steady.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const Args = z.object({
  leads: z._default(z.coerce.number().check(z.int(), z.gte(10), z.lte(1_000_000)), 1000),
  concurrency: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(256)), 16),
  'skip-bundles': z._default(z.boolean(), false),
  'bundles-only': z._default(z.boolean(), false),
  'steady-only': z._default(z.boolean(), false),
  'cost-only': z._default(z.boolean(), false),
  'steady-seconds': z._default(z.coerce.number().check(z.int(), z.gte(2), z.lte(600)), 10),
  'routing-leads': z._default(z.coerce.number().check(z.int(), z.gte(100), z.lte(100_000)), 10_000),
  'scale-sizes': z.pipe(
    z.pipe(
      z._default(z.string(), '1000,10000,100000'),
      z.transform((s) => s.split(',').map(Number)),
    ),
    z.array(z.number().check(z.int(), z.gte(1000), z.lte(1_000_000))).check(z.minLength(2)),
  ),
  'scale-window': z._default(z.coerce.number().check(z.int(), z.gte(100), z.lte(5000)), 1000),
  'import-rows': z._default(z.coerce.number().check(z.int(), z.gte(10), z.lte(20_000)), 2000),
});
const { values } = parseArgs({
  options: {
    leads: { type: 'string' },
    concurrency: { type: 'string' },
    'skip-bundles': { type: 'boolean' },
    'bundles-only': { type: 'boolean' },
    'steady-only': { type: 'boolean' },
    'cost-only': { type: 'boolean' },
    'steady-seconds': { type: 'string' },
    'routing-leads': { type: 'string' },
    'scale-sizes': { type: 'string' },
    'scale-window': { type: 'string' },
    'import-rows': { type: 'string' },
  },
});
const parsed = Args.safeParse(values);
if (!parsed.success) {
  console.error(`bench: ${z.prettifyError(parsed.error)}`);
  process.exit(2);
}
const args = parsed.data;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Each lead a different person (distinct email and phone), written the way each market writes numbers. */
const people = [
  { name: 'Sara Al-Harbi', email: 'sara', phone: (n: number) => `+966 5${String(n).padStart(8, '0')}` },
  { name: 'امید کریمی', email: 'omid', phone: (n: number) => `+98 912 ${String(n).padStart(7, '0')}` },
  { name: 'ليلى حداد', email: 'layla', phone: (n: number) => `00971 50 ${String(n).padStart(7, '0')}` },
];

function leadBody(i: number): string {
  const person = people[i % people.length] ?? people[0];
  return JSON.stringify({
    name: person?.name,
    email: `${person?.email}.${i}@example.com`,
    phone: person?.phone(i % 10_000_000),
    company: i % 2 === 0 ? 'Acme' : undefined,
    utm_medium: i % 3 === 0 ? 'cpc' : undefined,
  });
}

/** Lead i again, from another form fill: same person, a new message (so not a double-submit). */
function returningBody(i: number): string {
  return JSON.stringify({ ...JSON.parse(leadBody(i)), message: 'Calling back about the offer' });
}

async function postOne(
  url: string,
  i: number,
  makeBody = leadBody,
): Promise<{ status: number; leadId?: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: makeBody(i),
  });
  const answer = (await response.json()) as { leadId?: string };
  return { status: response.status, ...(answer.leadId ? { leadId: answer.leadId } : {}) };
}

/** Posts `count` leads with `concurrency` in flight; returns per-request latency and start times. */
async function postLeads(url: string, count: number, concurrency: number, offset = 0, body = leadBody) {
  const latencies: number[] = [];
  const startedAt = new Map<string, number>();
  let next = 0;
  let failures = 0;
  const started = performance.now();
  async function worker() {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      const wall = Date.now();
      const { status, leadId } = await postOne(url, offset + i, body);
      latencies.push(performance.now() - t0);
      if (status !== 202 || leadId === undefined) failures++;
      else startedAt.set(leadId, wall);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { latencies, startedAt, failures, seconds };
}

function latenciesOf(mailed: Map<string, number>, startedAt: Map<string, number>): number[] {
  return [...mailed.entries()].map(([leadId, sentAt]) => sentAt - (startedAt.get(leadId) ?? sentAt));
}

type BenchPipeline = Awaited<ReturnType<typeof startPipeline>>;

/**
 * Phase 1, ingest alone (consumers paused), against the minimal ingest on the same gateway and fauxqs. The two
 * alternate in rounds, so JIT warm-up and queue growth weigh on both alike.
 */
async function measureIngestAgainstBaseline(pipeline: BenchPipeline, formUrl: string) {
  await pipeline.pauseConsumers();
  pipeline.requests.reset();
  invocations.reset();
  const { createMinimalIngest } = await import('./baseline/minimal-ingest.ts');
  const sqs = new SQSClient({});
  const { QueueUrl: baselineQueue = '' } = await sqs.send(
    new CreateQueueCommand({ QueueName: 'leadpipe-bench-baseline' }),
  );
  const route = { method: 'POST', path: '/v1/forms/{formId}/leads', functionName: 'minimal' };
  const gateway = createGateway(
    [{ ...route, handler: createMinimalIngest(baselineQueue) }],
    [],
    () => undefined,
  );
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', () => resolve()));
  const baselineUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/v1/forms/demo/leads`;
  await postLeads(baselineUrl, 30, 4);
  const rounds = 4;
  const run = { latencies: [] as number[], startedAt: new Map<string, number>(), failures: 0, seconds: 0 };
  const baseline = { latencies: [] as number[], seconds: 0 };
  for (let round = 0; round < rounds; round++) {
    const size = Math.ceil(args.leads / rounds);
    const ours = await postLeads(formUrl, size, args.concurrency, round * size);
    run.latencies.push(...ours.latencies);
    for (const [id, at] of ours.startedAt) run.startedAt.set(id, at);
    run.failures += ours.failures;
    run.seconds += ours.seconds;
    const theirs = await postLeads(baselineUrl, size, args.concurrency, round * size);
    baseline.latencies.push(...theirs.latencies);
    baseline.seconds += theirs.seconds;
  }
  await new Promise<void>((resolve) => gateway.close(() => resolve()));
  sqs.destroy();
  return { run, baseline, posted: run.latencies.length };
}

/** Waits (at most `tries` × 100 ms) until every queue is empty and no handler runs. */
async function settle(pipeline: BenchPipeline, tries: number): Promise<void> {
  for (let i = 0; i < tries && !(await pipeline.isIdle()); i++) await new Promise((r) => setTimeout(r, 100));
}

/**
 * Messages to reps, managers and teams per lead, by channel, from the local stand-ins (everything the pipeline
 * sent since it started: the warm-up's and the baseline's leads are few beside the burst's), with what each
 * channel charges per message in the recipient's country.
 */
function channelsPerLead(pipeline: BenchPipeline, leads: number) {
  const whatsapp = (pipeline.channels.graph?.whatsappSent() ?? []).filter((m) => m.type === 'template');
  const sms = pipeline.channels.sms.sent();
  const chat = pipeline.channels.chat.posts();
  const price = (table: Record<string, number>, number: string) =>
    table[countryOfNumber(number)] ?? table.default ?? 0;
  const whatsappDollars = whatsapp.reduce(
    (n, m) => n + price(CHANNEL_PRICES.whatsappUtilityTemplate, m.to),
    0,
  );
  const smsDollars = sms.reduce((n, m) => n + m.parts * price(CHANNEL_PRICES.smsPerPart, m.to), 0);
  const line = (channel: string, messages: number, dollars: number, detail: string) => ({
    channel,
    perLead: round(messages / leads, 3),
    dollarsPerMillionLeads: round((dollars / leads) * 1e6),
    detail,
  });
  return [
    line(
      'WhatsApp templates (Cloud API)',
      whatsapp.length,
      whatsappDollars,
      'Graph API POST /messages: 1 request each',
    ),
    line(
      'SMS (End User Messaging)',
      sms.length,
      smsDollars,
      `${round(sms.reduce((n, m) => n + m.parts, 0) / Math.max(1, sms.length), 2)} parts each (UCS-2 for Arabic and Persian)`,
    ),
    line('Team and personal chat webhooks', chat.length, 0, 'one HTTPS POST each; no charge per message'),
  ];
}

/** Phase 2, the burst drains: every lead of phase 1 through scoring, routing and nurture; what AWS would bill. */
async function measureBurstDrain(pipeline: BenchPipeline, startedAt: Map<string, number>, posted: number) {
  const drainStart = Date.now();
  const jvm = findDynamoDbJvm(pipeline.emulators.dynamodbEndpoint);
  const cpuBefore = sampleCpu(jvm);
  pipeline.resumeConsumers();
  const mailed = await waitForMail(pipeline, startedAt, 120_000 + args.leads * 50);
  const drainSeconds = (Date.now() - drainStart) / 1000;
  const cpu = cpuPerLead(cpuBefore, sampleCpu(jvm), mailed.size);
  await settle(pipeline, 50);
  await pipeline.requests.settled();
  const requests = pipeline.requests
    .snapshot()
    .map((r) => ({ ...r, perLead: round(r.count / args.leads, 3) }));
  const writesByPurpose = pipeline.requests.writesByPurpose().map((w) => ({
    purpose: w.purpose,
    itemsPerLead: round(w.items / args.leads, 2),
    writeUnitsPerLead: round(w.writeUnits / args.leads, 2),
  }));
  const channels = channelsPerLead(pipeline, args.leads);
  // What Lambda would bill for the burst: invocations and their duration at 256 MB (not the baseline's).
  const billed = invocations.snapshot().filter((i) => i.functionName !== 'minimal');
  return {
    mailed,
    drainSeconds,
    cpuMsPerLead: cpu,
    requests,
    writesByPurpose,
    channels,
    billed,
    invocationsPerLead: billed.reduce((n, i) => n + i.count, 0) / posted,
    // Every ingest and ops invocation is an HTTP API request: the lead's form, and the WhatsApp status webhooks
    // its messages bring back.
    httpRequestsPerLead: round(
      billed
        .filter((i) => i.functionName === 'ingest' || i.functionName === 'ops')
        .reduce((n, i) => n + i.count, 0) / posted,
      3,
    ),
    gbSecondsPerLead: ((billed.reduce((n, i) => n + i.totalMs, 0) / 1000) * 0.25) / posted,
  };
}

/** Steady traffic at each rate in turn, the pipeline idle before each (the burst's follow-ups settled). */
async function measureSteadyRates(pipeline: BenchPipeline, formUrl: string, seconds: number) {
  const jvm = findDynamoDbJvm(pipeline.emulators.dynamodbEndpoint);
  // What the pipeline burns with nothing to do (its pollers' receives and GetRecords, the sweep, the JVM's own
  // threads), before the empty hops start pollers of their own.
  await settle(pipeline, 600);
  const idleSeconds = 10;
  const idleBefore = sampleCpu(jvm);
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const idle = cpuPerLead(idleBefore, sampleCpu(jvm), idleSeconds);
  const hops = await startEmptyHops(pipeline.resources);
  const results = [];
  // Latency as `npm start` has it: no consumed capacity asked for, no transaction's items read back for its bill.
  pipeline.requests.billing = false;
  try {
    for (const [n, perSecond] of [10, 20, 50].entries()) {
      await settle(pipeline, 600);
      const leads = perSecond * seconds;
      invocations.reset();
      const cpuBefore = sampleCpu(jvm);
      const { startedAt } = await postAtRate(formUrl, leads, perSecond, 2_000_000 + n * 100_000, leadBody);
      const mailed = await waitForMail(pipeline, startedAt, 120_000);
      const cpu = cpuPerLead(cpuBefore, sampleCpu(jvm), leads);
      const invoked = invocations.snapshot();
      const empty = await postAtRate(hops.url, leads, perSecond, 0, leadBody);
      const through = await waitForArrivals(hops.arrived, empty.startedAt, 60_000);
      results.push({
        perSecond,
        leads,
        emails: mailed.size,
        latencyMs: summary(latenciesOf(mailed, startedAt)),
        emptyHopsLatencyMs: summary(latenciesOf(through, empty.startedAt)),
        cpuMsPerLead: cpu,
        invocations: invoked,
      });
    }
    // A burst of 1,000 through the empty hops, beside the pipeline's burst above.
    const started = Date.now();
    const burst = await postLeads(hops.url, 1000, args.concurrency, 0);
    const through = await waitForArrivals(hops.arrived, burst.startedAt, 120_000);
    const last = Math.max(...through.values());
    return {
      rates: results,
      // Per second idle, so "ms per lead" here reads as ms of CPU per second (a tenth of this is % of a core).
      idleCpuMsPerSecond: idle,
      emptyHopsBurst: { leads: through.size, seconds: round((last - started) / 1000) },
    };
  } finally {
    pipeline.requests.billing = true;
    await hops.stop();
  }
}

async function waitForArrivals(
  arrived: Map<string, number>,
  startedAt: Map<string, number>,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && [...startedAt.keys()].some((id) => !arrived.has(id)))
    await new Promise((r) => setTimeout(r, 50));
  return new Map(
    [...startedAt.keys()].flatMap((id) => (arrived.has(id) ? [[id, arrived.get(id) ?? 0]] : [])),
  );
}

/** Phase 4, returning people: the first 100 of the burst post again (same emails) and become touches. */
async function measureReturning(pipeline: BenchPipeline, formUrl: string) {
  await settle(pipeline, 50);
  pipeline.requests.reset();
  const returning = Math.min(100, args.leads);
  await postLeads(formUrl, returning, 4, 0, returningBody);
  await settle(pipeline, 100);
  return pipeline.requests
    .snapshot()
    .filter((r) => r.role === 'function' && r.service === 'DynamoDB')
    .map((r) => ({ operation: r.operation, perLead: round(r.count / returning, 3) }));
}

/** A burst's requests per lead at list prices, with one email a lead. */
function burstDollars(burst: Awaited<ReturnType<typeof measureBurstDrain>>) {
  return costPerMillionLeads({
    requestsPerLead: burst.requests,
    leads: args.leads,
    invocationsPerLead: burst.invocationsPerLead,
    gbSecondsPerLead: burst.gbSecondsPerLead,
    httpRequestsPerLead: burst.httpRequestsPerLead,
    emailsPerLead: 1,
  });
}

/** The local pipeline under a burst, steady traffic, returning people, and each of its other workloads. */
async function measurePipeline() {
  const config = aroundTheClockConfig();
  const pipeline = await startPipeline({ config, measureCapacity: true, onError: () => undefined });
  try {
    const formUrl = `${pipeline.url}/v1/forms/demo/leads`;
    // Warm up (JIT, connections, DynamoDB Local's JVM); nothing of it is counted.
    const warm = await postLeads(formUrl, 30, 4, 1_000_000);
    await waitForMail(pipeline, warm.startedAt, 60_000);

    const { run, baseline, posted } = await measureIngestAgainstBaseline(pipeline, formUrl);
    const burst = await measureBurstDrain(pipeline, run.startedAt, posted);

    // 3. Steady traffic at 10, 20 and 50 leads a second: the latency a rep sees, once the burst has settled.
    const steady = await measureSteadyRates(pipeline, formUrl, args['steady-seconds']);

    const returningRequests = await measureReturning(pipeline, formUrl);
    // 4b. A spreadsheet of new people, then the same file again.
    const imports = await measureImport(pipeline, args['import-rows'], () => settle(pipeline, 100));
    // 5. What a page of the dashboard's lead list costs, with the burst's leads in the index.
    const listPages = await measureListPages(pipeline);
    // 6. Timers, KPI aggregation and every email a lead causes.
    const timers = await measureTimers(pipeline, 400);
    const kpiCost = await measureKpiCost(pipeline, config, 500);
    const followUps = await measureFollowUps(config, pipeline, 100);

    const bundles = args['skip-bundles'] ? [] : await measureBundles(demoConfig(), coldStartEnv(pipeline));
    const webhookBatches = await measureWebhookBatches();
    const routingRuns = [
      await measureRouting(args['routing-leads'], 10),
      await measureRouting(Math.min(2000, args['routing-leads']), 1),
    ];
    const scale = await measureScale(args['scale-sizes'], args['scale-window']);

    const costs = {
      oneEmail: burstDollars(burst),
      worstCaseEmails: followUps.emailsPerLead,
      minimum: theoreticalMinimum(),
      invocations: burst.billed.map((i) => ({
        functionName: i.functionName,
        perLead: round(i.count / posted, 3),
        averageMs: round(i.totalMs / i.count),
      })),
    };

    return {
      bundles,
      costs,
      webhookBatches,
      routingRuns,
      scale,
      leads: args.leads,
      concurrency: args.concurrency,
      accepted: posted - run.failures,
      acceptedPerSecond: round((posted - run.failures) / run.seconds),
      ingestLatencyMs: summary(run.latencies),
      baselineIngestLatencyMs: summary(baseline.latencies),
      baselineAcceptedPerSecond: round(baseline.latencies.length / baseline.seconds),
      steady,
      writesByPurpose: burst.writesByPurpose,
      burstEmailsSent: burst.mailed.size,
      burstDrainSeconds: round(burst.drainSeconds),
      pipelineLeadsPerSecond: round(burst.mailed.size / burst.drainSeconds),
      burstCpuMsPerLead: burst.cpuMsPerLead,
      returningRequests,
      imports,
      listPages,
      requests: burst.requests,
      channels: burst.channels,
      timers,
      kpiCost,
      followUps,
    };
  } finally {
    await pipeline.stop();
  }
}

/**
 * Meta batches up to 1,000 leads per webhook: the ingest cost per lead must not grow with the batch. The
 * handler runs in this process against fauxqs (its SQS requests counted), and once more with a sender that
 * keeps nothing, to see the handler's own CPU time apart from the queue emulator's.
 */
async function measureWebhookBatches() {
  const config = demoConfig();
  const appSecret = config.sources.facebook?.appSecret ?? '';
  const sqs = new SQSClient({});
  const counter = new RequestCounter();
  counter.attach(sqs, 'function');
  const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: 'leadpipe-bench-webhooks' }));
  const logger = createLogger('bench');
  const store = new DynamoLeadRepository(documentClient(), 'leadpipe-bench-no-table');
  const real = wireIngest({
    clients: { dynamodb: new DynamoDBClient({}), sqs },
    // Webhook batches of ids are small: ingest never needs its table here (it would fail loudly: no such table).
    env: { TABLE_NAME: 'leadpipe-bench-no-table', INTAKE_QUEUE_URL: QueueUrl },
    config,
    newId: () => 'x',
    logger,
  });
  // Measurement only, so built by hand: a sender that drops messages, so the handler's own CPU time shows.
  const nullSender = { send: async () => undefined, sendAll: async () => undefined };
  const cpuOnly = createIngestHandler({
    config,
    intakeQueue: nullSender,
    store,
    newId: () => 'x',
    now: () => new Date(),
    logger,
  });
  const total = 1000;
  const rows = [];
  let next = 7_000_000_000_000_000;
  for (const size of [1, 10, 100, 1000]) {
    const events = Array.from({ length: total / size }, () => {
      const body = JSON.stringify({
        object: 'page',
        entry: [
          {
            id: '138124712925158',
            time: 1773931200,
            changes: Array.from({ length: size }, () => ({
              field: 'leadgen',
              value: {
                leadgen_id: String(next++),
                page_id: '138124712925158',
                form_id: '100000000000001',
                created_time: 1773931199,
              },
            })),
          },
        ],
      });
      const signature = `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
      return {
        version: '2.0',
        routeKey: 'POST /v1/webhooks/facebook',
        rawPath: '/v1/webhooks/facebook',
        rawQueryString: '',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
        requestContext: {
          http: { method: 'POST', path: '/v1/webhooks/facebook', sourceIp: '127.0.0.1', userAgent: 'bench' },
        },
        body,
        isBase64Encoded: false,
      } as unknown as APIGatewayProxyEventV2;
    });
    for (const event of events.slice(0, 3)) await cpuOnly(event, lambdaContext('ingest', 30_000));
    const cpuStart = process.cpuUsage();
    const t0 = performance.now();
    for (const event of events) await cpuOnly(event, lambdaContext('ingest', 30_000));
    const cpu = process.cpuUsage(cpuStart);
    const handlerMs = performance.now() - t0;
    counter.reset();
    const t1 = performance.now();
    for (const event of events) await real(event, lambdaContext('ingest', 30_000));
    const withQueueMs = performance.now() - t1;
    const sqsRequests = counter.snapshot().reduce((sum, r) => sum + r.count, 0);
    rows.push({
      leadsPerWebhook: size,
      handlerCpuMicrosPerLead: round((cpu.user + cpu.system) / total),
      handlerWallMicrosPerLead: round((handlerMs * 1000) / total),
      withQueueWallMicrosPerLead: round((withQueueMs * 1000) / total),
      sqsRequestsPerLead: round(sqsRequests / total, 3),
    });
  }
  await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  sqs.destroy();
  return rows;
}

/**
 * The routing function alone on DynamoDB Local: `count` stored leads routed in SQS-sized batches, 4 invocations
 * at a time, over the demo pool. Batches of 10 reserve one block of rotation slots per pool; batches of 1 are
 * the baseline with one counter write per lead.
 */
async function measureRouting(count: number, batchSize: number) {
  const dynamodb = new DynamoDBClient({});
  const sqs = new SQSClient({});
  const { config, resources, db, routing } = await routingOnFreshTable(dynamodb, sqs, `routing-${batchSize}`);
  const ids = Array.from({ length: count }, (_, i) => `bench-lead-${i}`);
  const template = buildLead(
    IntakeMessage.parse({
      v: 1,
      leadId: 'x',
      source: 'web-form',
      formId: 'demo',
      receivedAt: new Date().toISOString(),
      contact: { email: 'a@example.com' },
      locale: 'en',
    }),
    config,
    new Date(),
  );
  for (let i = 0; i < ids.length; i += 25) {
    await db.send(
      new BatchWriteCommand({
        RequestItems: {
          [resources.tableName]: ids.slice(i, i + 25).map((id) => ({
            PutRequest: { Item: { ...keys.lead(id), type: 'lead', ...template, id, segments: [] } },
          })),
        },
      }),
    );
  }
  const counter = new RequestCounter();
  counter.attach(dynamodb, 'function');
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += batchSize) batches.push(ids.slice(i, i + batchSize));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < batches.length) {
        const batch = batches[next++] ?? [];
        const event = sqsEvent(
          batch.map((leadId) => ({ v: 1, leadId })),
          resources.routing.arn,
          batch[0] ?? '',
        );
        await routing(event, lambdaContext('routing', 30_000));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const requests = counter
    .snapshot()
    .filter((r) => !(r.operation === 'Query' && r.count === 0))
    .map((r) => ({ operation: r.operation, perAssignment: round(r.count / count, 3) }));
  const owners = new Map<string, number>();
  for (let i = 0; i < ids.length; i += 100) {
    const { Responses = {} } = await db.send(
      new BatchGetCommand({
        RequestItems: {
          [resources.tableName]: {
            Keys: ids.slice(i, i + 100).map((id) => keys.lead(id)),
            ProjectionExpression: 'ownerId',
          },
        },
      }),
    );
    for (const item of Responses[resources.tableName] ?? [])
      owners.set(String(item.ownerId), (owners.get(String(item.ownerId)) ?? 0) + 1);
  }
  const assigned = [...owners.entries()]
    .filter(([owner]) => owner !== 'undefined')
    .reduce((sum, [, n]) => sum + n, 0);
  const shares = [...owners.values()];
  dynamodb.destroy();
  sqs.destroy();
  return {
    batchSize,
    leads: count,
    assigned,
    assignmentsPerSecond: round(assigned / seconds),
    fairness: Math.max(...shares) - Math.min(...shares),
    perRep: Object.fromEntries(owners),
    requests,
  };
}

async function waitForMail(
  pipeline: Awaited<ReturnType<typeof startPipeline>>,
  startedAt: Map<string, number>,
  timeoutMs: number,
): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  const mailed = new Map<string, number>();
  // The runner's record of each lead's first mail, not the outbox: reading that serializes every stored mail (a
  // third of a second for a thousand), which polled ten times a second took most of a core from the pipeline.
  const first = pipeline.firstMailByLead();
  while (Date.now() < deadline) {
    for (const leadId of startedAt.keys()) {
      const at = first.get(leadId);
      if (at !== undefined) mailed.set(leadId, at);
    }
    if (mailed.size >= startedAt.size) return mailed;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.error(`bench: only ${mailed.size} of ${startedAt.size} assignment emails arrived in time`);
  return mailed;
}

/**
 * Scoring's own CPU per lead (normalise, score, segment) with 10 and with 200 rules, over the same leads: the
 * cost of a large rule set, with nothing else in the measurement.
 */
function measureScoringCpu() {
  const base = demoConfig();
  const conditions: Condition[] = [
    { field: 'phone.valid', op: 'equals', value: true },
    { field: 'email.domain', op: 'in', values: ['example.com', 'company.sa', 'acme.ae'] },
    { field: 'name', op: 'matches', pattern: '^(sara|omid|layla)' },
    { field: 'answers.budget', op: 'between', min: 1000, max: 50000 },
    { all: [{ field: 'email', op: 'exists' }, { not: { field: 'email.free', op: 'equals', value: true } }] },
    {
      any: [
        { field: 'utm.medium', op: 'equals', value: 'cpc' },
        { field: 'utm.source', op: 'in', values: ['google', 'meta'] },
      ],
    },
  ];
  const configWith = (n: number) => ({
    ...base,
    scoring: {
      ...base.scoring,
      rules: Array.from({ length: n }, (_, i) => ({
        id: `rule-${i}`,
        when: conditions[i % conditions.length] as Condition,
        points: (i % 7) + 1,
      })),
    },
  });
  const intakes = Array.from({ length: 2000 }, (_, i) =>
    IntakeMessage.parse({
      v: 1,
      leadId: `lead-${i}`,
      source: 'web-form',
      formId: 'demo',
      receivedAt: '2026-03-19T16:00:00.000Z',
      contact: JSON.parse(leadBody(i)),
      answers: { budget: String((i * 97) % 60000) },
      attribution: { utm: { medium: i % 2 ? 'cpc' : 'email', source: 'google' } },
      locale: 'en',
      defaultCountry: 'SA',
    }),
  );
  const now = new Date();
  const cpuPerLead = (rules: number) => {
    const config = configWith(rules);
    const start = process.cpuUsage();
    for (const intake of intakes) buildLead(intake, config, now);
    const cpu = process.cpuUsage(start);
    return (cpu.user + cpu.system) / intakes.length;
  };
  // Warm both up, then take the better of three alternating runs each (the machine is shared).
  cpuPerLead(10);
  cpuPerLead(200);
  const runs = { 10: [] as number[], 200: [] as number[] };
  for (let i = 0; i < 3; i++) for (const n of [10, 200] as const) runs[n].push(cpuPerLead(n));
  return ([10, 200] as const).map((rules) => ({ rules, cpuMicrosPerLead: round(Math.min(...runs[rules])) }));
}

/** Bundles each function as CDK does and times a cold import (module init) in a fresh Node process. */
/** What a cold function finds in its environment (literal local secrets: no SSM round trip here). */
function coldStartEnv(pipeline: Awaited<ReturnType<typeof startPipeline>> | undefined): NodeJS.ProcessEnv {
  const resources = pipeline?.resources;
  return {
    ...process.env,
    TABLE_NAME: resources?.tableName ?? 'leadpipe-bench',
    IDEMPOTENCY_TABLE_NAME: resources?.idempotencyTableName ?? 'leadpipe-bench-idempotency',
    INTAKE_QUEUE_URL: resources?.intake.url ?? 'http://127.0.0.1:1/intake',
    ROUTING_QUEUE_URL: resources?.routing.url ?? 'http://127.0.0.1:1/routing',
    TIMER_QUEUE_URL: resources?.timers.url ?? 'http://127.0.0.1:1/timers',
    GRAPH_API_BASE_URL: pipeline?.graphApiUrl || 'https://graph.facebook.com',
    // What the stack gives ops for the dashboard's sign-in (read at cold start, never called here).
    DASHBOARD_SIGN_IN_DOMAIN: 'leadpipe-000000000000.auth.us-east-1.amazoncognito.com',
    DASHBOARD_CLIENT_ID: 'bench-client',
  };
}

function markdown(
  result: Record<string, unknown> & {
    pipeline: Omit<Awaited<ReturnType<typeof measurePipeline>>, 'bundles'>;
    scoringCpu: ReturnType<typeof measureScoringCpu>;
  },
  bundles: BundleResult[],
): string {
  const p = result.pipeline;
  const lines = [
    `# leadpipe benchmark`,
    '',
    `${result.date} · commit ${result.commit} · ${result.machine} · \`${result.command}\``,
    '',
    `Ingest: ${p.leads} leads posted to \`POST /v1/forms/demo/leads\` through the local runner, ${p.concurrency} in flight, consumers paused; the baseline is a handler that only parses and enqueues, behind the same gateway and queue emulator. The pipeline runs the demo config with its reps on duty around the clock (\`bench/demo-config.ts\`), so no figure depends on the hour a run starts at.`,
    '',
    '| ingest | leadpipe | baseline (parse + SendMessage only) |',
    '|---|---|---|',
    `| accepted/s | ${p.acceptedPerSecond} | ${p.baselineAcceptedPerSecond} |`,
    `| latency p50 / p99 (ms) | ${p.ingestLatencyMs.p50} / ${p.ingestLatencyMs.p99} | ${p.baselineIngestLatencyMs.p50} / ${p.baselineIngestLatencyMs.p99} |`,
    '',
    '| pipeline | figure |',
    '|---|---|',
    `| burst of ${p.leads} drained (scoring → routing → email), leads/s | ${p.pipelineLeadsPerSecond} (${p.burstEmailsSent} emails in ${p.burstDrainSeconds} s) |`,
    `| the same burst through the empty hops (gateway, queue, queue, table, stream; no work), leads/s | ${round(p.steady.emptyHopsBurst.leads / p.steady.emptyHopsBurst.seconds)} (${p.steady.emptyHopsBurst.leads} in ${p.steady.emptyHopsBurst.seconds} s from the first post) |`,
    '',
    '| steady rate (posted open loop, the pipeline idle before each) | form → assignment email p50 / p90 / p99 (ms) | emails | the empty hops: form → stream p50 / p90 / p99 (ms) |',
    '|---|---|---|---|',
    ...p.steady.rates.map(
      (r) =>
        `| ${r.perSecond} leads/s for ${r.leads / r.perSecond} s | ${r.latencyMs.p50} / ${r.latencyMs.p90} / ${r.latencyMs.p99} | ${r.emails} of ${r.leads} | ${r.emptyHopsLatencyMs.p50} / ${r.emptyHopsLatencyMs.p90} / ${r.emptyHopsLatencyMs.p99} |`,
    ),
    '',
    '### Where the time goes: CPU per lead by process',
    '',
    "Read from /proc around each phase, from the first post to the last lead's email. The runner's Node process holds the handlers, fauxqs, aws-ses-v2-local, the channel fakes and the bench's own posting client; DynamoDB Local's JVM is split into its JIT compiler threads and the rest (request threads, SQLite, the collector). The last column is the rate two cores could carry at 100 % with this work per lead: the steady rates saturate where they near it.",
    '',
    '| phase | Node (runner) ms | DynamoDB Local: JIT ms | DynamoDB Local: the rest ms | total ms per lead | leads/s two cores carry |',
    '|---|---|---|---|---|---|',
    ...[
      { phase: `burst of ${p.leads}`, cpu: p.burstCpuMsPerLead },
      ...p.steady.rates.map((r) => ({ phase: `${r.perSecond} leads/s`, cpu: r.cpuMsPerLead })),
    ].map(
      ({ phase, cpu }) =>
        `| ${phase} | ${cpu.node} | ${cpu.jvmJit} | ${cpu.jvmRest} | ${cpu.total} | ${cpu.total > 0 ? round(2000 / cpu.total, 1) : '–'} |`,
    ),
    `| idle, per second (pollers and timers only) | ${p.steady.idleCpuMsPerSecond.node} | ${p.steady.idleCpuMsPerSecond.jvmJit} | ${p.steady.idleCpuMsPerSecond.jvmRest} | ${p.steady.idleCpuMsPerSecond.total} | |`,
    '',
    '## Meta webhooks: ingest cost per lead as batches grow (1,000 leads each)',
    '',
    '| leads per webhook | handler CPU per lead (µs) | handler wall per lead (µs) | with SQS (fauxqs) wall per lead (µs) | SQS requests per lead |',
    '|---|---|---|---|---|',
    ...p.webhookBatches.map(
      (b) =>
        `| ${b.leadsPerWebhook} | ${b.handlerCpuMicrosPerLead} | ${b.handlerWallMicrosPerLead} | ${b.withQueueWallMicrosPerLead} | ${b.sqsRequestsPerLead} |`,
    ),
    '',
    '## Routing on DynamoDB Local (4 invocations at a time, demo pool of 3 equal reps)',
    '',
    '| leads | batch size | assignments/s | fairness (max − min per rep) | DynamoDB requests per assignment |',
    '|---|---|---|---|---|',
    ...p.routingRuns.map(
      (r) =>
        `| ${r.leads} | ${r.batchSize} | ${r.assignmentsPerSecond} | ${r.fairness} (${Object.values(r.perRep).join(' / ')}) | ${r.requests.map((q) => `${q.operation} ${q.perAssignment}`).join(', ')} |`,
    ),
    '',
    `## Per-lead time as the table grows (scoring + routing handlers on DynamoDB Local, windows of ${p.scale.rows[0]?.window ?? 0} fresh leads)`,
    '',
    'The table is filled with stored leads (lead item, email and phone keys) up to each size; then a window of new leads goes through the scoring handler (normalise, de-duplicate, store) and the routing handler (counter, conditional assignment), 4 invocations of 10 at a time. A warm-up window runs first and is not counted.',
    '',
    '| leads in the table | per lead (ms) | scoring per lead | routing per lead | fill time (s, not counted) |',
    '|---|---|---|---|---|',
    ...p.scale.rows.map(
      (r) =>
        `| ${r.tableLeads} | ${r.perLeadMs} | ${r.scoringPerLeadMs} | ${r.routingPerLeadMs} | ${r.fillSeconds} |`,
    ),
    '',
    `Ratio of per-lead time, largest table to smallest: **${p.scale.ratioLargestToSmallest}**.`,
    '',
    '## Scoring CPU per lead (normalise, score, segment; 2,000 leads)',
    '',
    '| rules | CPU per lead (µs) |',
    '|---|---|',
    ...result.scoringCpu.map((r) => `| ${r.rules} | ${r.cpuMicrosPerLead} |`),
    '',
    '## AWS requests per lead',
    '',
    '| made by | service | operation | per lead | DynamoDB write / read units per lead |',
    '|---|---|---|---|---|',
    ...p.requests.map(
      (r) =>
        `| ${r.role} | ${r.service} | ${r.operation} | ${r.perLead} | ${r.writeUnits === undefined ? '' : `${round((r.writeUnits ?? 0) / p.leads, 2)} / ${round((r.readUnits ?? 0) / p.leads, 2)}`} |`,
    ),
    '',
    '### DynamoDB writes per lead by purpose',
    '',
    "What each written item is for, by its key (`LEAD/LEAD` the lead, `KEY/KEY` an identity key, `LEAD/WS#MSG` a message on the lead's timeline, `TIMER/TIMER` a timer, `KPI/day` a daily KPI row, `KPIMARK` an event's exactly-once marker, `FIND` the list and search index, \"other table\" the idempotency records of mails no timeline records) and the operation. Write units are exact for a single-item write and a transaction's items (2 units per started KB of each, as AWS bills them, from the item's size), and shared evenly among the items of a batch.",
    '',
    '| item (operation) | items per lead | write units per lead |',
    '|---|---|---|',
    ...p.writesByPurpose.map((w) => `| ${w.purpose} | ${w.itemsPerLead} | ${w.writeUnitsPerLead} |`),
    '',
    `## Dollars per million leads (AWS list prices, ${PRICES.region}, collected ${PRICES.collected}: bench/prices.ts)`,
    '',
    `From the burst above (${p.leads} leads): requests per lead as measured, DynamoDB as the capacity units DynamoDB Local reported (transactions billed per item as AWS bills them: its own figure for them follows no AWS rule), HTTP API requests as every ingest and ops invocation (the WhatsApp status webhooks too), Lambda invocations and their duration at 256 MB on arm64.`,
    '',
    '| item | per lead | $ per million leads |',
    '|---|---|---|',
    ...p.costs.oneEmail.lines.map((l) => `| ${l.item} | ${l.perLead} | ${l.dollarsPerMillionLeads} |`),
    '',
    `| pipeline | $ per million leads, without email | with 1 email per lead | with the worst case of ${p.costs.worstCaseEmails} emails per lead |`,
    '|---|---|---|---|',
    `| leadpipe | ${p.costs.oneEmail.withoutEmail} | ${p.costs.oneEmail.withEmail} | ${round(p.costs.oneEmail.withoutEmail + p.costs.worstCaseEmails * PRICES.sesPerThousandEmails * 1000)} |`,
    `| theoretical minimum (1 HTTP request, 1 write of ≤ 1 KB, 1 message, 1 batched consumer) | ${p.costs.minimum.withoutEmail} | ${p.costs.minimum.withEmail} | |`,
    '',
    `Lambda per lead: ${p.costs.invocations.map((i) => `${i.functionName} ${i.perLead} invocations (avg ${i.averageMs} ms)`).join(', ')}. Not included: CloudWatch Logs ingestion, the idle SQS long-polling of Lambda's pollers, storage, KMS, data transfer; the timer sweep is a fixed cost of about 3,500 queries a day, whatever the traffic. Nor is the SLA reminder's own later life, as it falls after the burst. Every lead here is assigned in working hours, so its reminder is due within 15 minutes (10 for the gulf segment, 15 for the rest) and went to the timer queue at once (its 1-unit item and send are counted above); when it arrives nurture reads the lead and marks the timer fired (1 read, 1 write unit, its share of receives and deletes and of an invocation): about $1 per million leads. A lead assigned outside its rep's hours has its reminder due the next working morning: it waits in the due index (2 units instead of 1) and a sweep moves it to the queue (2 more units, 1 send): about $3.`,
    '',
    `## Messages per lead by channel (the demo config's routes; channel prices collected ${CHANNEL_PRICES.collected}: bench/prices.ts)`,
    '',
    'Besides the email: WhatsApp first for reps with a number, SMS when WhatsApp cannot take it, the team chat on every assignment. WhatsApp and SMS prices are per message by the recipient country, orders of magnitude to replace with your rate card.',
    '',
    '| channel | messages per lead | $ per million leads | how |',
    '|---|---|---|---|',
    ...p.channels.map((c) => `| ${c.channel} | ${c.perLead} | ${c.dollarsPerMillionLeads} | ${c.detail} |`),
    '',
    '## DynamoDB requests per returning person (a touch on their lead, no new lead, no email)',
    '',
    '| operation | per returning lead |',
    '|---|---|',
    ...p.returningRequests.map((r) => `| ${r.operation} | ${r.perLead} |`),
    '',
    '## Timers (400 per round, due 3–8 s after scheduling, fired by the pipeline)',
    '',
    '| path | fired | firing delay after due time p50 / p90 / p99 / max (ms) | requests per timer |',
    '|---|---|---|---|',
    ...p.timers.map(
      (t) =>
        `| ${t.path} | ${t.timers - t.unfired} of ${t.timers} | ${t.firingDelayMs.p50} / ${t.firingDelayMs.p90} / ${t.firingDelayMs.p99} / ${t.firingDelayMs.max} | ${t.requestsPerTimer.map((r) => `${r.role} ${r.service} ${r.operation} ${r.perTimer}`).join(', ')} |`,
    ),
    '',
    'Locally the sweep runs every second (its queries are shared by every timer of a sweep; in AWS it runs every 5 minutes, so its share per timer is smaller still). SQS DelaySeconds is whole seconds, and the local event source polls with a 1 s wait: both show in the delay.',
    '',
    ...importMarkdown(p.imports),
    ...listPagesMarkdown(p.listPages),
    `## KPI aggregation (${p.kpiCost.events} first contacts of ${p.kpiCost.dims} dimensions each, 4 writers at a time)`,
    '',
    "Each event exactly once, and one update per daily row in the same transaction. By a marker per event: one event per transaction is how every event was counted first; ten is a stream batch of ten lead changes, whose events share their rows. By the shard's position: the batch's rows and one conditional update of the position item, whatever the batch's size (what the stream does now). Transactions billed per item as AWS bills them. A redelivered batch counts nothing again.",
    '',
    '| exactly once by | events per transaction | requests per event | write units per event | µs per event (DynamoDB Local) | counted again on redelivery |',
    '|---|---|---|---|---|---|',
    ...p.kpiCost.runs.map(
      (r) =>
        `| ${r.how} | ${r.batch} | ${r.requestsPerEvent.map((q) => `${q.operation} ${q.perEvent}`).join(', ')} | ${r.writeUnitsPerEvent} | ${r.wallMicrosPerEvent} | ${r.countedAgain} of ${r.events} |`,
    ),
    '',
    `## Emails per lead (${p.followUps.leads} leads, half consenting, nobody contacted; clocks of seconds)`,
    '',
    "The worst case for mail volume: every lead waits past both deadlines. Per lead: the assignment, a reminder, the manager's escalation (reassignment off here, so the count ends); a consenting lead also gets the two nurture steps.",
    '',
    '| all | to reps (assignment, reminder) | to managers (escalation) | to leads (nurture) |',
    '|---|---|---|---|',
    `| ${p.followUps.emailsPerLead} | ${p.followUps.toRepsPerLead} | ${p.followUps.toManagersPerLead} | ${p.followUps.toLeadsPerLead} |`,
    '',
    '"event-source" requests are the ones Lambda makes for its event source mappings (SQS polling is billed; DynamoDB Streams reads by Lambda are free).',
    '',
    ...bundlesMarkdown(bundles),
    ...(bundles.length > 0 ? awsHopsMarkdown(awsHops(bundles, p.steady.rates[0]?.invocations ?? [])) : []),
  ];
  return lines.join('\n');
}

/** Runs every measurement, then writes bench/results/latest.{json,md} and prints the table. */
async function main(): Promise<void> {
  // Only the bundles (a minute, no emulators): for a change to what a function imports.
  if (args['bundles-only']) {
    const config = demoConfig();
    console.log(bundlesMarkdown(await measureBundles(config, coldStartEnv(undefined))).join('\n'));
    return;
  }
  // Only the steady rates (a few minutes): for a change to the pipeline's hot path.
  if (args['steady-only']) {
    const config = aroundTheClockConfig();
    const pipeline = await startPipeline({ config, onError: () => undefined });
    const formUrl = `${pipeline.url}/v1/forms/demo/leads`;
    // As warm as the full run's steady phase (after its burst): DynamoDB Local's JIT needs a few hundred leads.
    const warm = await postLeads(formUrl, 500, 4, 1_000_000);
    await waitForMail(pipeline, warm.startedAt, 180_000);
    const steady = await measureSteadyRates(pipeline, formUrl, args['steady-seconds']);
    console.table(
      steady.rates.map((r) => ({
        perSecond: r.perSecond,
        emails: `${r.emails}/${r.leads}`,
        ...r.latencyMs,
        emptyP50: r.emptyHopsLatencyMs.p50,
        emptyP99: r.emptyHopsLatencyMs.p99,
      })),
    );
    console.table(steady.rates.map((r) => ({ perSecond: r.perSecond, ...r.cpuMsPerLead })));
    console.log('idle CPU ms per second', steady.idleCpuMsPerSecond);
    console.log('empty hops burst', steady.emptyHopsBurst);
    await pipeline.stop();
    return;
  }
  // Only the burst's requests, write units by purpose and dollars (a few minutes): for a change to what a lead
  // writes.
  if (args['cost-only']) {
    const config = aroundTheClockConfig();
    const pipeline = await startPipeline({ config, measureCapacity: true, onError: () => undefined });
    const formUrl = `${pipeline.url}/v1/forms/demo/leads`;
    const warm = await postLeads(formUrl, 30, 4, 1_000_000);
    await waitForMail(pipeline, warm.startedAt, 60_000);
    const { run, posted } = await measureIngestAgainstBaseline(pipeline, formUrl);
    const burst = await measureBurstDrain(pipeline, run.startedAt, posted);
    console.table(
      burst.requests.map(({ role, service, operation, perLead }) => ({ role, service, operation, perLead })),
    );
    console.table(burst.writesByPurpose);
    const dollars = burstDollars(burst);
    console.table(dollars.lines);
    console.log(`$ per million leads without email: ${dollars.withoutEmail}`);
    console.log(
      `burst of ${posted}: drained in ${round(burst.drainSeconds)} s, ${round(burst.mailed.size / burst.drainSeconds)} leads/s`,
    );
    await pipeline.stop();
    return;
  }
  const commit =
    spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim() || 'unknown';
  const scoringCpu = measureScoringCpu();
  const { bundles, ...pipelineResult } = await measurePipeline();
  const result = {
    date: new Date().toISOString(),
    commit,
    // What ran, so the figures can be taken again the same way.
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
      ' ',
    ),
    machine: `${process.platform} ${process.arch}, Node ${process.version}, ${(await import('node:os')).cpus().length} cores`,
    pipeline: pipelineResult,
    scoringCpu,
    bundles,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/latest.json', `${JSON.stringify(result, null, 2)}\n`);
  const md = markdown(result, bundles);
  writeFileSync('bench/results/latest.md', md);
  console.log(md);
}

await main();
process.exit(0);
