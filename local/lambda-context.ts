import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { MiddlewareStack } from '@smithy/types';
import type { Context } from 'aws-lambda';
import { type FaultInjector, InjectedInvocationError } from './faults.ts';

/** Local chaos runs set this; invocations then fail at its rate, before or after the handler ran. */
export const invocationFaults: { injector?: FaultInjector } = {};

/** The Context Lambda passes to a handler, for one local invocation with the function's timeout. */
export function lambdaContext(functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Every local invocation, by function: how many and how long (what Lambda bills: requests and GB-seconds). */
export const invocations = {
  counts: new Map<string, { count: number; totalMs: number }>(),
  record(functionName: string, ms: number): void {
    const entry = this.counts.get(functionName) ?? { count: 0, totalMs: 0 };
    entry.count += 1;
    entry.totalMs += ms;
    this.counts.set(functionName, entry);
  },
  snapshot(): { functionName: string; count: number; totalMs: number }[] {
    return [...this.counts.entries()].map(([functionName, e]) => ({ functionName, ...e }));
  },
  reset(): void {
    this.counts.clear();
  },
};

/** The invocation an AWS call is made in, and whether Lambda would have stopped it by now. */
const running = new AsyncLocalStorage<{ functionName: string; timeoutMs: number; stopped: boolean }>();

/** A call made by an invocation after its timeout: Lambda would have stopped the function before it. */
export class InvocationStoppedError extends Error {
  override readonly name = 'InvocationStoppedError';
}

/**
 * Throws when the current invocation has timed out. Lambda ends a timed-out function; here its promise runs on,
 * so its AWS calls are refused instead: else a late invocation would go on writing and sending after its claims
 * expired and a retry had taken them over, which no deployed function can do.
 */
function assertInvocationRunning(): void {
  const invocation = running.getStore();
  if (invocation?.stopped)
    throw new InvocationStoppedError(
      `${invocation.functionName} timed out after ${invocation.timeoutMs} ms: Lambda would have stopped it`,
    );
}

/** Makes a client refuse the calls of a timed-out invocation (every attempt, retries included). */
export function stopWithInvocation<I extends object, O extends object>(client: {
  middlewareStack: MiddlewareStack<I, O>;
}): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      assertInvocationRunning();
      return next(args);
    },
    { step: 'finalizeRequest', name: 'leadpipeInvocationRunning' },
  );
}

/** Runs a handler like Lambda does: a timeout is a failed invocation, and the handler makes no call after it. */
export async function invokeWithTimeout<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  event: E,
  functionName: string,
  timeoutMs: number,
): Promise<R> {
  const context = lambdaContext(functionName, timeoutMs);
  const invocation = { functionName, timeoutMs, stopped: false };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      invocation.stopped = true;
      reject(new Error(`${functionName} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  const started = performance.now();
  const fault = invocationFaults.injector?.invocationFault();
  try {
    if (fault === 'before')
      throw new InjectedInvocationError(`${functionName}: injected failure before the handler`);
    const result = await Promise.race([running.run(invocation, () => handler(event, context)), timeout]);
    if (fault === 'after')
      throw new InjectedInvocationError(`${functionName}: injected failure after the handler`);
    return result;
  } finally {
    clearTimeout(timer);
    invocations.record(functionName, performance.now() - started);
  }
}
