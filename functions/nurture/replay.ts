import * as z from '../shared/zod.ts';
import type { NurtureDeps } from './deps.ts';
import type { KpiCollector, LeadChange } from './lead-change.ts';

/** `aws lambda invoke --payload '{"replay":{"leadIds":["…"]}}'` on the nurture function; locally `npm run replay`. */
export const ReplayRequest = z.object({
  replay: z.object({
    leadIds: z.array(z.string().check(z.minLength(1))).check(z.minLength(1), z.maxLength(1000)),
  }),
});
export type ReplayRequest = z.infer<typeof ReplayRequest>;
export type ReplaySummary = { replayed: number; missing: string[]; kpiEventsNotCounted: number };

/**
 * Replays leads whose stream records were lost (the stream keeps them 24 hours): each lead is handled as if
 * just created. Every effect is idempotent, so only what is missing happens. KPI events are not counted: the
 * stream counts them by its position, so a replay cannot tell which of a lead's events were counted before its
 * records were lost, and counting them again would inflate the funnel. Each one left out is logged instead.
 */
export function createReplayJob(
  deps: Pick<NurtureDeps, 'leads' | 'now' | 'logger'>,
  collectKpis: KpiCollector,
  onLeadChange: LeadChange,
) {
  return async (request: ReplayRequest): Promise<ReplaySummary> => {
    const summary: ReplaySummary = { replayed: 0, missing: [], kpiEventsNotCounted: 0 };
    for (const id of request.replay.leadIds) {
      const lead = await deps.leads.get(id);
      if (lead === undefined) {
        summary.missing.push(id);
        continue;
      }
      await onLeadChange(undefined, lead, deps.now());
      for (const { event } of await collectKpis(undefined, lead)) {
        deps.logger.info('kpi event not counted by a replay', { leadId: id, event: event.key });
        summary.kpiEventsNotCounted++;
      }
      summary.replayed++;
    }
    deps.logger.info('leads replayed', {
      replayed: summary.replayed,
      missing: summary.missing.length,
      kpiEventsNotCounted: summary.kpiEventsNotCounted,
    });
    return summary;
  };
}
