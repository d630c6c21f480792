import { describe, expect, it } from 'vitest';
import { Schedule } from '../../local/schedule.ts';

describe('a local schedule (EventBridge stand-in)', () => {
  it('invokes at once with the rule input {}, and stops without waiting out its interval', async () => {
    const events: unknown[] = [];
    let finish: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const schedule = new Schedule(
      'reconcile',
      async (event) => {
        events.push(event);
        await running;
      },
      60 * 60_000,
      (error) => {
        throw error;
      },
    );
    schedule.start();
    // Stopped while its first invocation runs: stop waits for that invocation, not for the hour-long interval.
    const stopped = schedule.stop().then(() => 'stopped');
    finish();
    const first = await Promise.race([
      stopped,
      new Promise((r) => setTimeout(() => r('still waiting'), 2000)),
    ]);
    expect(first).toBe('stopped');
    expect(events).toEqual([{}]);
  });
});
