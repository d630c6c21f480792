import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { interceptLocalhostDns } from 'fauxqs';
import * as z from '../functions/shared/zod.ts';
import { useEmulatorEndpoints } from './emulators.ts';
import type { Pipeline } from './pipeline.ts';

// Tests run their own runner beside a developer's, each with its own file.
const runtimeFile = () => process.env.LEADPIPE_RUNTIME_FILE ?? '.leadpipe/runtime.json';

const QueueRef = z.object({ url: z.string(), arn: z.string(), name: z.string() });

/** What a running `npm start` tells the other local commands (backfill, redrive, simulate). */
export const Runtime = z.object({
  pid: z.number(),
  url: z.url(),
  graphApiUrl: z.string(),
  configPath: z.string(),
  dynamodbEndpoint: z.url(),
  sqsEndpoint: z.url(),
  sesEndpoint: z.url(),
  tableName: z.string(),
  queues: z.record(z.string(), QueueRef),
});
export type Runtime = z.infer<typeof Runtime>;

export function writeRuntime(pipeline: Pipeline, configPath: string): void {
  const { resources, emulators } = pipeline;
  const runtime: Runtime = {
    pid: process.pid,
    url: pipeline.url,
    graphApiUrl: pipeline.graphApiUrl,
    configPath,
    dynamodbEndpoint: emulators.dynamodbEndpoint,
    sqsEndpoint: emulators.sqsEndpoint,
    sesEndpoint: emulators.sesEndpoint,
    tableName: resources.tableName,
    queues: {
      intake: resources.intake,
      'intake-dlq': resources.intakeDlq,
      routing: resources.routing,
      'routing-dlq': resources.routingDlq,
      'nurture-failures': resources.nurtureFailures,
      timers: resources.timers,
      'timers-dlq': resources.timersDlq,
    },
  };
  mkdirSync(dirname(runtimeFile()), { recursive: true });
  writeFileSync(runtimeFile(), `${JSON.stringify(runtime, null, 2)}\n`);
}

export function removeRuntime(): void {
  rmSync(runtimeFile(), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The running local pipeline, with this process's SDK clients pointed at its emulators. */
export function connectToRunner(): Runtime {
  let runtime: Runtime;
  try {
    runtime = Runtime.parse(JSON.parse(readFileSync(runtimeFile(), 'utf8')));
  } catch {
    throw new Error(
      'No local pipeline is running here: start it with `npm start` in another terminal first.',
    );
  }
  if (!alive(runtime.pid))
    throw new Error('The local pipeline has stopped: start it again with `npm start`.');
  interceptLocalhostDns();
  useEmulatorEndpoints(runtime);
  return runtime;
}
