import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';

/**
 * Who made an AWS request: the pipeline's functions, the Lambda event sources that feed them, or the timer
 * sweep (a cost per sweep, not per lead).
 */
export type RequestRole = 'function' | 'event-source' | 'sweeper';

/**
 * Counts AWS requests by service and operation with SDK middleware. It sits in the deserialize step, inside
 * the retry loop, so every attempt is counted, as AWS bills it.
 */
export class RequestCounter {
  private readonly counts = new Map<string, number>();

  attach<I extends object, O extends object>(
    client: { middlewareStack: MiddlewareStack<I, O> },
    role: RequestRole,
  ): void {
    const count: DeserializeMiddleware<I, O> = (next, context) => async (args) => {
      const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const key = `${role}\t${service}\t${operation}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      return next(args);
    };
    client.middlewareStack.add(count, { step: 'deserialize', name: `leadpipeRequestCounter-${role}` });
  }

  snapshot(): Array<{ role: RequestRole; service: string; operation: string; count: number }> {
    return [...this.counts.entries()]
      .map(([key, count]) => {
        const [role, service, operation] = key.split('\t') as [RequestRole, string, string];
        return { role, service, operation, count };
      })
      .sort(
        (a, b) =>
          a.role.localeCompare(b.role) ||
          a.service.localeCompare(b.service) ||
          a.operation.localeCompare(b.operation),
      );
  }

  reset(): void {
    this.counts.clear();
  }
}
