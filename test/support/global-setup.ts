import type { TestProject } from 'vitest/node';
import { checkJava, type Emulators, startEmulators } from '../../local/emulators.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    sqsEndpoint: string;
    sesEndpoint: string;
  }
}

// Lambda runs Node.js 22; the SDK's warning about Node 20 on this machine is not actionable in tests.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// The integration and e2e projects each run this global setup; they share one set of emulators (every test
// file makes its own table and queues), started by whichever comes first and stopped after the last.
const shared = globalThis as { leadpipeEmulators?: { started: Promise<Emulators>; users: number } };

/** Starts DynamoDB Local, fauxqs and aws-ses-v2-local once for the whole run. */
export async function setup(project: TestProject): Promise<void> {
  if (shared.leadpipeEmulators === undefined) {
    const javaProblem = checkJava();
    if (javaProblem) throw new Error(javaProblem);
    shared.leadpipeEmulators = { started: startEmulators(), users: 0 };
  }
  shared.leadpipeEmulators.users += 1;
  const emulators = await shared.leadpipeEmulators.started;
  project.provide('dynamodbEndpoint', emulators.dynamodbEndpoint);
  project.provide('sqsEndpoint', emulators.sqsEndpoint);
  project.provide('sesEndpoint', emulators.sesEndpoint);
}

export async function teardown(): Promise<void> {
  const run = shared.leadpipeEmulators;
  if (run === undefined) return;
  run.users -= 1;
  if (run.users > 0) return;
  shared.leadpipeEmulators = undefined;
  await (await run.started).stop();
}
