import { createHmac, randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { FOOTPRINTS, type FunctionName } from '../functions/footprints.ts';
import { documentClient } from '../functions/shared/aws/clients.ts';
import { scanPages } from '../functions/shared/aws/scan.ts';
import type { Config } from '../functions/shared/config.ts';
import { csvRow, UTF8_BOM } from '../functions/shared/csv.ts';
import { leadIdFor } from '../functions/shared/ids.ts';
import { Lead } from '../functions/shared/lead.ts';
import { PREFIX, SORT, tableKeys } from '../functions/shared/table-schema.ts';
import { grantedAccesses } from './access-guard.ts';
import type { Emulators } from './emulators.ts';
import { type FaultConfig, FaultInjector } from './faults.ts';
import { type OutboxMail, type Pipeline, startPipeline } from './pipeline.ts';
import { redrive } from './redrive.ts';

export type ChaosOptions = {
  /** The demo config (or another): sources must include a web form `demo`, facebook and google. */
  config: Config;
  leads: number;
  faults: FaultConfig;
  emulators?: Emulators;
  /** Where the run's logs are written, to be scanned for personal data afterwards. */
  logFile: string;
  /** Print progress lines (to the terminal's stderr, past the log capture). */
  verbose?: boolean;
  /** The queues' visibility timeout, when not `npm start`'s (tests take a shorter one). */
  queueVisibilitySeconds?: number;
};

export type Invariant = { name: string; held: boolean; detail: string };

export type ChaosReport = {
  leadsPosted: number;
  accepted: number;
  /** Rows of the manager's spreadsheet import (new people and people already in). */
  imported: number;
  webhooksRedelivered: number;
  crossSourceDuplicates: number;
  testLeads: number;
  contacted: number;
  /** Of the contacted, marked won or lost. */
  closed: number;
  faultsInjected: Record<string, number>;
  redriven: Record<string, number>;
  seconds: number;
  invariants: Invariant[];
  /** By function: the accesses made, and the granted ones nothing used. */
  access: Record<FunctionName, { used: string[]; unused: string[] }>;
};

type Posted = { leadId: string; email: string; phone: string; name: string; test: boolean; source: string };

/** A client that behaves like the ad platforms and browsers: a 5xx or a dropped connection is retried. */
async function postWithRetry(url: string, body: string, headers: Record<string, string>): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, { method: 'POST', headers, body });
      if (response.status < 500 || attempt >= 8) return response;
      await response.arrayBuffer();
    } catch (error) {
      if (attempt >= 8) throw error;
    }
    await new Promise((r) => setTimeout(r, 50 * attempt + Math.random() * 50));
  }
}

export async function inBatches<T>(
  items: readonly T[],
  concurrency: number,
  run: (item: T) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (item !== undefined) await run(item);
      }
    }),
  );
}

async function waitUntilIdle(pipeline: Pipeline, quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietSince: number | undefined;
  while (Date.now() < deadline) {
    if (await pipeline.isIdle()) {
      quietSince ??= Date.now();
      if (Date.now() - quietSince >= quietMs) return;
    } else quietSince = undefined;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the pipeline did not drain within ${timeoutMs / 1000} s`);
}

/** What the KPI funnel counts as new over the days the leads were created on (its `all` rows). */
async function funnelNewCount(
  db: DynamoDBDocumentClient,
  tableName: string,
  leads: readonly Pick<Lead, 'createdAt'>[],
): Promise<number> {
  let counted = 0;
  for (const day of [...new Set(leads.map((l) => l.createdAt.slice(0, 10)))]) {
    const { Items = [] } = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk = :sk',
        ExpressionAttributeValues: { ':pk': tableKeys.kpiRowPartition('funnel', 'all'), ':sk': `${day}#all` },
      }),
    );
    counted += Items.reduce((n, item) => n + Number(item.new ?? 0), 0);
  }
  return counted;
}

/** The invariant both runs check: the funnel counts each created lead once as new, as problems and a detail. */
export async function funnelCountsEachLeadOnce(
  db: DynamoDBDocumentClient,
  tableName: string,
  leads: readonly Pick<Lead, 'createdAt'>[],
): Promise<[problems: string[], detail: string]> {
  const counted = await funnelNewCount(db, tableName, leads);
  return [
    counted === leads.length ? [] : [`the funnel counts ${counted} new, ${leads.length} leads were created`],
    `${leads.length} leads, ${counted} counted`,
  ];
}

/** Messages waiting in a queue or being worked on (not those still delayed). */
export async function messagesIn(sqs: SQSClient, url: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

export async function scanAll(db: DynamoDBDocumentClient, table: string, prefix: string) {
  const items: Record<string, unknown>[] = [];
  for await (const page of scanPages(db, {
    TableName: table,
    FilterExpression: 'begins_with(pk, :prefix)',
    ExpressionAttributeValues: { ':prefix': prefix },
  }))
    items.push(...(page.Items ?? []));
  return items;
}

/**
 * The config a chaos run uses: long SLA clocks (the run checks delivery; escalation moves leads on purpose) and
 * nurture steps seconds apart, so sequences, bounces and suppression happen within the run.
 */
export function chaosConfig(config: Config): Config {
  return {
    ...config,
    // Every rep gets a capacity no run reaches, so their open-lead counts are kept and can be checked.
    routing: {
      ...config.routing,
      reps: config.routing.reps.map((r) => ({
        ...r,
        capacity: { ...r.capacity, maxOpen: r.capacity?.maxOpen ?? 1_000_000 },
      })),
    },
    sla: { ...config.sla, firstContactMinutes: 60, escalateAfterMinutes: 1440 },
    nurture: {
      ...config.nurture,
      sequences: config.nurture.sequences.map((s) => ({
        ...s,
        steps: s.steps.map((step, i) => ({ ...step, afterMinutes: i === 0 ? 0.02 : 0.05 })),
      })),
    },
  };
}

/** One chaos run's shared state: the pipeline, the run's id (unique names) and what was accepted. */
type Run = {
  p: Pipeline;
  config: Config;
  id: string;
  posted: Posted[];
  redelivered: number;
  crossSource: number;
  testLeads: number;
  /** The spreadsheet imports the manager made. */
  imports: string[];
};

/** One in seven names carries emoji (astral planes and a skin-tone modifier), as real names do. */
function person(run: Run, i: number) {
  return {
    name: `Chaos ${run.id} Person ${i}${i % 7 === 3 ? ' 😀👋🏽' : ''}`,
    // One in fifty bounces (SES's mailbox simulator, with a label so each is its own person).
    email:
      i % 50 === 7 ? `bounce+${run.id}-${i}@simulator.amazonses.com` : `chaos.${run.id}.${i}@example.com`,
    phone: `+96650${String(i % 10_000_000).padStart(7, '0')}`,
  };
}

/** Every log line goes to the file (INFO to stdout, errors to stderr), to be scanned for personal data at the end. */
function captureLogs(logFile: string): { restore: () => void; stderr: (line: string) => void } {
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, '');
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  const capture = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    appendFileSync(logFile, chunk);
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  const previousLevel = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  return {
    stderr: (line) => stderrWrite(line),
    restore: () => {
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
      if (previousLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
      else process.env.POWERTOOLS_LOG_LEVEL = previousLevel;
    },
  };
}

/**
 * Pushes leads from all three sources through the whole local pipeline under injected faults (with platform
 * redeliveries, cross-source duplicates and test leads mixed in), lets it drain, redrives every DLQ once, and
 * checks what must hold whatever failed: nothing accepted is lost, every lead is assigned and announced exactly
 * once, no suppressed address is mailed, the KPI counts every contact once, the DLQs end empty, and no
 * personal data reached the logs.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const config = chaosConfig(options.config);
  const facebook = config.sources.facebook;
  const google = config.sources.google;
  if (!facebook || !google || !config.sources.forms.demo)
    throw new Error('the chaos run needs the demo form and both ad platforms in the config');
  const logs = captureLogs(options.logFile);
  const say = (line: string) => {
    if (options.verbose) logs.stderr(`chaos: ${line}\n`);
  };
  const faults = new FaultInjector(options.faults);
  let pipeline: Pipeline | undefined;
  try {
    pipeline = await startPipeline({
      config,
      ...(options.emulators ? { emulators: options.emulators } : {}),
      prefix: `leadpipe-chaos-${Date.now().toString(36)}`,
      ...(options.queueVisibilitySeconds ? { queueVisibilitySeconds: options.queueVisibilitySeconds } : {}),
      faults,
      sweepIntervalMs: 1000,
      onError: () => undefined,
    });
    const run: Run = {
      p: pipeline,
      config,
      id: randomUUID().slice(0, 8),
      posted: [],
      redelivered: 0,
      crossSource: 0,
      testLeads: 0,
      imports: [],
    };
    // 1. Leads: half web forms, three in ten Meta (webhooks of 1 to 5 leads), two in ten Google.
    say(`posting ${options.leads} leads under faults ${JSON.stringify(options.faults)}`);
    const webCount = Math.floor(options.leads * 0.5);
    const metaCount = Math.floor(options.leads * 0.3);
    await postWebLeads(run, webCount);
    await postMetaLeads(run, webCount, metaCount, facebook);
    await postGoogleLeads(run, webCount + metaCount, options.leads - webCount - metaCount, webCount, google);
    say(`accepted ${run.posted.length} of ${options.leads}; waiting for the pipeline to drain`);
    // A hang detector, not a speed goal: generous enough for a machine busy with other work (a test run).
    await waitUntilIdle(pipeline, 3000, 120_000 + options.leads * 300);

    // 2. Reps make contact and close, through the ops API under the same faults.
    const db = documentClient();
    const { contacted, closed } = await actAsReps(run, db);
    await lookAsManager(run);
    const accepted = run.posted.length;
    await importSpreadsheet(run);
    await waitUntilIdle(pipeline, 3000, 120_000 + options.leads * 100);

    // 3. Redrive every DLQ once, then drain again.
    const sqs = new SQSClient({});
    const redriven = await redriveAll(pipeline, sqs);
    say(`redrove ${JSON.stringify(redriven)}; draining`);
    await waitUntilIdle(pipeline, 5000, 120_000);
    // Faults stop here: the checks read the end state.
    Object.assign(faults.config, { sdkRate: 0, invocationRate: 0, duplicateRate: 0, graphRate: 0 });

    const invariants = await checkInvariants(pipeline, config, db, sqs, run, options.logFile);
    const denied = [...new Set(pipeline.access.denied)];
    invariants.push({
      name: 'every AWS request within its function’s footprint (what its IAM role grants)',
      held: denied.length === 0,
      detail: denied.length === 0 ? 'none refused' : `refused: ${denied.join('; ')}`,
    });
    sqs.destroy();
    return {
      leadsPosted: options.leads,
      accepted,
      imported: run.posted.length - accepted,
      webhooksRedelivered: run.redelivered,
      crossSourceDuplicates: run.crossSource,
      testLeads: run.testLeads,
      contacted,
      closed,
      faultsInjected: faults.summary(),
      redriven,
      seconds: Math.round((Date.now() - started) / 1000),
      invariants,
      access: accessReport(pipeline),
    };
  } finally {
    await pipeline?.stop();
    logs.restore();
  }
}

/** What each function accessed, and what its footprint grants that the run never used. */
function accessReport(p: Pipeline): ChaosReport['access'] {
  return Object.fromEntries(
    (Object.keys(FOOTPRINTS) as FunctionName[]).map((fn) => {
      const used = p.access.usedBy(fn);
      const unused = [...grantedAccesses(FOOTPRINTS[fn])].filter((a) => !used.has(a));
      return [fn, { used: [...used].sort(), unused: unused.sort() }];
    }),
  ) as ChaosReport['access'];
}

/** Web form leads with an Idempotency-Key; some consent to marketing, some write very long answers. */
async function postWebLeads(run: Run, count: number): Promise<void> {
  const formUrl = `${run.p.url}/v1/forms/demo/leads`;
  await inBatches(
    Array.from({ length: count }, (_, i) => i),
    12,
    async (i) => {
      const who = person(run, i);
      const response = await postWithRetry(
        formUrl,
        // One in five consents to marketing email, and so does every bouncing address (to be suppressed); one
        // in ten writes a long message and a long answer (cut to 5,000 characters).
        JSON.stringify({
          ...who,
          ...(i % 5 === 0 || i % 50 === 7 ? { consent: 'yes' } : {}),
          ...(i % 10 === 4 ? { message: `${'ممتاز 👍 '.repeat(500)}`, notes: 'ن'.repeat(6000) } : {}),
        }),
        { 'content-type': 'application/json', 'idempotency-key': `${run.id}-${i}` },
      );
      if (response.status !== 202) return;
      const { leadId } = (await response.json()) as { leadId: string };
      run.posted.push({ leadId, ...who, test: false, source: 'web-form' });
    },
  );
}

/** Meta leads: stored at the fake Graph API, announced by signed webhooks of 1 to 5 leads, some sent twice. */
async function postMetaLeads(
  run: Run,
  first: number,
  count: number,
  facebook: NonNullable<Config['sources']['facebook']>,
): Promise<void> {
  const formId = facebook.forms[0] ?? '100000000000001';
  const metaLeads = Array.from({ length: count }, (_, k) => {
    const i = first + k;
    return {
      i,
      leadgenId: `${9_000_000_000_000_000n + BigInt(Date.now() % 1_000_000) * 1_000_000n + BigInt(k)}`,
    };
  });
  for (const { i, leadgenId } of metaLeads) {
    const who = person(run, i);
    await fetch(`${run.p.graphApiUrl}/_fake/leads`, {
      method: 'POST',
      body: JSON.stringify({
        id: leadgenId,
        form_id: formId,
        created_time: new Date().toISOString().replace(/\.\d{3}Z$/, '+0000'),
        field_data: [
          { name: 'full_name', values: [who.name] },
          { name: 'email', values: [who.email] },
          { name: 'phone_number', values: [who.phone] },
        ],
      }),
    });
  }
  const webhooks: (typeof metaLeads)[] = [];
  for (let k = 0; k < metaLeads.length; ) {
    const size = 1 + (k % 5);
    webhooks.push(metaLeads.slice(k, k + size));
    k += size;
  }
  await inBatches(webhooks, 8, async (batch) => {
    const body = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: '138124712925158',
          time: Math.floor(Date.now() / 1000),
          changes: batch.map(({ leadgenId }) => ({
            field: 'leadgen',
            value: {
              leadgen_id: leadgenId,
              page_id: '138124712925158',
              form_id: formId,
              created_time: Math.floor(Date.now() / 1000),
            },
          })),
        },
      ],
    });
    const headers = {
      'content-type': 'application/json',
      'x-hub-signature-256': `sha256=${createHmac('sha256', facebook.appSecret).update(body).digest('hex')}`,
    };
    // Meta redelivers: one webhook in ten arrives twice.
    const times = batch[0] && batch[0].i % 10 === 3 ? 2 : 1;
    for (let t = 0; t < times; t++) {
      const response = await postWithRetry(`${run.p.url}/v1/webhooks/facebook`, body, headers);
      if (response.status !== 200 || t > 0) continue;
      for (const { i, leadgenId } of batch)
        run.posted.push({
          leadId: leadIdFor('facebook', leadgenId),
          ...person(run, i),
          test: false,
          source: 'facebook',
        });
    }
    if (times === 2) run.redelivered++;
  });
}

/** Google leads, some sent twice, some test leads, some the same person as a web form lead. */
async function postGoogleLeads(
  run: Run,
  first: number,
  count: number,
  webCount: number,
  google: NonNullable<Config['sources']['google']>,
): Promise<void> {
  await inBatches(
    Array.from({ length: count }, (_, k) => k),
    8,
    async (k) => {
      const i = first + k;
      // One in twenty is a person who also filled the web form (a cross-source duplicate): same email.
      const duplicateOf = k % 20 === 4 && k < webCount ? k : undefined;
      const who =
        duplicateOf === undefined
          ? person(run, i)
          : { ...person(run, i), email: person(run, duplicateOf).email };
      const test = k % 50 === 11;
      const leadIdText = `${run.id}-g-${k}`;
      const body = JSON.stringify({
        lead_id: leadIdText,
        api_version: '1.0',
        form_id: 349080077126,
        campaign_id: 23729418209,
        google_key: google.key,
        is_test: test,
        user_column_data: [
          { column_name: 'Full Name', string_value: who.name, column_id: 'FULL_NAME' },
          { column_name: 'User Email', string_value: who.email, column_id: 'EMAIL' },
          { column_name: 'User Phone', string_value: who.phone, column_id: 'PHONE_NUMBER' },
        ],
      });
      // Google retries too: one in ten arrives twice.
      const times = k % 10 === 6 ? 2 : 1;
      for (let t = 0; t < times; t++) {
        const response = await postWithRetry(`${run.p.url}/v1/webhooks/google`, body, {
          'content-type': 'application/json',
        });
        if (response.status === 200 && t === 0)
          run.posted.push({ leadId: leadIdFor('google', leadIdText), ...who, test, source: 'google' });
      }
      if (times === 2) run.redelivered++;
      if (duplicateOf !== undefined) run.crossSource++;
      if (test) run.testLeads++;
    },
  );
}

/** Reps make contact with three leads in ten and close one in three of those, won or lost. */
async function actAsReps(
  run: Run,
  db: DynamoDBDocumentClient,
): Promise<{ contacted: number; closed: number }> {
  const leads = (await scanAll(db, run.p.resources.tableName, PREFIX.lead))
    .filter((item) => item.sk === SORT.lead)
    .map((item) => Lead.parse(item));
  const toContact = leads.filter((l, n) => !l.test && l.ownerId && n % 10 < 3);
  await inBatches(toContact, 8, async (lead) => {
    await postWithRetry(
      `${run.p.url}/v1/leads/${lead.id}/events`,
      JSON.stringify({ type: 'contacted', by: 'chaos' }),
      { 'content-type': 'application/json' },
    );
  });
  // Of those, one in three is closed: won or lost, each giving its owner's place back exactly once.
  const toClose = toContact.filter((_, n) => n % 3 === 0);
  await inBatches(toClose, 8, async (lead) => {
    const won = lead.id.charCodeAt(lead.id.length - 1) % 2 === 0;
    await postWithRetry(
      `${run.p.url}/v1/leads/${lead.id}/events`,
      JSON.stringify(won ? { type: 'won', by: 'chaos' } : { type: 'lost', by: 'chaos', reason: 'budget' }),
      { 'content-type': 'application/json' },
    );
  });
  return { contacted: toContact.length, closed: toClose.length };
}

/**
 * A manager works in the dashboard under the same faults: the lead list, some leads, the reps, the KPIs, a
 * search by a person's email, and a note and a call planned (due in seconds) on a lead, then its owner's agenda.
 */
async function lookAsManager(run: Run): Promise<void> {
  const send = async (path: string, body?: unknown) => {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${run.p.url}${path}`, {
        ...(body === undefined
          ? {}
          : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      if (response.status < 500 || attempt >= 5) return response;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  };
  const list = await send('/v1/leads?limit=20');
  const { leads = [] } = (await list.json()) as { leads?: { id: string; ownerId?: string }[] };
  await inBatches(leads.slice(0, 5), 5, async (lead) => {
    await send(`/v1/leads/${encodeURIComponent(lead.id)}`);
  });
  for (const path of ['/v1/reps', '/v1/kpi/response-time', '/v1/kpi/funnel']) await send(path);
  const someone = run.posted.find((p) => !p.test);
  if (someone) await send(`/v1/leads?q=${encodeURIComponent(someone.email)}`);
  const owned = leads.find((l) => l.ownerId);
  if (owned?.ownerId === undefined) return;
  const path = `/v1/leads/${encodeURIComponent(owned.id)}`;
  await send(`${path}/notes`, { text: 'Called, no answer 📞', by: 'chaos' });
  // Due in seconds: its reminder goes through the timer queue and nurture during the run.
  const dueAt = new Date(Date.now() + 5000).toISOString();
  await send(`${path}/tasks`, { type: 'call', dueAt, by: 'chaos' });
  await send(`/v1/tasks?ownerId=${encodeURIComponent(owned.ownerId)}&due=week`);
}

/**
 * A manager imports a list under the same faults: new people, and people who came by form already (merged into
 * their leads). An import interrupted while queueing is sent again, as its answer says to.
 */
async function importSpreadsheet(run: Run): Promise<void> {
  const source = `chaos-${run.id}`;
  const count = Math.max(6, Math.floor(run.posted.length / 20));
  const known = run.posted.filter((x) => !x.test).slice(0, Math.floor(count / 2));
  const fresh = Array.from({ length: count - known.length }, (_, k) => person(run, 900_000 + k));
  const rows = [...fresh, ...known].map((who, k) => ({ ...who, id: `row-${k}` }));
  const csv = `${UTF8_BOM}${csvRow(['id', 'name', 'email', 'phone'])}${rows
    .map((r) => csvRow([r.id, r.name, r.email, r.phone]))
    .join('')}`;
  for (let attempt = 1; attempt <= 5; attempt++) {
    const response = await fetch(`${run.p.url}/v1/imports?source=${source}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv; charset=utf-8' },
      body: csv,
    }).catch(() => undefined);
    if (response?.status === 202) {
      run.imports.push(((await response.json()) as { id: string }).id);
      // Each row's lead (or, for a known person, its touch) has the id its row gives it.
      for (const r of rows)
        run.posted.push({
          leadId: leadIdFor('import', `${source}\n${r.id}`),
          email: r.email,
          phone: r.phone,
          name: r.name,
          test: false,
          source: 'import',
        });
      return;
    }
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
}

/** Hands every DLQ's messages back to its queue once. */
async function redriveAll(p: Pipeline, sqs: SQSClient): Promise<Record<string, number>> {
  const redriven: Record<string, number> = {};
  const { resources } = p;
  for (const [name, dlq, queue] of [
    ['intake', resources.intakeDlq, resources.intake],
    ['routing', resources.routingDlq, resources.routing],
    ['timers', resources.timersDlq, resources.timers],
  ] as const) {
    redriven[name] = await redrive(sqs, dlq.url, queue.url);
  }
  return redriven;
}

async function checkInvariants(
  p: Pipeline,
  config: Config,
  db: DynamoDBDocumentClient,
  sqs: SQSClient,
  run: Run,
  logFile: string,
): Promise<Invariant[]> {
  const { posted } = run;
  const invariants: Invariant[] = [];
  const check = (name: string, problems: string[], ok: string) =>
    invariants.push({
      name,
      held: problems.length === 0,
      detail: problems.length === 0 ? ok : `${problems.length}: ${problems.slice(0, 5).join('; ')}`,
    });

  const leadItems = await scanAll(db, p.resources.tableName, PREFIX.lead);
  const leads = leadItems.filter((item) => item.sk === SORT.lead).map((item) => Lead.parse(item));
  const byId = new Map(leads.map((l) => [l.id, l]));
  const touchIds = new Set(leads.flatMap((l) => l.touches.map((t) => t.id)));

  check(
    'accepted = stored (every acknowledged lead is a lead, or a touch on its person’s lead)',
    // Each missing lead with its source and whether the same person has a lead, to tell loss from a lost touch.
    posted
      .filter((x) => !byId.has(x.leadId) && !touchIds.has(x.leadId))
      .map((x) => {
        const person = leads.find((l) => l.keys.email === x.email.toLowerCase());
        return `${x.leadId} (${x.source}${x.test ? ', test' : ''}; person's lead ${person ? `${person.id}, ${person.touches.length} touches` : 'none'})`;
      }),
    `${posted.length} accepted, ${leads.length} leads + ${touchIds.size} touches`,
  );

  const real = leads.filter((l) => !l.test);
  check(
    'every non-test lead assigned exactly once',
    real
      .filter((l) => l.ownerId === undefined || l.assignment === undefined || l.history.length > 0)
      .map((l) => `${l.id} owner=${l.ownerId ?? 'none'} moves=${l.history.length}`),
    `${real.length} leads, each with one owner and no second assignment`,
  );
  check(
    'test leads are never assigned',
    leads.filter((l) => l.test && l.ownerId !== undefined).map((l) => l.id),
    `${leads.length - real.length} test leads, none assigned`,
  );

  const outbox: OutboxMail[] = await p.outbox();
  const assignmentMails = new Map<string, OutboxMail[]>();
  for (const mail of outbox) {
    if (mail.headers['X-Leadpipe-Mail'] !== 'assignment') continue;
    const id = mail.headers['X-Leadpipe-Lead'] ?? '';
    assignmentMails.set(id, [...(assignmentMails.get(id) ?? []), mail]);
  }
  const repEmail = new Map(config.routing.reps.map((r) => [r.id, r.email]));
  check(
    'exactly one assignment email per assignment, to the owner',
    real
      .filter((l) => {
        const mails = assignmentMails.get(l.id) ?? [];
        return mails.length !== 1 || mails[0]?.to[0] !== repEmail.get(l.ownerId ?? '');
      })
      .map((l) => `${l.id}: ${(assignmentMails.get(l.id) ?? []).length} mails`),
    `${real.length} assignment emails`,
  );

  // WhatsApp, SMS and chat refuse at times (channel faults): each assignment still reached its owner somewhere.
  const route = config.notifications.routes.assignment;
  const reached = new Set(
    leadItems
      .filter((i) => i.kind === 'message' && i.notice === 'assignment' && i.outcome === 'sent')
      .map((i) => `${i.leadId} ${i.to}`),
  );
  const timelined = route.try.some((c) => c !== 'email') || route.always.length > 0;
  check(
    'every assignment reached its owner on some channel, as its timeline shows',
    timelined ? real.filter((l) => !reached.has(`${l.id} rep:${l.ownerId}`)).map((l) => l.id) : [],
    timelined
      ? `${real.length} assignments; reached by ${[...new Set(leadItems.filter((i) => i.kind === 'message' && i.outcome === 'sent').map((i) => String(i.channel)))].sort().join(', ')}`
      : 'email only (checked above)',
  );

  // The try chain stops at the first channel that takes the notice; a redelivered record (an `always` channel
  // failed) must not try an earlier, failed channel again. WhatsApp's own later "failed" moves it on, rightly.
  const tried = new Map<string, string[]>();
  for (const i of leadItems)
    if (
      i.kind === 'message' &&
      i.notice === 'assignment' &&
      i.outcome === 'sent' &&
      i.status !== 'failed' &&
      route.try.some((c) => c === i.channel) &&
      !route.always.some((c) => c === i.channel)
    ) {
      const notice = String(i.id).slice(0, String(i.id).lastIndexOf('#'));
      tried.set(notice, [...(tried.get(notice) ?? []), String(i.channel)]);
    }
  check(
    'each assignment taken by one channel of its try chain, never two',
    [...tried].filter(([, channels]) => channels.length > 1).map(([n, c]) => `${n}: ${c.join(' + ')}`),
    `${tried.size} assignments taken by a channel of [${route.try.join(', ')}]`,
  );

  // Each WhatsApp message carries its send-once key as callback data: one key sent twice is a person told twice.
  const whatsappKeys = (p.channels.graph?.whatsappSent() ?? []).flatMap((m) =>
    m.callbackData ? [m.callbackData.split(' ')[1] ?? m.callbackData] : [],
  );
  const sentTimes = new Map<string, number>();
  for (const key of whatsappKeys) sentTimes.set(key, (sentTimes.get(key) ?? 0) + 1);
  check(
    'each WhatsApp message sent once (by the send-once key it carries)',
    [...sentTimes].filter(([, times]) => times > 1).map(([key, times]) => `${key} ×${times}`),
    `${whatsappKeys.length} sent, each once`,
  );

  const suppressed = await scanAll(db, p.resources.tableName, PREFIX.suppression);
  const suppressedAt = new Map(
    suppressed.map((s) => [String(s.pk).slice(PREFIX.suppression.length), Date.parse(String(s.at))]),
  );
  check(
    'no email to a suppressed address after its suppression',
    outbox
      .filter((m) => {
        const at = suppressedAt.get((m.to[0] ?? '').toLowerCase());
        // A mail SES had accepted before the bounce came back is not a violation.
        return at !== undefined && Date.parse(m.sentAt) > at + 1000;
      })
      .map((m) => `${m.headers['X-Leadpipe-Lead']} ${m.headers['X-Leadpipe-Mail']}`),
    `${suppressed.length} addresses suppressed`,
  );

  const contacted = real.filter((l) => l.firstContactAt !== undefined).length;
  const days = [...new Set(real.flatMap((l) => (l.firstContactAt ? [l.firstContactAt.slice(0, 10)] : [])))];
  let counted = 0;
  for (const day of days) {
    const { Items = [] } = await db.send(
      new QueryCommand({
        TableName: p.resources.tableName,
        KeyConditionExpression: 'pk = :pk AND sk = :sk',
        ExpressionAttributeValues: { ':pk': tableKeys.kpiRowPartition('rt', 'all'), ':sk': `${day}#all` },
      }),
    );
    counted += Items.reduce((n, item) => n + Number(item.count ?? 0), 0);
  }
  check(
    'KPI first contacts = contacted leads',
    counted === contacted ? [] : [`KPI counts ${counted}, ${contacted} leads were contacted`],
    `${contacted} contacted, ${counted} counted`,
  );

  // Every lead's `new` step counted once: each stream record's events by its shard's position, through
  // duplicate deliveries, retries and crashes.
  check(
    'KPI funnel counts each lead once as new',
    ...(await funnelCountsEachLeadOnce(db, p.resources.tableName, real)),
  );

  // Each rep's open-lead count (kept for reps with a capacity) is the number of leads they own and have not closed.
  const repItems = await scanAll(db, p.resources.tableName, PREFIX.reps);
  const owned = new Map<string, number>();
  for (const l of leads)
    if (l.ownerId && l.status !== 'won' && l.status !== 'lost')
      owned.set(l.ownerId, (owned.get(l.ownerId) ?? 0) + 1);
  const withCapacity = config.routing.reps.filter((r) => r.capacity?.maxOpen !== undefined);
  const counts = new Map(
    repItems
      .filter((item) => String(item.sk).startsWith(SORT.rep))
      .map((item) => [String(item.sk).slice(SORT.rep.length), Number(item.openLeads ?? 0)]),
  );
  check(
    "each rep's open-lead count = the leads they own and have not closed",
    withCapacity
      .filter((r) => (counts.get(r.id) ?? 0) !== (owned.get(r.id) ?? 0))
      .map((r) => `${r.id}: counted ${counts.get(r.id) ?? 0}, owns ${owned.get(r.id) ?? 0} open`),
    `${withCapacity.length} reps, ${[...owned.values()].reduce((a, b) => a + b, 0)} open leads, ${leads.filter((l) => l.status === 'won' || l.status === 'lost').length} closed`,
  );

  const depths: string[] = [];
  const { resources } = p;
  for (const queue of [
    resources.intakeDlq,
    resources.routingDlq,
    resources.timersDlq,
    resources.nurtureFailures,
  ]) {
    const depth = await messagesIn(sqs, queue.url);
    if (depth > 0) depths.push(`${queue.name}: ${depth}`);
  }
  check('DLQs and the stream failure queue empty after one redrive', depths, 'all empty');

  const unfinished: string[] = [];
  for (const id of run.imports) {
    const view = (await (await fetch(`${p.url}/v1/imports/${id}`)).json()) as {
      status?: string;
      rows?: number;
      created?: number;
      merged?: number;
      pending?: number;
    };
    if (view.status !== 'done' || view.pending !== 0) unfinished.push(`${id}: ${JSON.stringify(view)}`);
  }
  check(
    'every imported row stored and counted once (created + merged = queued)',
    unfinished,
    `${run.imports.length} import${run.imports.length === 1 ? '' : 's'} done`,
  );

  // Every email address, phone number (as posted and as E.164) and name the run sent, searched for in the logs.
  const logs = readFileSync(logFile, 'utf8');
  const needles = new Set<string>();
  for (const x of posted) {
    needles.add(x.email.toLowerCase());
    needles.add(x.phone);
    needles.add(x.name);
  }
  const lower = logs.toLowerCase();
  const lines = logs.split('\n').filter((l) => l.includes('"level"')).length;
  check(
    'no email address, phone number or name of a lead in the logs',
    [
      // A scan of nothing proves nothing: the run must have logged (a line per lead at least).
      ...(lines < posted.length ? [`only ${lines} log lines were captured`] : []),
      ...[...needles].filter((n) => lower.includes(n.toLowerCase())).slice(0, 20),
    ],
    `${needles.size} values searched in ${lines} log lines (${Math.round(logs.length / 1024)} KiB)`,
  );
  return invariants;
}
