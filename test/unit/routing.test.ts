import { describe, expect, it } from 'vitest';
import { choosePool, pickRep, planAssignment, rotationCycle } from '../../functions/routing/core.ts';
import { testConfig } from '../support/factories.ts';

const config = testConfig();
const routing = config.routing;

describe('pool choice', () => {
  it('sends a lead to the first pool serving one of its segments', () => {
    expect(choosePool({ segments: ['gulf'] }, routing).id).toBe('gulf');
  });

  it('sends a lead with no matching segment to the default pool', () => {
    expect(choosePool({ segments: [] }, routing).id).toBe('default');
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

  it('gives each rep its weight share of every full cycle', () => {
    const reps = [
      { id: 'a', weight: 5 },
      { id: 'b', weight: 3 },
      { id: 'c', weight: 1 },
    ];
    const cycle = rotationCycle(reps);
    expect(cycle).toHaveLength(9);
    expect(cycle.filter((r) => r === 'a')).toHaveLength(5);
    expect(cycle.filter((r) => r === 'b')).toHaveLength(3);
  });

  it('with equal weights, keeps the counts of any run of leads within one of each other', () => {
    const pool = routing.pools.find((p) => p.id === 'default');
    if (!pool) throw new Error('no pool');
    for (const n of [1, 2, 3, 10, 101, 1000]) {
      const counts = new Map<string, number>();
      for (let i = 1; i <= n; i++) {
        const rep = pickRep(pool, routing.reps, i).id;
        counts.set(rep, (counts.get(rep) ?? 0) + 1);
      }
      const values = pool.reps.map((id) => counts.get(id) ?? 0);
      expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
    }
  });

  it('records why a lead went to its rep', () => {
    const pool = choosePool({ segments: ['gulf'] }, routing);
    const assignment = planAssignment(
      { segments: ['gulf'] },
      routing,
      pool,
      3,
      new Date('2026-03-19T16:00:00Z'),
    );
    expect(assignment).toEqual({
      repId: 'sara',
      poolId: 'gulf',
      counter: 3,
      reason: 'pool gulf serves segment gulf; rotation slot 3',
      at: '2026-03-19T16:00:00.000Z',
    });
  });
});
