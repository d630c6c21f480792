import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../functions/shared/aws/clients.ts';
import { DynamoKpiStore } from '../functions/shared/aws/dynamo-kpi-store.ts';
import { DynamoTimerStore, timerKeys } from '../functions/shared/aws/dynamo-timer-store.ts';
import { SqsSender } from '../functions/shared/aws/sqs-sender.ts';
import type { Config } from '../functions/shared/config.ts';
import { kpiEvents } from '../functions/shared/kpi.ts';
import { scheduleTimers } from '../functions/shared/timer-service.ts';
import type { Timer, TimerMessage } from '../functions/shared/timers.ts';
import { startDynamoDbLocal, useEmulatorEndpoints } from '../local/emulators.ts';
import { storedItemSizer } from '../local/item-size.ts';
import { type Pipeline, startPipeline } from '../local/pipeline.ts';
import { RequestCounter } from '../local/request-counter.ts';
import { aroundTheClock } from './demo-config.ts';

type Stats = { p50: number; p90: number; p99: number; max: number };

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

async function waitIdle(pipeline: Pipeline, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !(await pipeline.isIdle())) await new Promise((r) => setTimeout(r, 100));
}

/**
 * Timers through the running pipeline: scheduled as nurture schedules them, moved by the pipeline's own sweep
 * and fired by its nurture consumer. One round due within the horizon (straight to the queue), one round
 * through the due index (as a timer due in days goes). The timers name no lead, so firing costs only the
 * timer machinery: the lead read, the fired mark.
 */
export async function measureTimers(pipeline: Pipeline, count: number) {
  const dynamodb = new DynamoDBClient({});
  const sqs = new SQSClient({});
  pipeline.requests.attach(dynamodb, 'function');
  pipeline.requests.attach(sqs, 'function');
  const reader = documentClient(new DynamoDBClient({}));
  const deps = {
    store: new DynamoTimerStore(documentClient(dynamodb), pipeline.resources.tableName),
    queue: new SqsSender<TimerMessage>(sqs, pipeline.resources.timers.url),
  };
  const rounds = [];
  for (const path of ['direct', 'due index'] as const) {
    await waitIdle(pipeline, 30_000);
    pipeline.requests.reset();
    const now = new Date();
    const timers: Timer[] = Array.from({ length: count }, (_, i) => ({
      id: `bench#${now.getTime()}#${path}#${i}`,
      kind: 'nurture-step',
      leadId: `bench-no-lead-${i}`,
      // Due 3 to 8 seconds out, spread evenly.
      dueAt: new Date(now.getTime() + 3000 + Math.round((i / count) * 5000)).toISOString(),
      sequenceId: 'bench',
      step: 0,
    }));
    // A horizon of 1 s makes these "far" timers: they wait in the due index for a sweep.
    await scheduleTimers(deps, timers, now, path === 'direct' ? undefined : 1);
    await new Promise((r) => setTimeout(r, 8500));
    await waitIdle(pipeline, 30_000);
    await pipeline.requests.settled();
    const requests = pipeline.requests.snapshot();
    const delays: number[] = [];
    let unfired = 0;
    for (const timer of timers) {
      const { Item } = await reader.send(
        new GetCommand({ TableName: pipeline.resources.tableName, Key: timerKeys.timer(timer.id) }),
      );
      if (typeof Item?.firedAt !== 'string') unfired++;
      else delays.push(Date.parse(Item.firedAt) - Date.parse(timer.dueAt));
    }
    rounds.push({
      path,
      timers: count,
      unfired,
      firingDelayMs: stats(delays),
      requestsPerTimer: requests
        .filter((r) => r.role !== 'event-source' || r.service === 'SQS')
        .map((r) => ({ ...r, perTimer: Math.round((r.count / count) * 1000) / 1000 })),
    });
  }
  dynamodb.destroy();
  sqs.destroy();
  return rounds;
}

/**
 * The cost of counting one lead event into the KPI aggregates exactly once, three ways: a marker per event in a
 * transaction of its own (the first design), markers for a stream batch of ten sharing their rows, and a batch
 * of ten counted by its shard's position (what the stream does now). A redelivered batch changes nothing.
 */
export async function measureKpiCost(pipeline: Pipeline, config: Config, count: number) {
  const dynamodb = new DynamoDBClient({});
  // Transactions billed per item as AWS bills them (DynamoDB Local's own figure for them follows no rule),
  // sized through a client of its own so that the sizing reads are not counted as the store's.
  const sizing = new DynamoDBClient({});
  const counter = new RequestCounter(storedItemSizer(sizing));
  counter.attach(dynamodb, 'function');
  const store = new DynamoKpiStore(documentClient(dynamodb), pipeline.resources.tableName);
  const owner = config.routing.reps[0];
  const events = Array.from({ length: count }, (_, i) => {
    const lead = {
      id: `bench-kpi-${Date.now()}-${i}`,
      source: 'web-form' as const,
      formId: 'demo',
      receivedAt: '2026-03-19T16:00:00.000Z',
      createdAt: '2026-03-19T16:00:01.000Z',
      firstContactAt: `2026-03-19T16:${String(5 + (i % 50)).padStart(2, '0')}:00.000Z`,
      contact: {},
      keys: {},
      answers: {},
      attribution: { utm: { campaign: `c${i % 5}` } },
      locale: 'en' as const,
      score: { total: 10, breakdown: [], qualification: 'none' as const },
      segments: ['gulf'],
      status: 'contacted' as const,
      ownerId: owner?.id,
      statusHistory: [],
      history: [],
      touches: [],
      followUps: [],
      version: 1,
      test: false,
    };
    const [event] = kpiEvents(
      { ...lead, status: 'assigned', firstContactAt: undefined },
      lead,
      config,
      owner,
    ).filter((e) => e.key === 'first-contact');
    if (event === undefined) throw new Error('no first-contact event');
    return { leadId: lead.id, event };
  });
  const modes = [
    { how: 'marker per event' as const, batch: 1 },
    { how: 'marker per event' as const, batch: 10 },
    { how: 'shard position' as const, batch: 10 },
  ];
  const runs = [];
  for (const [n, { how, batch }] of modes.entries()) {
    const share = events.slice(
      Math.floor((n * count) / modes.length),
      Math.floor(((n + 1) * count) / modes.length),
    );
    const groups = Array.from({ length: Math.ceil(share.length / batch) }, (_, i) =>
      share.slice(i * batch, (i + 1) * batch),
    );
    // Four writers: four shards of their own when counted by position (a shard is read one batch at a time),
    // each shard's records numbered in order; the redelivery comes from the same shards.
    const run = Date.now();
    const shardOf = (g: number) => `bench-shard-${run}-${n}-${g % 4}`;
    const countGroup = (group: (typeof groups)[number], g: number) =>
      how === 'marker per event'
        ? store.recordAll(group)
        : store.recordFromShard(
            shardOf(g),
            group.map((entry, i) => ({ ...entry, sequence: String(1_000_000 + g * batch + i) })),
            Math.floor(Date.now() / 1000),
          );
    counter.reset();
    const started = process.hrtime.bigint();
    for (let i = 0; i < groups.length; i += 4)
      await Promise.all(groups.slice(i, i + 4).map((group, j) => countGroup(group, i + j)));
    const wallMicros = Number(process.hrtime.bigint() - started) / 1000 / share.length;
    await counter.settled();
    const requests = counter.snapshot();
    counter.reset();
    // The same events again, as a redelivered batch: nothing is counted twice.
    const again = (await Promise.all(groups.map((group, g) => countGroup(group, g)))).flat().length;
    await counter.settled();
    runs.push({
      how,
      batch,
      events: share.length,
      requestsPerEvent: requests.map((r) => ({
        operation: r.operation,
        perEvent: Math.round((r.count / share.length) * 100) / 100,
      })),
      writeUnitsPerEvent:
        Math.round((requests.reduce((n, r) => n + (r.writeUnits ?? 0), 0) / share.length) * 100) / 100,
      wallMicrosPerEvent: Math.round(wallMicros),
      countedAgain: again,
    });
  }
  dynamodb.destroy();
  sizing.destroy();
  return { events: count, dims: events[0]?.event.dims.length ?? 0, runs };
}

/**
 * Every email a lead causes, on a pipeline whose clocks run in seconds: the assignment, the reminder, the
 * manager's escalation, the next rep's assignment, and a two-step nurture sequence for consenting leads.
 */
export async function measureFollowUps(base: Config, pipeline: Pipeline, count: number) {
  const config: Config = {
    ...base,
    // One full cycle per lead: the reminder, then the manager's escalation; no reassignment, so the count ends.
    sla: {
      ...base.sla,
      firstContactMinutes: 0.05,
      escalateAfterMinutes: 0.1,
      escalation: { reassign: false, notifyManager: true, maxReassignments: 0 },
      segments: {},
    },
    routing: {
      ...base.routing,
      // Around the clock, so the clocks run on wall time.
      reps: aroundTheClock(base.routing.reps),
      pools: base.routing.pools.map((p) => ({ ...p, segments: [], sla: undefined })).slice(0, 1),
    },
    nurture: {
      ...base.nurture,
      sequences: base.nurture.sequences.map((s) => ({
        ...s,
        stopWhen: 'closed' as const,
        steps: s.steps.map((step, i) => ({ ...step, afterMinutes: i === 0 ? 0.02 : 0.05 })),
      })),
    },
  };
  // A DynamoDB Local of its own, as for the scale phase: the earlier phases' tables slow the shared one (its TTL
  // sweeper scans them all) until clocks of seconds no longer fire in time.
  const engine = await startDynamoDbLocal();
  const followUps = await startPipeline({
    config,
    emulators: { ...pipeline.emulators, dynamodbEndpoint: engine.endpoint },
    prefix: `leadpipe-bench-followups-${Date.now().toString(36)}`,
    sweepIntervalMs: 1000,
    onError: () => undefined,
  });
  try {
    const url = `${followUps.url}/v1/forms/demo/leads`;
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: `Bench Person ${i}`,
          email: `bench.followup.${Date.now()}.${i}@example.com`,
          // Half consent to marketing email; the other half get none.
          ...(i % 2 === 0 ? { consent: 'yes' } : {}),
        }),
      });
      ids.push(((await response.json()) as { leadId: string }).leadId);
    }
    // Per lead: assignment, reminder (3 s), manager's escalation (6 s); per consenting lead two nurture steps
    // (1.2 s and 4.2 s). Count once every lead has had its escalation and no mail has come for 8 seconds.
    const leadSet = new Set(ids);
    const ours = async () =>
      (await followUps.outbox()).filter((m) => leadSet.has(m.headers['X-Leadpipe-Lead'] ?? ''));
    let mails = await ours();
    for (let quiet = 0, i = 0; i < 240; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const now = await ours();
      quiet = now.length === mails.length ? quiet + 1 : 0;
      mails = now;
      const escalated = mails.filter((m) => m.headers['X-Leadpipe-Mail'] === 'escalation').length;
      if (escalated >= count && quiet >= 8) break;
    }
    const reps = new Set(config.routing.reps.map((r) => r.email));
    const managers = new Set(config.routing.pools.flatMap((p) => (p.manager ? [p.manager.email] : [])));
    const byKind = { toReps: 0, toManagers: 0, toLeads: 0 };
    for (const m of mails) {
      const to = m.to[0] ?? '';
      if (reps.has(to)) byKind.toReps++;
      else if (managers.has(to)) byKind.toManagers++;
      else byKind.toLeads++;
    }
    const per = (n: number) => Math.round((n / count) * 100) / 100;
    return {
      leads: count,
      consenting: Math.ceil(count / 2),
      emailsPerLead: per(mails.length),
      toRepsPerLead: per(byKind.toReps),
      toManagersPerLead: per(byKind.toManagers),
      toLeadsPerLead: per(byKind.toLeads),
    };
  } finally {
    await followUps.stop();
    await engine.stop();
    // The pipeline pointed the SDK's endpoint variables at its engine: back to the shared one.
    useEmulatorEndpoints(pipeline.emulators);
  }
}
