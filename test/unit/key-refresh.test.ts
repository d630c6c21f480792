import { describe, expect, it } from 'vitest';
import { KEY_REFRESH_MS, keysToRefresh } from '../../functions/scoring/core.ts';
import { lead } from '../support/factories.ts';

describe('which identity keys a returning person writes again', () => {
  const created = '2026-04-01T08:00:00.000Z';
  const existing = lead({ createdAt: created, keys: { email: 'sara@example.com' }, phoneE164: undefined });
  const withPhone = lead({ ...existing, keys: { email: 'sara@example.com', phone: '+966501234567' } });
  const later = (ms: number) => new Date(Date.parse(created) + ms);

  it('none within a day of the keys being written, when the touch brings nothing new', () => {
    expect(keysToRefresh(existing, existing, later(KEY_REFRESH_MS - 1))).toEqual([]);
  });

  it('a key the lead did not have, at once', () => {
    expect(keysToRefresh(existing, withPhone, later(60_000))).toEqual([
      { kind: 'phone', value: '+966501234567' },
    ]);
  });

  it('every key a day or more after they were last written, counting from the last refresh', () => {
    expect(keysToRefresh(existing, withPhone, later(KEY_REFRESH_MS))).toHaveLength(2);
    const refreshed = lead({ ...withPhone, keysRefreshedAt: later(KEY_REFRESH_MS).toISOString() });
    expect(keysToRefresh(refreshed, refreshed, later(KEY_REFRESH_MS + 3_600_000))).toEqual([]);
    expect(keysToRefresh(refreshed, refreshed, later(2 * KEY_REFRESH_MS))).toHaveLength(2);
  });

  it('none for a test lead or a role address, which hold no keys', () => {
    const test = lead({ ...withPhone, test: true });
    expect(keysToRefresh(test, test, later(10 * KEY_REFRESH_MS))).toEqual([]);
  });
});
