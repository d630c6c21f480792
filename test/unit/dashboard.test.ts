import { describe, expect, it } from 'vitest';
import { formatters, localeOf } from '../../dashboard/src/format.ts';
import { directionOf } from '../../dashboard/src/i18n.ts';
import { listRange, viewerOf } from '../../functions/ops/core.ts';
import { HttpError } from '../../functions/shared/errors.ts';
import {
  daysDescending,
  LeadListQuery,
  LIST_SHARDS,
  listKeys,
  matches,
  summarise,
} from '../../functions/shared/lead-list.ts';
import { localClaims } from '../../local/gateway.ts';
import { lead } from '../support/factories.ts';

describe('the lead list keys', () => {
  it('file a lead under its creation day and one of four shards, sorted by time then id', () => {
    const keys = listKeys({ id: 'abc', createdAt: '2026-11-23T08:00:00.000Z' });
    expect(keys.listPk).toMatch(/^LEADS#2026-11-23#[0-3]$/);
    expect(keys.listSk).toBe('2026-11-23T08:00:00.000Z#abc');
  });

  it('spread a day of leads over every shard', () => {
    const shards = new Set(
      Array.from(
        { length: 200 },
        (_, i) => listKeys({ id: `lead-${i}`, createdAt: '2026-11-23T08:00:00Z' }).listPk,
      ),
    );
    expect(shards.size).toBe(LIST_SHARDS);
  });

  it('read a range newest day first, and never more than 92 days', () => {
    expect(daysDescending('2026-02-27', '2026-03-01')).toEqual(['2026-03-01', '2026-02-28', '2026-02-27']);
    const now = new Date('2026-11-23T10:00:00Z');
    expect(listRange({}, now)).toEqual({ from: '2026-10-25', to: '2026-11-23' });
    expect(listRange({ from: '2020-01-01', to: '2026-11-23' }, now).from).toBe('2026-08-24');
  });
});

describe('the lead list filters', () => {
  const row = summarise(lead({ status: 'assigned', ownerId: 'sara', segments: ['gulf'], test: false }));
  const query = (q: Record<string, string>) => LeadListQuery.parse(q);

  it('keep a lead that passes every filter asked for', () => {
    expect(matches(row, query({ status: 'assigned,contacted', ownerId: 'sara', segment: 'gulf' }))).toBe(
      true,
    );
  });

  it('drop a lead another filter excludes, and test leads unless asked for', () => {
    expect(matches(row, query({ status: 'won' }))).toBe(false);
    expect(matches(row, query({ ownerId: 'omid' }))).toBe(false);
    expect(matches(row, query({ minScore: String(row.score + 1) }))).toBe(false);
    const test = { ...row, test: true };
    expect(matches(test, query({}))).toBe(false);
    expect(matches(test, query({ includeTest: 'true' }))).toBe(true);
  });

  it('refuse an unknown status, a page too large and a made-up cursor', () => {
    for (const bad of [{ status: 'maybe' }, { limit: '500' }, { cursor: 'page-2' }])
      expect(LeadListQuery.safeParse(bad).success).toBe(false);
  });
});

describe('who is asking', () => {
  it('takes scripts on the IAM routes as managers', () => {
    expect(viewerOf(undefined, false)).toEqual({ role: 'manager', name: 'ops' });
  });

  it('reads the Cognito groups as API Gateway passes them, or as a list', () => {
    expect(viewerOf({ username: 'sara', 'cognito:groups': '[rep]' }, true)).toEqual({
      role: 'rep',
      repId: 'sara',
    });
    expect(viewerOf({ username: 'mona', 'cognito:groups': ['manager', 'rep'] }, true)).toMatchObject({
      role: 'manager',
    });
  });

  it('asks for sign-in without a token, and refuses a user in neither group', () => {
    expect(() => viewerOf(undefined, true)).toThrow(HttpError);
    const error = (() => {
      try {
        viewerOf({ username: 'eve', 'cognito:groups': '[guests]' }, true);
      } catch (e) {
        return e as HttpError;
      }
    })();
    expect(error?.status).toBe(403);
  });

  it('is a manager on loopback, or the rep a local request names', () => {
    expect(viewerOf(localClaims(undefined), true)).toMatchObject({ role: 'manager' });
    expect(viewerOf(localClaims('rep:omid'), true)).toEqual({ role: 'rep', repId: 'omid' });
    // A header that is not a rep id falls back to the manager, never to a made-up identity.
    expect(viewerOf(localClaims('rep:../../x'), true)).toMatchObject({ role: 'manager' });
  });
});

describe('the dashboard formats', () => {
  it('writes Persian in Persian digits and the Solar Hijri calendar, Arabic in Arabic-Indic digits', () => {
    const fa = formatters({ lang: 'fa', calendar: 'persian', timeZone: 'Asia/Tehran' });
    expect(fa.integer(1405)).toBe('۱٬۴۰۵');
    expect(fa.dateTime('2026-11-23T08:00:00Z')).toContain('۱۴۰۵');
    const ar = formatters({ lang: 'ar', calendar: 'gregory', timeZone: 'Asia/Riyadh' });
    expect(ar.integer(25)).toBe('٢٥');
    expect(localeOf({ lang: 'en', calendar: 'persian', timeZone: 'UTC' })).toBe('en-GB-u-nu-latn-ca-persian');
  });

  it('shows a time in the viewer’s zone and a duration in the unit a manager reads', () => {
    const en = formatters({ lang: 'en', calendar: 'gregory', timeZone: 'Asia/Riyadh' });
    expect(en.dateTime('2026-11-23T21:30:00Z')).toContain('00:30');
    const units = { minutes: 'min', hours: 'h', days: 'd' };
    expect(en.minutes(5, units)).toBe('5 min');
    expect(en.minutes(150, units)).toBe('2.5 h');
    expect(en.minutes(4320, units)).toBe('3 d');
  });

  it('lays Arabic and Persian out right to left', () => {
    expect(directionOf('ar')).toBe('rtl');
    expect(directionOf('fa')).toBe('rtl');
    expect(directionOf('en')).toBe('ltr');
  });
});
