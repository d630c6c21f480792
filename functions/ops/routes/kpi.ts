import { jsonResponse } from '../../shared/http.ts';
import { summariseFunnel, summariseResponseTimes } from '../../shared/kpi.ts';
import { KpiQuery, kpiRange, parseQuery } from '../core.ts';
import type { OpsDeps, OpsRoute, OpsRoutes } from '../deps.ts';

/** Speed-to-lead and the funnel, by day, source, rep…: one query of the aggregates per report. */
export function kpiRoutes(
  deps: Pick<OpsDeps, 'config' | 'kpis'>,
): OpsRoutes<'GET /v1/kpi/response-time' | 'GET /v1/kpi/funnel'> {
  const { config } = deps;
  const kpiReport: OpsRoute = async ({ event, now, viewer, routeKey }) => {
    const asked = parseQuery(KpiQuery, event.queryStringParameters);
    // A rep's figures are their own row of the per-rep aggregates.
    const query = viewer.role === 'rep' ? { ...asked, groupBy: 'rep' as const } : asked;
    const { from, to } = kpiRange(query, now);
    const table = routeKey === 'GET /v1/kpi/funnel' ? 'funnel' : 'rt';
    const dimType = query.groupBy === 'day' ? 'all' : query.groupBy;
    const rows = (await deps.kpis.query(table, dimType, from, to))
      .filter((r) => viewer.role !== 'rep' || r.value === viewer.repId)
      .map((r) => ({ day: r.day, group: query.groupBy === 'day' ? r.day : r.value, adds: r.adds }));
    const summarise = table === 'rt' ? summariseResponseTimes : summariseFunnel;
    const days = [...new Set(rows.map((r) => r.day))].sort();
    return jsonResponse(200, {
      from,
      to,
      groupBy: query.groupBy,
      ...(table === 'rt' ? { slaMinutes: config.sla.firstContactMinutes } : {}),
      groups: summarise(rows),
      ...(query.daily
        ? { days: days.map((day) => ({ day, groups: summarise(rows.filter((r) => r.day === day)) })) }
        : {}),
    });
  };

  return { 'GET /v1/kpi/response-time': kpiReport, 'GET /v1/kpi/funnel': kpiReport };
}
