import type { RepRecord } from '../shared/ports.ts';
import type { NurtureDeps } from './deps.ts';

export type RepLookup = (id: string) => Promise<RepRecord | undefined>;

/** How long a rep read serves later records: reps change rarely and every record needs its owner. */
const REP_CACHE_MS = 30_000;

/**
 * A rep as stored, else as configured (a rep in the config file not yet written to the table), read once per
 * rep per half minute rather than once per record. A failed read is forgotten, not cached.
 */
export function createRepLookup(deps: Pick<NurtureDeps, 'reps' | 'config' | 'now'>): RepLookup {
  const cache = new Map<string, { at: number; rep: Promise<RepRecord | undefined> }>();
  const configured = (id: string): RepRecord | undefined => {
    const rep = deps.config.routing.reps.find((r) => r.id === id);
    return rep ? { ...rep, openLeads: 0 } : undefined;
  };
  return (id) => {
    const cached = cache.get(id);
    const at = deps.now().getTime();
    if (cached && at - cached.at < REP_CACHE_MS) return cached.rep;
    const rep = deps.reps.get(id).then((stored) => stored ?? configured(id));
    cache.set(id, { at, rep });
    rep.catch(() => cache.delete(id));
    return rep;
  };
}
