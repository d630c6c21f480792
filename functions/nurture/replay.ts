import * as z from 'zod';
import type { KpiEntry } from '../shared/ports.ts';
import type { NurtureDeps } from './deps.ts';
import type { LeadChange } from './lead-change.ts';

/** `aws lambda invoke --payload '{"replay":{"leadIds":["…"]}}'` on the nurture function; locally `npm run replay`. */
export const ReplayRequest = z.object({
  replay: z.object({ leadIds: z.array(z.string().min(1)).min(1).max(1000) }),
});
export type ReplayRequest = z.infer<typeof ReplayRequest>;
export type ReplaySummary = { replayed: number; missing: string[] };

/**
 * Replays leads whose stream records were lost (the stream keeps them 24 hours): each lead is handled as if
 * just created. Every effect is idempotent, so only what is missing happens.
 */
export function createReplayJob(
  deps: Pick<NurtureDeps, 'leads' | 'now' | 'logger'>,
  onLeadChange: LeadChange,
  recordKpis: (entries: KpiEntry[]) => Promise<void>,
) {
  return async (request: ReplayRequest): Promise<ReplaySummary> => {
    const summary: ReplaySummary = { replayed: 0, missing: [] };
    const kpis: KpiEntry[] = [];
    for (const id of request.replay.leadIds) {
      const lead = await deps.leads.get(id);
      if (lead === undefined) {
        summary.missing.push(id);
        continue;
      }
      await onLeadChange(undefined, lead, deps.now(), kpis);
      summary.replayed++;
    }
    await recordKpis(kpis);
    deps.logger.info('leads replayed', { replayed: summary.replayed, missing: summary.missing.length });
    return summary;
  };
}
