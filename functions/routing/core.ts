import type { Config, PoolConfig, RepConfig } from '../shared/config.ts';
import type { Assignment, Lead } from '../shared/lead.ts';

/** The first pool that serves one of the lead's segments, else the default pool. */
export function choosePool(lead: Pick<Lead, 'segments'>, routing: Config['routing']): PoolConfig {
  const bySegment = routing.pools.find((pool) => pool.segments.some((s) => lead.segments.includes(s)));
  const pool = bySegment ?? routing.pools.find((p) => p.id === routing.defaultPool);
  // The config schema guarantees the default pool exists.
  if (pool === undefined) throw new Error(`default pool ${routing.defaultPool} is missing`);
  return pool;
}

/**
 * One cycle of smooth weighted round-robin (the nginx algorithm): weights 2:1:1 give a,b,a,c rather than
 * a,a,b,c, so every prefix of the cycle is as fair as it can be.
 */
export function rotationCycle(reps: readonly Pick<RepConfig, 'id' | 'weight'>[]): string[] {
  const total = reps.reduce((sum, r) => sum + r.weight, 0);
  const current = reps.map(() => 0);
  const cycle: string[] = [];
  for (let step = 0; step < total; step++) {
    let best = 0;
    reps.forEach((rep, i) => {
      current[i] = (current[i] ?? 0) + rep.weight;
      if ((current[i] ?? 0) > (current[best] ?? 0)) best = i;
    });
    current[best] = (current[best] ?? 0) - total;
    const chosen = reps[best];
    if (chosen) cycle.push(chosen.id);
  }
  return cycle;
}

/** The rep for the n-th lead of a pool (n from the pool's atomic counter, starting at 1). */
export function pickRep(pool: PoolConfig, reps: readonly RepConfig[], counter: number): RepConfig {
  const members = pool.reps
    .map((id) => reps.find((r) => r.id === id))
    .filter((r): r is RepConfig => r !== undefined);
  const cycle = rotationCycle(members);
  const repId = cycle[(counter - 1) % cycle.length];
  const rep = members.find((r) => r.id === repId);
  if (rep === undefined) throw new Error(`pool ${pool.id} has no reps`);
  return rep;
}

export function planAssignment(
  lead: Pick<Lead, 'segments'>,
  routing: Config['routing'],
  pool: PoolConfig,
  counter: number,
  now: Date,
): Assignment {
  const rep = pickRep(pool, routing.reps, counter);
  const bySegment = pool.segments.find((s) => lead.segments.includes(s));
  return {
    repId: rep.id,
    poolId: pool.id,
    counter,
    reason: bySegment
      ? `pool ${pool.id} serves segment ${bySegment}; rotation slot ${counter}`
      : `default pool ${pool.id}; rotation slot ${counter}`,
    at: now.toISOString(),
  };
}
