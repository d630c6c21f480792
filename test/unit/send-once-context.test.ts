import { BasePersistenceLayer, type IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { describe, expect, it } from 'vitest';
import { createChannelOnce, createSendOnce, withInvocation } from '../../functions/nurture/send-once.ts';
import type { ChatPoster, Mailer, SuppressionList } from '../../functions/shared/ports.ts';
import { context, silentLogger } from '../support/factories.ts';

/** Powertools' persistence contract, keeping only what a claim says about its expiry. */
class ClaimLog extends BasePersistenceLayer {
  readonly claims: number[] = [];
  readonly claimed: string[] = [];
  readonly completed: string[] = [];
  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    this.claims.push(record.inProgressExpiryTimestamp ?? 0);
    this.claimed.push(record.idempotencyKey);
    await sleep(5);
  }
  protected async _getRecord(): Promise<IdempotencyRecord> {
    throw new Error('not read in this test');
  }
  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.completed.push(record.idempotencyKey);
  }
  protected async _deleteRecord(): Promise<void> {}
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Mail that always goes, to nobody suppressed. */
const mailDeps = {
  mailer: { send: async () => ({ messageId: 'm' }) } satisfies Mailer,
  suppressions: {
    find: async () => new Map(),
    suppress: async () => undefined,
  } satisfies Pick<SuppressionList, 'find' | 'suppress'>,
  logger: silentLogger(),
};
const mail = { to: 'rep@example.com', from: 'a@example.com', subject: 's', html: 'h', text: 't' };

describe('a send made by one of two overlapping invocations', () => {
  it("holds its claim for its own invocation's remaining time, not the other's", async () => {
    const persistence = new ClaimLog();
    const { sendOnce } = createSendOnce({ ...mailDeps, idempotency: persistence });
    const long = { ...context('nurture'), getRemainingTimeInMillis: () => 30_000 };
    const nearlySpent = { ...context('nurture'), getRemainingTimeInMillis: () => 500 };
    // The long invocation starts first and sends after the nearly spent one has started (and sent).
    await Promise.all([
      withInvocation(long, async () => {
        await sleep(20);
        await sendOnce({ key: 'long', mail });
      }),
      withInvocation(nearlySpent, async () => {
        await sleep(5);
        await sendOnce({ key: 'short', mail });
      }),
    ]);
    const [short, longClaim] = persistence.claims;
    expect(longClaim).toBeDefined();
    expect((longClaim ?? 0) - Date.now()).toBeGreaterThan(20_000);
    expect((short ?? 0) - Date.now()).toBeLessThan(1_000);
  });
});

describe('a mail and a chat message sent at once through one idempotency store', () => {
  it('each complete the very record they claimed', async () => {
    const persistence = new ClaimLog();
    const chat: ChatPoster = {
      post: async () => {
        await sleep(5);
      },
    };
    const { sendOnce } = createSendOnce({ ...mailDeps, idempotency: persistence });
    const { sendChannelOnce } = createChannelOnce({ chat, idempotency: persistence });
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => [
        sendOnce({ key: `assignment#${i}`, mail }),
        sendChannelOnce({
          key: `assignment#${i}#chat`,
          channel: 'chat',
          message: { url: 'https://x', body: {} },
        }),
      ]).flat(),
    );
    expect([...persistence.completed].sort()).toEqual([...persistence.claimed].sort());
  });
});
