import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as z from '../functions/shared/zod.ts';
import { runChaos } from '../local/chaos.ts';
import { loadConfigFile } from '../local/config-file.ts';
import { runCrashRestart } from '../local/crash-run.ts';

// `npm run chaos [-- --leads 10000 --rate 0.05 --seed 42]`: the whole local pipeline under injected faults;
// prints the invariants and exits 1 if one broke. Never touches AWS: the injector exists only in local/.
// `npm run chaos -- --crash [--leads 2000]`: `npm start` killed with SIGKILL mid-run and started again on its
// data directory.
const Args = z.object({
  leads: z._default(z.coerce.number().check(z.int(), z.gte(20), z.lte(200_000)), 10_000),
  rate: z._default(z.coerce.number().check(z.gte(0), z.lte(0.5)), 0.05),
  seed: z._default(z.coerce.number().check(z.int()), 42),
  crash: z._default(z.boolean(), false),
});

async function crashRun(leads: number): Promise<never> {
  const dataDir = '.leadpipe/crash-run';
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const report = await runCrashRestart({
    leads,
    killAfter: Math.floor(leads * 0.4),
    dataDir,
    configPath: process.env.LEADPIPE_CONFIG ?? 'leadpipe.config.yaml',
    verbose: true,
  });
  writeFileSync(join(dataDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.error(
    [
      `leads posted ${report.leadsPosted}, acknowledged ${report.acknowledged} (${report.acknowledgedBeforeKill} before the kill), back in ${report.restartSeconds.toFixed(1)} s with ${report.messagesRestored} queued messages restored from disk, ${report.seconds} s in all`,
      `assignment mails sent again after the kill: ${report.repeatedAssignmentMails}`,
      ...report.invariants.map((i) => `${i.held ? 'HELD  ' : 'BROKEN'} ${i.name}: ${i.detail}`),
    ].join('\n'),
  );
  process.exit(report.invariants.every((i) => i.held) ? 0 : 1);
}

try {
  const { values } = parseArgs({
    options: {
      leads: { type: 'string' },
      rate: { type: 'string' },
      seed: { type: 'string' },
      crash: { type: 'boolean' },
    },
  });
  const args = Args.parse(values);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (args.crash) await crashRun(values.leads === undefined ? 2000 : args.leads);
  const config = loadConfigFile(process.env.LEADPIPE_CONFIG ?? 'leadpipe.config.yaml', process.env);
  const report = await runChaos({
    config,
    leads: args.leads,
    faults: {
      sdkRate: args.rate,
      invocationRate: args.rate,
      graphRate: args.rate,
      channelRate: args.rate,
      duplicateRate: args.rate,
      seed: args.seed,
    },
    logFile: '.leadpipe/chaos/logs.jsonl',
    verbose: true,
  });
  writeFileSync('.leadpipe/chaos/report.json', `${JSON.stringify(report, null, 2)}\n`);
  const lines = [
    `leads posted ${report.leadsPosted}, accepted ${report.accepted} (webhooks redelivered ${report.webhooksRedelivered}, cross-source duplicates ${report.crossSourceDuplicates}, test leads ${report.testLeads}), spreadsheet rows imported ${report.imported}, contacted ${report.contacted} (closed ${report.closed}), in ${report.seconds} s`,
    `faults injected: ${Object.entries(report.faultsInjected)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `redriven from DLQs: ${JSON.stringify(report.redriven)}`,
    ...report.invariants.map((i) => `${i.held ? 'HELD  ' : 'BROKEN'} ${i.name}: ${i.detail}`),
    `granted but unused this run: ${
      Object.entries(report.access)
        .filter(([, a]) => a.unused.length > 0)
        .map(([fn, a]) => `${fn} ${a.unused.join(', ')}`)
        .join('; ') || 'none'
    }`,
  ];
  console.error(lines.join('\n'));
  process.exit(report.invariants.every((i) => i.held) ? 0 : 1);
} catch (error) {
  console.error(
    `chaos: ${error instanceof z.core.$ZodError ? error.issues.map((i) => i.message).join('; ') : (error as Error).message}`,
  );
  process.exit(1);
}
