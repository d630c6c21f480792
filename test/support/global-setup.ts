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

let emulators: Emulators | undefined;

/** Starts DynamoDB Local, fauxqs and aws-ses-v2-local once for the whole run. */
export async function setup(project: TestProject): Promise<void> {
  const javaProblem = checkJava();
  if (javaProblem) throw new Error(javaProblem);
  emulators = await startEmulators();
  project.provide('dynamodbEndpoint', emulators.dynamodbEndpoint);
  project.provide('sqsEndpoint', emulators.sqsEndpoint);
  project.provide('sesEndpoint', emulators.sesEndpoint);
}

export async function teardown(): Promise<void> {
  await emulators?.stop();
}
