import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/shared/config.ts';
import { runChaos } from '../../local/chaos.ts';
import { testEmulators } from '../support/aws.ts';

// The short version of `npm run chaos`: a few hundred leads under 5% faults of every kind.
describe('the pipeline under injected faults', () => {
  it('loses nothing, assigns and mails each lead once, and leaks no personal data to the logs', async () => {
    const config = parseConfig(readFileSync('leadpipe.config.yaml', 'utf8'));
    const report = await runChaos({
      config,
      leads: 200,
      faults: { sdkRate: 0.05, invocationRate: 0.05, graphRate: 0.05, duplicateRate: 0.05, seed: 7 },
      emulators: testEmulators(),
      logFile: join(tmpdir(), `leadpipe-chaos-${process.pid}.jsonl`),
    });
    // The faults really happened, of every kind.
    const injected = Object.keys(report.faultsInjected).join(' ');
    for (const kind of ['sdk', 'invocation', 'duplicate delivery', 'graph 500'])
      expect(injected).toContain(kind);
    expect(report.accepted).toBe(200);
    expect(report.invariants.filter((i) => !i.held)).toEqual([]);
    expect(report.invariants).toHaveLength(9);
    // Bouncing addresses were mailed by the sequence, bounced and were suppressed during the run.
    expect(report.invariants.find((i) => i.name.startsWith('no email to a suppressed'))?.detail).toMatch(
      /^[1-9]\d* addresses suppressed/,
    );
  }, 240_000);
});
