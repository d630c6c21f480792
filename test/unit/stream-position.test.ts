import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countablePrefix, sequenceKey } from '../../functions/shared/stream-position.ts';

const sequence = fc.bigInt({ min: 0n, max: 10n ** 40n - 1n }).map(String);

describe('a stream sequence number as a position', () => {
  it('orders as text exactly as the numbers order, at every length from 1 to 40 digits', () => {
    fc.assert(
      fc.property(sequence, sequence, (a, b) => {
        const byNumber = BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
        const byText = sequenceKey(a) < sequenceKey(b) ? -1 : sequenceKey(a) > sequenceKey(b) ? 1 : 0;
        expect(byText).toBe(byNumber);
      }),
    );
  });

  it('refuses what is not one: empty, signed, spaced, longer than 40 digits', () => {
    for (const bad of ['', '-1', ' 12', '1e5', '٣٤٥', '1'.repeat(41)])
      expect(() => sequenceKey(bad)).toThrow('not a stream sequence number');
  });
});

describe('the records whose KPI events a batch may count', () => {
  it('are all of them, in shard order, when every record was read', () => {
    const records = [
      { sequence: '300', collected: true },
      { sequence: '1000', collected: true },
      { sequence: '200', collected: true },
    ];
    expect(countablePrefix(records).map((r) => r.sequence)).toEqual(['200', '300', '1000']);
  });

  it('stop before the first record that could not be read, even when later ones were', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(sequence, { minLength: 1, maxLength: 30 }),
        fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
        (sequences, read) => {
          const records = sequences.map((s, i) => ({ sequence: s, collected: read[i] ?? true }));
          const counted = countablePrefix(records);
          const ordered = [...records].sort((a, b) => (BigInt(a.sequence) < BigInt(b.sequence) ? -1 : 1));
          const firstUnread = ordered.findIndex((r) => !r.collected);
          expect(counted).toEqual(firstUnread === -1 ? ordered : ordered.slice(0, firstUnread));
          // Nothing counted lies past a record left for the retry.
          const unread = records.filter((r) => !r.collected).map((r) => BigInt(r.sequence));
          for (const r of counted) for (const u of unread) expect(BigInt(r.sequence) < u).toBe(true);
        },
      ),
    );
  });
});
