import { jsonResponse } from '../../shared/http.ts';
import { campaignLabel, summariseForecast, summariseRoi } from '../../shared/kpi.ts';
import { LeadSource } from '../../shared/lead.ts';
import { Day } from '../../shared/lead-list.ts';
import * as z from '../../shared/zod.ts';
import { kpiRange, parseBody, parseQuery, requireManager } from '../core.ts';
import type { OpsDeps, OpsRoutes } from '../deps.ts';
import { readMoney } from '../status.ts';

const RoiQuery = z
  .strictObject({
    from: z.optional(Day),
    to: z.optional(Day),
    groupBy: z._default(z.enum(['source', 'campaign']), 'source'),
  })
  .check(
    z.refine((q) => !q.from || !q.to || q.from <= q.to, {
      message: 'from must not be after to',
      path: ['from'],
    }),
  );

const ForecastQuery = z.strictObject({
  groupBy: z._default(z.enum(['all', 'rep', 'source', 'month']), 'all'),
});

/** Spend rows as `PUT /v1/spend` takes them: a day's amount per source and campaign. */
const SPEND_ROWS_MAX = 1000;
export const SpendInput = z
  .array(
    z.strictObject({
      day: Day,
      source: LeadSource,
      campaign: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
      amount: z.union([z.number(), z.string()]),
      currency: z.optional(z.string()),
    }),
  )
  .check(z.minLength(1), z.maxLength(SPEND_ROWS_MAX, `at most ${SPEND_ROWS_MAX} rows a request`));

/**
 * Money in the funnel: what each source and campaign cost and returned (ROI), the open pipeline weighed by
 * stage (forecast), and the ad spend that goes in. Managers only; a rep's revenue is in their own funnel.
 */
export function moneyRoutes(
  deps: Pick<OpsDeps, 'config' | 'kpis' | 'spend' | 'logger'>,
): OpsRoutes<'GET /v1/kpi/roi' | 'GET /v1/kpi/forecast' | 'PUT /v1/spend'> {
  const { config } = deps;
  return {
    'GET /v1/kpi/roi': async ({ event, now, viewer }) => {
      requireManager(viewer, 'see the return on spend');
      const query = parseQuery(RoiQuery, event.queryStringParameters);
      const { from, to } = kpiRange(query, now);
      // Spend is summed into the funnel's daily rows: one Query answers the report.
      const funnel = await deps.kpis.query('funnel', query.groupBy, from, to);
      const rows = (list: typeof funnel) => list.map((r) => ({ group: r.value, adds: r.adds }));
      // Spend against revenue in 7-day periods from `from` (no week start to choose: Saturday, Sunday and
      // Monday all start weeks in leadpipe's markets).
      const period = (day: string) => {
        const days = Math.floor(
          (Date.parse(`${day}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000,
        );
        return new Date(Date.parse(`${from}T00:00:00Z`) + Math.floor(days / 7) * 7 * 86_400_000)
          .toISOString()
          .slice(0, 10);
      };
      const weekly = (list: typeof funnel) => list.map((r) => ({ group: period(r.day), adds: r.adds }));
      return jsonResponse(200, {
        from,
        to,
        groupBy: query.groupBy,
        currency: config.money.reportingCurrency,
        groups: summariseRoi(rows(funnel), config),
        weeks: summariseRoi(weekly(funnel), config).map((w) => ({
          from: w.group,
          spend: w.spend,
          revenue: w.revenue,
        })),
      });
    },
    'GET /v1/kpi/forecast': async ({ event, now, viewer }) => {
      const query = parseQuery(ForecastQuery, event.queryStringParameters);
      // A rep sees their own pipeline.
      const groupBy = viewer.role === 'rep' ? 'rep' : query.groupBy;
      const rows = (await deps.kpis.query('forecast', groupBy, 'open', 'open'))
        .filter((r) => viewer.role !== 'rep' || r.value === viewer.repId)
        .map((r) => ({ group: r.value, adds: r.adds }));
      const thisMonth = now.toISOString().slice(0, 7);
      const closing = summariseForecast(
        (await deps.kpis.query('forecast', 'month', 'open', 'open'))
          .filter((r) => r.value === thisMonth && viewer.role !== 'rep')
          .map((r) => ({ group: r.value, adds: r.adds })),
        config,
      )[0];
      return jsonResponse(200, {
        groupBy,
        currency: config.money.reportingCurrency,
        probabilities: config.money.stageProbabilities,
        groups: summariseForecast(rows, config),
        ...(viewer.role === 'rep' ? {} : { closingThisMonth: closing ?? null }),
      });
    },
    'PUT /v1/spend': async ({ event, viewer }) => {
      requireManager(viewer, 'record ad spend');
      const rows = parseBody(SpendInput, event.body);
      // Every row checked first: a bad row leaves nothing half-recorded.
      const checked = rows.map((row, i) => ({
        day: row.day,
        source: row.source,
        campaign: campaignLabel(row.campaign, config),
        amount: readMoney(row, config.money, row.day, `${i}.amount`),
      }));
      let changed = 0;
      for (const row of checked) if ((await deps.spend.put(row)) === 'set') changed++;
      deps.logger.info('spend recorded', { rows: checked.length, changed });
      return jsonResponse(200, { rows: checked.length, changed });
    },
  };
}
