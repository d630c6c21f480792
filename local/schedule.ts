import type { Context } from 'aws-lambda';
import { invokeWithTimeout } from './lambda-context.ts';

/** An EventBridge schedule (the timer sweep, the Meta reconcile): one invocation at a time, every `intervalMs`. */
export class Schedule {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  busy = false;

  constructor(
    private readonly functionName: string,
    private readonly handler: (event: Record<string, never>, context: Context) => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.busy = true;
      try {
        // The rule's input is `{}`, as the stack sets it.
        await invokeWithTimeout(this.handler, {}, this.functionName, 60_000);
      } catch (error) {
        this.onError(error);
      } finally {
        this.busy = false;
      }
      // Stopped during the invocation: no wait for the next one.
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.intervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }
}
