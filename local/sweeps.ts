import type { Context } from 'aws-lambda';
import { invokeWithTimeout } from './lambda-context.ts';

/** The EventBridge schedule of the timer sweep: one invocation at a time, every `intervalMs`. */
export class Sweeps {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  busy = false;

  constructor(
    private readonly handler: (event: unknown, context: Context) => Promise<unknown>,
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
        await invokeWithTimeout(this.handler, { source: 'aws.scheduler' }, 'sweeper', 60_000);
      } catch (error) {
        this.onError(error);
      } finally {
        this.busy = false;
      }
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
