import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assignmentFor,
  choosePool,
  fallbackChain,
  localClock,
  pickFromPool,
  type RepState,
  rotationCycle,
  unavailability,
  weekendOf,
  withinWorkingHours,
} from '../../functions/routing/core.ts';
import type { PoolConfig, RepConfig } from '../../functions/shared/config.ts';
import { testConfig } from '../support/factories.ts';

const config = testConfig();
const routing = config.routing;
const noHolidays = {};
const NOW = new Date('2026-03-18T08:00:00Z'); // a Wednesday

function rep(id: string, overrides: Partial<RepState> = {}): RepState {
  return {
    id,
    name: id,
    email: `${id}@sales.example`,
    locale: 'en',
    timezone: 'UTC',
    weight: 1,
    active: true,
    outOfOffice: [],
    openLeads: 0,
    assignedToday: 0,
    ...overrides,
  };
}

function roster(...reps: RepState[]): Map<string, RepState> {
  return new Map(reps.map((r) => [r.id, r]));
}

const pool = (reps: string[], overrides: Partial<PoolConfig> = {}): PoolConfig => ({
  id: 'p',
  segments: [],
  reps,
  requireWorkingHours: false,
  ...overrides,
});

function counts(p: PoolConfig, team: Map<string, RepState>, leads: number, start = 1): Map<string, number> {
  const result = new Map<string, number>();
  for (let slot = start; slot < start + leads; slot++) {
    const picked = pickFromPool(p, team, slot, NOW, noHolidays).rep;
    if (picked) result.set(picked.id, (result.get(picked.id) ?? 0) + 1);
  }
  return result;
}

describe('pool choice', () => {
  it('sends a lead to the first pool serving one of its segments', () => {
    expect(choosePool({ segments: ['gulf'] }, routing).id).toBe('gulf');
  });

  it('sends a lead with no matching segment to the default pool', () => {
    expect(choosePool({ segments: [] }, routing).id).toBe('default');
  });

  it('follows fallbacks to another pool or a named owner, never in a circle', () => {
    const pools = [
      pool(['a'], { id: 'a', fallback: { pool: 'b' } }),
      pool(['b'], { id: 'b', fallback: { pool: 'a' } }),
      pool(['c'], { id: 'c', fallback: { owner: 'manager' } }),
    ];
    const r = { ...routing, pools };
    expect(fallbackChain(pools[0] as PoolConfig, r).pools.map((p) => p.id)).toEqual(['a', 'b']);
    expect(fallbackChain(pools[2] as PoolConfig, r)).toMatchObject({ owner: 'manager' });
  });
});

describe('weighted round-robin', () => {
  it('interleaves a 2:1:1 cycle instead of bunching the heavy rep', () => {
    expect(
      rotationCycle([
        { id: 'a', weight: 2 },
        { id: 'b', weight: 1 },
        { id: 'c', weight: 1 },
      ]),
    ).toEqual(['a', 'b', 'c', 'a']);
  });

  it('converges to the weights over any run of leads', () => {
    const team = roster(rep('a', { weight: 5 }), rep('b', { weight: 3 }), rep('c', { weight: 1 }));
    const result = counts(pool(['a', 'b', 'c']), team, 9000);
    expect([result.get('a'), result.get('b'), result.get('c')]).toEqual([5000, 3000, 1000]);
  });

  it('with equal weights, keeps the counts of available reps within one, from any starting slot', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 500 }),
        (start, leads) => {
          const team = roster(rep('a'), rep('b'), rep('c'), rep('d', { active: false }));
          const result = counts(pool(['a', 'b', 'c', 'd']), team, leads, start);
          const values = ['a', 'b', 'c'].map((id) => result.get(id) ?? 0);
          expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
          expect(result.has('d')).toBe(false);
        },
      ),
    );
  });

  it('leaves an away rep out of the rotation instead of giving their turn to a neighbour', () => {
    // The naive "next rep in line" gives b two turns out of three while c is away; this gives a and b one each.
    const team = roster(
      rep('a'),
      rep('b'),
      rep('c', { outOfOffice: [{ from: '2026-03-16', to: '2026-03-20' }] }),
    );
    const result = counts(pool(['a', 'b', 'c']), team, 1000);
    expect([result.get('a'), result.get('b'), result.get('c')]).toEqual([500, 500, undefined]);
  });

  it('says who was skipped and why', () => {
    const team = roster(
      rep('a', { active: false }),
      rep('b', { capacity: { maxOpen: 2 }, openLeads: 2 }),
      rep('c'),
    );
    const pick = pickFromPool(pool(['a', 'b', 'c']), team, 7, NOW, noHolidays);
    expect(pick.rep?.id).toBe('c');
    expect(pick.skipped).toEqual([
      { repId: 'a', why: 'paused' },
      { repId: 'b', why: 'at-capacity' },
    ]);
    const assignment = assignmentFor(
      pick.rep ?? rep('x'),
      { poolId: 'p', counter: 7, rule: 'default pool', skipped: pick.skipped },
      NOW,
    );
    expect(assignment.reason).toBe(
      'default pool; pool p, rotation slot 7; skipped a (paused), b (at-capacity)',
    );
  });
});

describe('availability', () => {
  const hours = { start: '09:00', end: '17:00' };

  it('knows the regional weekend from CLDR: Saudi Fri–Sat, Iran Fri, UAE Sat–Sun', () => {
    expect(weekendOf('SA')).toEqual([5, 6]);
    expect(weekendOf('IR')).toEqual([5]);
    expect(weekendOf('AE')).toEqual([6, 7]);
  });

  it('reads the clock in the rep’s own time zone', () => {
    expect(localClock(new Date('2026-03-19T16:00:00Z'), 'Asia/Tehran')).toEqual({
      date: '2026-03-19',
      isoWeekday: 4,
      minutes: 19 * 60 + 30,
    });
  });

  it.each([
    ['Riyadh, Thursday 14:00', { timezone: 'Asia/Riyadh', region: 'SA' }, '2026-03-19T11:00:00Z', true],
    [
      'Riyadh, Friday 11:00 (weekend)',
      { timezone: 'Asia/Riyadh', region: 'SA' },
      '2026-03-20T08:00:00Z',
      false,
    ],
    [
      'Dubai, Friday 11:00 (a working day)',
      { timezone: 'Asia/Dubai', region: 'AE' },
      '2026-03-20T07:00:00Z',
      true,
    ],
    [
      'Dubai, Sunday 11:00 (weekend)',
      { timezone: 'Asia/Dubai', region: 'AE' },
      '2026-03-22T07:00:00Z',
      false,
    ],
    [
      'Tehran, Saturday 10:00 (a working day)',
      { timezone: 'Asia/Tehran', region: 'IR' },
      '2026-03-21T06:30:00Z',
      true,
    ],
    [
      'Riyadh, Thursday 19:00 (after hours)',
      { timezone: 'Asia/Riyadh', region: 'SA' },
      '2026-03-19T16:00:00Z',
      false,
    ],
  ] as const)('%s → %s', (_, where, at, expected) => {
    expect(withinWorkingHours({ ...where, workingHours: hours }, new Date(at), noHolidays)).toBe(expected);
  });

  it('treats a configured holiday as no working day', () => {
    const at = new Date('2026-03-21T06:30:00Z'); // Saturday in Tehran, during Nowruz
    const tehran: Pick<RepConfig, 'workingHours' | 'timezone' | 'region'> = {
      timezone: 'Asia/Tehran',
      region: 'IR',
      workingHours: hours,
    };
    expect(withinWorkingHours(tehran, at, { IR: ['2026-03-21'] })).toBe(false);
  });

  it('supports shifts past midnight', () => {
    const night = {
      timezone: 'UTC',
      workingHours: { start: '22:00', end: '06:00', days: [1, 2, 3, 4, 5, 6, 7] },
    };
    expect(withinWorkingHours(night, new Date('2026-03-18T23:30:00Z'), noHolidays)).toBe(true);
    expect(withinWorkingHours(night, new Date('2026-03-18T12:00:00Z'), noHolidays)).toBe(false);
  });

  it('ignores hours unless the pool requires them, and counts capacity per day', () => {
    const offHours = rep('a', { timezone: 'Asia/Riyadh', region: 'SA', workingHours: hours });
    const friday = new Date('2026-03-20T08:00:00Z');
    expect(
      unavailability(offHours, friday, { requireWorkingHours: false, holidays: noHolidays }),
    ).toBeUndefined();
    expect(unavailability(offHours, friday, { requireWorkingHours: true, holidays: noHolidays })).toBe(
      'outside-hours',
    );
    const busy = rep('b', { capacity: { perDay: 5 }, assignedToday: 5 });
    expect(unavailability(busy, NOW, { requireWorkingHours: false, holidays: noHolidays })).toBe(
      'at-capacity',
    );
  });
});
