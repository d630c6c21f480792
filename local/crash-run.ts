import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { interceptLocalhostDns } from 'fauxqs';
import { leadIdFor } from '../functions/shared/ids.ts';
import { Lead } from '../functions/shared/lead.ts';
import { SORT } from '../functions/shared/table-schema.ts';
import { funnelCountsEachLeadOnce, type Invariant, inBatches, messagesIn, scanAll } from './chaos.ts';
import { loadConfigFile } from './config-file.ts';
import { freePort } from './emulators.ts';
import type { OutboxMail } from './pipeline.ts';
import { Runtime } from './runtime.ts';

export type CrashRunOptions = {
  /** Web-form and Google leads to post (the Meta fake keeps its leads in memory, so it sits this one out). */
  leads: number;
  /** The runner is killed with SIGKILL once this many leads are acknowledged. */
  killAfter: number;
  dataDir: string;
  configPath: string;
  verbose?: boolean;
};

export type CrashRunReport = {
  leadsPosted: number;
  acknowledged: number;
  acknowledgedBeforeKill: number;
  /** From the kill to the restarted runner answering again. */
  restartSeconds: number;
  /** Messages the restarted runner's SQS put back from its journal (acknowledged, not yet consumed). */
  messagesRestored: number;
  /** Assignment mails sent a second time because the kill fell between SES accepting one and its record. */
  repeatedAssignmentMails: number;
  seconds: number;
  invariants: Invariant[];
};

type Runner = { child: ChildProcess; exited: Promise<void> };

/** `npm start` in a process of its own, on a fixed port, keeping its data in `dataDir`. */
function startRunner(options: CrashRunOptions, port: number, logFd: number): Runner {
  const child = spawn(process.execPath, ['local/bootstrap.mjs'], {
    env: {
      ...process.env,
      PORT: String(port),
      LEADPIPE_DATA_DIR: options.dataDir,
      LEADPIPE_RUNTIME_FILE: join(options.dataDir, 'runtime.json'),
      LEADPIPE_CONFIG: options.configPath,
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
    stdio: ['ignore', logFd, logFd],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited };
}

async function waitForRunner(url: string, runner: Runner, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (runner.child.exitCode !== null) throw new Error(`the runner exited with ${runner.child.exitCode}`);
    try {
      if ((await fetch(`${url}/_local/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the runner did not answer within ${timeoutMs / 1000} s`);
}

/** A sender that keeps trying until it is acknowledged, as Meta and Google do (for hours) and a form's retry does. */
async function postUntilAcknowledged(url: string, body: string, headers: Record<string, string>, ok: number) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const response = await fetch(url, { method: 'POST', headers, body });
      if (response.status === ok) return response;
      await response.arrayBuffer();
      if (response.status < 500) throw new Error(`refused with ${response.status}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('refused')) throw error;
    }
    if (Date.now() > deadline) throw new Error('no acknowledgement within 120 s');
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 200));
  }
}

/**
 * Kills the local runner with SIGKILL while leads pour in, starts it again on the same data directory, and
 * checks that nothing it acknowledged was lost: every acknowledged lead is stored, assigned exactly once and
 * announced to its owner, and no queue is left with work in it.
 */
export async function runCrashRestart(options: CrashRunOptions): Promise<CrashRunReport> {
  const started = Date.now();
  const say = (line: string) => {
    if (options.verbose) process.stderr.write(`crash run: ${line}\n`);
  };
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFd = openSync(join(options.dataDir, 'runner.log'), 'a');
  let runner = startRunner(options, port, logFd);
  let killedAt = 0;
  let restartSeconds = 0;
  let acknowledgedBeforeKill = 0;
  try {
    await waitForRunner(url, runner, 120_000);
    say(`runner up on ${url}; posting ${options.leads} leads, killing it after ${options.killAfter}`);

    const acknowledged: string[] = [];
    let restarting: Promise<void> | undefined;
    const killAndRestart = async () => {
      acknowledgedBeforeKill = acknowledged.length;
      killedAt = Date.now();
      runner.child.kill('SIGKILL');
      await runner.exited;
      say(`killed after ${acknowledgedBeforeKill} acknowledged; starting again`);
      runner = startRunner(options, port, logFd);
      await waitForRunner(url, runner, 120_000);
      restartSeconds = (Date.now() - killedAt) / 1000;
      say(`back after ${restartSeconds.toFixed(1)} s`);
    };
    const googleKey = loadConfigFile(options.configPath, process.env).sources.google?.key;
    const run = Date.now().toString(36);
    await inBatches(
      Array.from({ length: options.leads }, (_, i) => i),
      8,
      async (i) => {
        const who = {
          name: `Crash ${run} Person ${i}`,
          email: `crash.${run}.${i}@example.com`,
          phone: `+96650${String(i).padStart(7, '0')}`,
        };
        let leadId: string;
        if (i % 4 === 3 && googleKey) {
          const leadIdText = `${run}-g-${i}`;
          await postUntilAcknowledged(
            `${url}/v1/webhooks/google`,
            JSON.stringify({
              lead_id: leadIdText,
              api_version: '1.0',
              form_id: 349080077126,
              campaign_id: 23729418209,
              google_key: googleKey,
              is_test: false,
              user_column_data: [
                { column_name: 'Full Name', string_value: who.name, column_id: 'FULL_NAME' },
                { column_name: 'User Email', string_value: who.email, column_id: 'EMAIL' },
              ],
            }),
            { 'content-type': 'application/json' },
            200,
          );
          leadId = leadIdFor('google', leadIdText);
        } else {
          const response = await postUntilAcknowledged(
            `${url}/v1/forms/demo/leads`,
            JSON.stringify(who),
            // The retry after a dropped connection carries the same key, so the lead is stored once.
            { 'content-type': 'application/json', 'idempotency-key': `${run}-${i}` },
            202,
          );
          leadId = ((await response.json()) as { leadId: string }).leadId;
        }
        acknowledged.push(leadId);
        if (acknowledged.length === options.killAfter) restarting = killAndRestart();
      },
    );
    await restarting;
    say(`${acknowledged.length} acknowledged; waiting for the pipeline to drain`);
    // A hang detector, not a speed goal: generous enough for a machine busy with other work (a test run).
    const deadline = Date.now() + 120_000 + options.leads * 300;
    let quietSince: number | undefined;
    while (quietSince === undefined || Date.now() - quietSince < 3000) {
      if (Date.now() > deadline) throw new Error('the restarted pipeline did not drain');
      const { idle } = (await (await fetch(`${url}/_local/idle`)).json()) as { idle: boolean };
      quietSince = idle ? (quietSince ?? Date.now()) : undefined;
      await new Promise((r) => setTimeout(r, 250));
    }

    const invariants = await checkAfterRestart(options, url, acknowledged);
    const repeated = invariants.repeated;
    return {
      leadsPosted: options.leads,
      acknowledged: acknowledged.length,
      acknowledgedBeforeKill,
      restartSeconds,
      messagesRestored: Number(
        /restored (\d+) queued messages/.exec(
          readFileSync(join(options.dataDir, 'runner.log'), 'utf8').split('leadpipe ready').at(-1) ?? '',
        )?.[1] ?? 0,
      ),
      repeatedAssignmentMails: repeated,
      seconds: Math.round((Date.now() - started) / 1000),
      invariants: invariants.list,
    };
  } finally {
    runner.child.kill('SIGTERM');
    await runner.exited;
    closeSync(logFd);
  }
}

async function checkAfterRestart(
  options: CrashRunOptions,
  url: string,
  acknowledged: string[],
): Promise<{ list: Invariant[]; repeated: number }> {
  const runtime = Runtime.parse(JSON.parse(readFileSync(join(options.dataDir, 'runtime.json'), 'utf8')));
  interceptLocalhostDns();
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamodb = new DynamoDBClient({
    endpoint: runtime.dynamodbEndpoint,
    region: 'us-east-1',
    credentials,
  });
  const sqs = new SQSClient({ endpoint: runtime.sqsEndpoint, region: 'us-east-1', credentials });
  const list: Invariant[] = [];
  const check = (name: string, problems: string[], ok: string) =>
    list.push({
      name,
      held: problems.length === 0,
      detail: problems.length === 0 ? ok : `${problems.length}: ${problems.slice(0, 5).join('; ')}`,
    });
  try {
    const db = DynamoDBDocumentClient.from(dynamodb);
    const leads = (await scanAll(db, runtime.tableName, 'LEAD#'))
      .filter((item) => item.sk === SORT.lead)
      .map((item) => Lead.parse(item));
    const byId = new Map(leads.map((l) => [l.id, l]));
    check(
      'every acknowledged lead is stored, before and after the kill',
      acknowledged.filter((id) => !byId.has(id)),
      `${acknowledged.length} acknowledged, ${leads.length} stored`,
    );
    const ours = acknowledged.flatMap((id) => byId.get(id) ?? []);
    check(
      'every lead assigned exactly once',
      ours
        .filter((l) => l.ownerId === undefined || l.assignment === undefined || l.history.length > 0)
        .map((l) => `${l.id} owner=${l.ownerId ?? 'none'} moves=${l.history.length}`),
      `${ours.length} leads, one owner each`,
    );
    const outbox = (await (await fetch(`${url}/_local/outbox`)).json()) as OutboxMail[];
    const mails = new Map<string, number>();
    for (const mail of outbox) {
      if (mail.headers['X-Leadpipe-Mail'] !== 'assignment') continue;
      const id = mail.headers['X-Leadpipe-Lead'] ?? '';
      mails.set(id, (mails.get(id) ?? 0) + 1);
    }
    check(
      'every assignment announced to its owner',
      ours.filter((l) => (mails.get(l.id) ?? 0) === 0).map((l) => l.id),
      `${ours.length} assignments, ${[...mails.values()].reduce((a, b) => a + b, 0)} assignment mails`,
    );
    const depths: string[] = [];
    for (const [name, queue] of Object.entries(runtime.queues)) {
      const depth = await messagesIn(sqs, queue.url);
      if (depth > 0) depths.push(`${name}: ${depth}`);
    }
    check('every queue and DLQ empty', depths, 'all empty');
    // The stream's records redelivered after the kill count nothing again: each shard is counted by position.
    const real = leads.filter((l) => !l.test);
    check(
      'the KPI funnel counts each lead once as new, across the kill',
      ...(await funnelCountsEachLeadOnce(db, runtime.tableName, real)),
    );
    const repeated = ours.reduce((n, l) => n + Math.max(0, (mails.get(l.id) ?? 0) - 1), 0);
    return { list, repeated };
  } finally {
    dynamodb.destroy();
    sqs.destroy();
  }
}
