import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';
import * as z from '../functions/shared/zod.ts';

/**
 * Local chaos only: makes chosen AWS calls, handler invocations and Meta's Graph API fail at a rate, and
 * delivers queue messages and stream records twice. It lives in local/, which no function imports, so no
 * Lambda bundle can contain it (a test checks the bundles).
 */
export const FaultConfig = z.object({
  /** Share of AWS SDK calls (DynamoDB, SQS, SES) that fail with a retryable error: throttling or a timeout. */
  sdkRate: z._default(z.number().check(z.gte(0), z.lte(0.5)), 0),
  /** Share of handler invocations that fail: before the handler runs (a timeout) or after it did its work. */
  invocationRate: z._default(z.number().check(z.gte(0), z.lte(0.5)), 0),
  /** Share of Graph API lead reads answered 500. */
  graphRate: z._default(z.number().check(z.gte(0), z.lte(0.5)), 0),
  /** Share of WhatsApp, SMS and chat sends refused (Meta's 500, End User Messaging's 500, a chat's 503). */
  channelRate: z._default(z.number().check(z.gte(0), z.lte(0.5)), 0),
  /** Share of SQS batches and stream batches delivered a second time, concurrently. */
  duplicateRate: z._default(z.number().check(z.gte(0), z.lte(0.5)), 0),
  seed: z._default(z.number().check(z.int()), 42),
});
export type FaultConfig = z.infer<typeof FaultConfig>;

/** An error shaped like the SDK's service exceptions, so the SDK's own retry strategy treats it as AWS's. */
class InjectedServiceError extends Error {
  readonly $fault = 'server' as const;
  readonly $metadata = { httpStatusCode: 503, attempts: 1 };
  readonly $retryable: { throttling: boolean };
  constructor(name: string, throttling: boolean) {
    super(`injected fault: ${name}`);
    this.name = name;
    this.$retryable = { throttling };
  }
}

export class InjectedInvocationError extends Error {
  override readonly name = 'InjectedInvocationError';
}

const THROTTLING: Record<string, string> = {
  DynamoDB: 'ThrottlingException',
  SQS: 'RequestThrottled',
  SESv2: 'TooManyRequestsException',
};

export class FaultInjector {
  private state: number;
  readonly injected = new Map<string, number>();

  constructor(readonly config: FaultConfig) {
    this.state = config.seed >>> 0 || 1;
  }

  static off(): FaultInjector {
    return new FaultInjector(FaultConfig.parse({}));
  }

  /** A deterministic draw (mulberry32), so a chaos run with a seed can be repeated. */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  chance(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }

  private count(kind: string): void {
    this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
  }

  /** Fails SDK calls inside the retry loop, as AWS does: the SDK retries, and some calls fail for good. */
  attach<I extends object, O extends object>(client: { middlewareStack: MiddlewareStack<I, O> }): void {
    const fail: DeserializeMiddleware<I, O> = (next, context) => async (args) => {
      if (this.chance(this.config.sdkRate)) {
        const service = (context.clientName ?? '').replace(/Client$/, '');
        const throttling = this.random() < 0.7;
        const name = throttling ? (THROTTLING[service] ?? 'ThrottlingException') : 'TimeoutError';
        this.count(`sdk ${service} ${name}`);
        throw new InjectedServiceError(name, throttling);
      }
      return next(args);
    };
    client.middlewareStack.add(fail, { step: 'deserialize', name: 'leadpipeFaultInjector' });
  }

  /** Whether this invocation fails, and when: before the handler (it never ran) or after (its work is done). */
  invocationFault(): 'before' | 'after' | undefined {
    if (!this.chance(this.config.invocationRate)) return undefined;
    const when = this.random() < 0.5 ? 'before' : 'after';
    this.count(`invocation ${when}`);
    return when;
  }

  duplicate(): boolean {
    const yes = this.chance(this.config.duplicateRate);
    if (yes) this.count('duplicate delivery');
    return yes;
  }

  graphFault(): boolean {
    const yes = this.chance(this.config.graphRate);
    if (yes) this.count('graph 500');
    return yes;
  }

  channelFault(): boolean {
    const yes = this.chance(this.config.channelRate);
    if (yes) this.count('channel refused');
    return yes;
  }

  summary(): Record<string, number> {
    return Object.fromEntries([...this.injected.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
