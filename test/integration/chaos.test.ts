import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FunctionName } from '../../functions/footprints.ts';
import { parseConfig } from '../../functions/shared/config-text.ts';
import { runChaos } from '../../local/chaos.ts';
import { runCrashRestart } from '../../local/crash-run.ts';
import { TEST_QUEUE_VISIBILITY_SECONDS, testEmulators } from '../support/aws.ts';

/** Grants a chaos run may leave unused: paths it does not drive. Anything else granted and unused fails. */
const NOT_DRIVEN: Record<FunctionName, string[]> = {
  ingest: [],
  scoring: [],
  // A lead nobody can take waits (retried through the queue) and leaves the waiting list when a rep frees up:
  // every rep has room in a chaos run. A batch reads its leads with BatchGetItem; only an SLA escalation reads
  // one with GetItem, and the SLA is a day long here.
  routing: ['dynamodb:DeleteItem table', 'sqs:SendMessage routing', 'dynamodb:GetItem table'],
  // Escalations that pass a lead on (the SLA is a day long here); Powertools reads or deletes a mail's record
  // only when a send failed or raced; a moved lead's open tasks handed over (nobody moves a lead here:
  // test/integration/workspace.test.ts does).
  // No webhook subscriber in a chaos run: a delivered event leaving its outbox (DeleteItem) is
  // test/integration/subscriptions.test.ts's.
  nurture: [
    'dynamodb:DeleteItem table',
    'dynamodb:DeleteItem idempotency-table',
    'dynamodb:GetItem idempotency-table',
    'sqs:SendMessage routing',
    'dynamodb:Query table',
  ],
  // Timers due beyond the 14-minute sweep horizon: a run is shorter.
  sweeper: ['dynamodb:UpdateItem table', 'sqs:SendMessage timers'],
  // Meta leads whose webhook never came: the job runs at start, before there are any.
  reconcile: ['dynamodb:GetItem table', 'sqs:SendMessage intake'],
  // Adding a rep (put), moving a waiting lead by hand (it leaves the waiting list), waking waiting leads when a
  // rep is added or resumed (back to routing).
  ops: ['dynamodb:DeleteItem table', 'dynamodb:PutItem table', 'sqs:SendMessage routing'],
};

// The short versions of `npm run chaos` and `npm run chaos -- --crash`, in one file so that they run one after the
// other: side by side, on 2 cores, each starves the other's pipeline.
// The first: a few hundred leads under faults of every kind.
describe('the pipeline under injected faults', () => {
  it('loses nothing, assigns and mails each lead once, and leaks no personal data to the logs', async () => {
    const config = parseConfig(readFileSync('leadpipe.config.yaml', 'utf8'));
    const report = await runChaos({
      config,
      leads: 200,
      // Graph faults at 20%: the Meta leads are a third of 200, and a 5% rate left some runs without one.
      faults: {
        sdkRate: 0.05,
        invocationRate: 0.05,
        graphRate: 0.2,
        channelRate: 0.1,
        duplicateRate: 0.05,
        seed: 7,
      },
      emulators: testEmulators(),
      queueVisibilitySeconds: TEST_QUEUE_VISIBILITY_SECONDS,
      logFile: join(tmpdir(), `leadpipe-chaos-${process.pid}.jsonl`),
    });
    // The faults really happened, of every kind.
    const injected = Object.keys(report.faultsInjected).join(' ');
    for (const kind of ['sdk', 'invocation', 'duplicate delivery', 'graph 500', 'channel refused'])
      expect(injected).toContain(kind);
    expect(report.accepted).toBe(200);
    // A manager's spreadsheet went in under the same faults: ten rows, half of them people already in.
    expect(report.imported).toBe(10);
    expect(report.invariants.filter((i) => !i.held)).toEqual([]);
    expect(report.invariants).toHaveLength(15);
    // Every grant is used by the run, except those of paths it does not drive (each named here with why).
    for (const [fn, access] of Object.entries(report.access))
      expect(
        access.unused.filter((a) => !NOT_DRIVEN[fn as FunctionName].includes(a)),
        fn,
      ).toEqual([]);
    // Bouncing addresses were mailed by the sequence, bounced and were suppressed during the run.
    expect(report.invariants.find((i) => i.name.startsWith('no email to a suppressed'))?.detail).toMatch(
      /^[1-9]\d* addresses suppressed/,
    );
  }, 420_000);
});

// The second: `npm start` killed with SIGKILL mid-run and started again on its data directory.
describe('a runner killed with SIGKILL and started again on its data directory', () => {
  it('loses nothing it acknowledged: every lead stored, assigned once and announced', async () => {
    const report = await runCrashRestart({
      leads: 300,
      killAfter: 120,
      dataDir: mkdtempSync(join(tmpdir(), 'leadpipe-crash-')),
      configPath: 'leadpipe.config.yaml',
    });
    expect(report.acknowledged).toBe(300);
    expect(report.acknowledgedBeforeKill).toBe(120);
    // The kill came while acknowledged leads were still queued: the journal had work to give back.
    expect(report.messagesRestored).toBeGreaterThan(0);
    expect(report.invariants.filter((i) => !i.held)).toEqual([]);
    expect(report.invariants).toHaveLength(5);
  }, 420_000);
});
