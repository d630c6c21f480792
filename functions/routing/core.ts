import { localClock, withinWorkingHours } from '../shared/calendar.ts';
import type { Config, PoolConfig, RepConfig } from '../shared/config.ts';
import type { Assignment, Lead } from '../shared/lead.ts';

export { localClock, weekendOf, withinWorkingHours } from '../shared/calendar.ts';

/** A rep as routing sees them: the configured profile with the state kept in DynamoDB. */
export type RepState = RepConfig & {
  /** Open leads assigned to the rep (counted when the rep has a maxOpen capacity). */
  openLeads: number;
  /** Leads assigned on the rep's local `today` (counted when the rep has a perDay capacity). */
  assignedToday: number;
  pausedReason?: string;
  /** Pools ops added the rep to, beyond those the config names. */
  pools?: string[];
};

export type Unavailability =
  | 'paused'
  | 'out-of-office'
  | 'outside-hours'
  | 'at-capacity'
  | 'missed-sla'
  | 'declined';

/** Why a rep cannot take a lead now, or undefined when they can. */
export function unavailability(
  rep: RepState,
  now: Date,
  options: { requireWorkingHours: boolean; holidays: Config['calendar']['holidays'] },
): Unavailability | undefined {
  if (!rep.active) return 'paused';
  const today = localClock(now, rep.timezone).date;
  if (rep.outOfOffice.some((o) => o.from <= today && today <= o.to)) return 'out-of-office';
  if (options.requireWorkingHours && !withinWorkingHours(rep, now, options.holidays)) return 'outside-hours';
  const { capacity } = rep;
  if (capacity?.maxOpen !== undefined && rep.openLeads >= capacity.maxOpen) return 'at-capacity';
  if (capacity?.perDay !== undefined && rep.assignedToday >= capacity.perDay) return 'at-capacity';
  return undefined;
}

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

export type Skipped = { repId: string; why: Unavailability };

export type PoolPick = { rep: RepState; skipped: Skipped[] } | { rep: undefined; skipped: Skipped[] };

/**
 * The rep for rotation slot `slot` of a pool. The cycle is built over the reps who can take a lead now, so a
 * rep who is away is left out of the rotation rather than passing their turn to a neighbour (which would give
 * that neighbour a double share): among the available reps the shares stay exact.
 */
export function pickFromPool(
  pool: PoolConfig,
  reps: ReadonlyMap<string, RepState>,
  slot: number,
  now: Date,
  holidays: Config['calendar']['holidays'],
  exclude: ReadonlyMap<string, Unavailability> = new Map(),
): PoolPick {
  const skipped: Skipped[] = [];
  const available: RepState[] = [];
  for (const id of pool.reps) {
    const rep = reps.get(id);
    if (rep === undefined) continue;
    const why =
      exclude.get(id) ??
      unavailability(rep, now, { requireWorkingHours: pool.requireWorkingHours, holidays });
    if (why) skipped.push({ repId: id, why });
    else available.push(rep);
  }
  if (available.length === 0) return { rep: undefined, skipped };
  const cycle = rotationCycle(available);
  const repId = cycle[(slot - 1) % cycle.length];
  return { rep: available.find((r) => r.id === repId) ?? (available[0] as RepState), skipped };
}

/** The chain of pools a lead may go to: the pool, then its fallbacks (each at most once). */
export function fallbackChain(
  pool: PoolConfig,
  routing: Config['routing'],
): { pools: PoolConfig[]; owner?: string } {
  const pools: PoolConfig[] = [];
  let current: PoolConfig | undefined = pool;
  while (current && !pools.some((p) => p.id === current?.id)) {
    pools.push(current);
    const fallback: PoolConfig['fallback'] = current.fallback;
    if (fallback && 'owner' in fallback) return { pools, owner: fallback.owner };
    current = fallback ? routing.pools.find((p) => p.id === fallback.pool) : undefined;
  }
  return { pools };
}

export function describeSkipped(skipped: readonly Skipped[]): string {
  return skipped.length === 0 ? '' : `; skipped ${skipped.map((s) => `${s.repId} (${s.why})`).join(', ')}`;
}

export function assignmentFor(
  rep: Pick<RepState, 'id'>,
  how: { poolId: string; counter: number; rule: string; skipped: readonly Skipped[] },
  now: Date,
): Assignment {
  return {
    repId: rep.id,
    poolId: how.poolId,
    counter: how.counter,
    rule: how.rule,
    skipped: [...how.skipped],
    reason: `${how.rule}; pool ${how.poolId}${how.counter > 0 ? `, rotation slot ${how.counter}` : ''}${describeSkipped(how.skipped)}`,
    at: now.toISOString(),
  };
}

/** The rule that sent a lead to a pool, in words. */
export function poolRule(lead: Pick<Lead, 'segments'>, pool: PoolConfig, routing: Config['routing']): string {
  const segment = pool.segments.find((s) => lead.segments.includes(s));
  if (segment) return `segment ${segment}`;
  return pool.id === routing.defaultPool ? 'default pool' : `fallback to pool ${pool.id}`;
}
