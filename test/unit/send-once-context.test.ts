import { BasePersistenceLayer, type IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { describe, expect, it } from 'vitest';
import {
  createChannelOnce,
  createSendOnce,
  SEND_TIME_NEEDED_MS,
  SendDeferredError,
  withInvocation,
} from '../../functions/nurture/send-once.ts';
import type { ChatPoster, Mailer, MessageLog, SuppressionList } from '../../functions/shared/ports.ts';
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
  // A mail without a timeline item keeps its Powertools record: the timeline is never asked.
  messages: {
    claim: async () => {
      throw new Error('not claimed on a timeline');
    },
    record: async () => undefined,
  } satisfies Pick<MessageLog, 'claim' | 'record'>,
};
const mail = { to: 'rep@example.com', from: 'a@example.com', subject: 's', html: 'h', text: 't' };

describe('a send made by one of two overlapping invocations', () => {
  it("holds its claim for its own invocation's remaining time, not the other's", async () => {
    const persistence = new ClaimLog();
    const { sendOnce } = createSendOnce({ ...mailDeps, idempotency: persistence });
    const long = { ...context('nurture'), getRemainingTimeInMillis: () => 30_000 };
    const nearlySpent = { ...context('nurture'), getRemainingTimeInMillis: () => 13_000 };
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
    expect((short ?? 0) - Date.now()).toBeLessThan(13_001);
  });
});

describe('a channel message sent by one of two overlapping invocations', () => {
  it("claims its message for its own invocation's remaining time", async () => {
    const claims: { id: string; untilMs: number }[] = [];
    const messages: Pick<MessageLog, 'claim' | 'record'> = {
      claim: async (_leadId, id, untilMs) => {
        claims.push({ id, untilMs });
        await sleep(5);
        return { kind: 'claimed' };
      },
      record: async () => undefined,
    };
    const chat: ChatPoster = { post: async () => undefined };
    const { sendChannelOnce } = createChannelOnce({ chat, messages });
    const job = (key: string) => ({
      key,
      leadId: 'lead-1',
      channel: 'chat' as const,
      message: { url: 'https://x', body: {} },
    });
    const long = { ...context('nurture'), getRemainingTimeInMillis: () => 30_000 };
    const nearlySpent = { ...context('nurture'), getRemainingTimeInMillis: () => 13_000 };
    await Promise.all([
      withInvocation(long, async () => {
        await sleep(20);
        await sendChannelOnce(job('long'));
      }),
      withInvocation(nearlySpent, () => sendChannelOnce(job('short'))),
    ]);
    const until = (id: string) => (claims.find((c) => c.id === id)?.untilMs ?? 0) - Date.now();
    expect(until('long')).toBeGreaterThan(20_000);
    expect(until('short')).toBeLessThan(13_001);
  });
});

describe('a send begun near the end of its invocation', () => {
  // The claim lasts as long as the invocation: a send begun in its last moments could outlive it, and a retry
  // would take the message over and send it again.
  const spent = { ...context('nurture'), getRemainingTimeInMillis: () => SEND_TIME_NEEDED_MS - 1 };

  it('is deferred to the next invocation: no claim, no post, an error that retries the record', async () => {
    const claims: string[] = [];
    const posts: string[] = [];
    const messages: Pick<MessageLog, 'claim' | 'record'> = {
      claim: async (_leadId, id) => {
        claims.push(id);
        return { kind: 'claimed' };
      },
      record: async () => undefined,
    };
    const { sendChannelOnce } = createChannelOnce({
      chat: { post: async (m) => void posts.push(m.url) },
      messages,
    });
    const job = {
      key: 'k',
      leadId: 'lead-1',
      channel: 'chat' as const,
      message: { url: 'https://x', body: {} },
    };
    await expect(withInvocation(spent, () => sendChannelOnce(job))).rejects.toBeInstanceOf(SendDeferredError);
    expect(claims).toEqual([]);
    expect(posts).toEqual([]);
    // With the time a send needs, the same job goes.
    const fresh = { ...context('nurture'), getRemainingTimeInMillis: () => SEND_TIME_NEEDED_MS };
    await withInvocation(fresh, () => sendChannelOnce(job));
    expect(posts).toEqual(['https://x']);
  });

  it('defers a mail kept by its own record too, before it is claimed', async () => {
    const persistence = new ClaimLog();
    const sent: string[] = [];
    const { sendOnce } = createSendOnce({
      ...mailDeps,
      mailer: {
        send: async (m) => {
          sent.push(m.to);
          return { messageId: 'm' };
        },
      },
      idempotency: persistence,
    });
    await expect(withInvocation(spent, () => sendOnce({ key: 'late', mail }))).rejects.toBeInstanceOf(
      SendDeferredError,
    );
    expect(persistence.claimed).toEqual([]);
    expect(sent).toEqual([]);
  });
});
