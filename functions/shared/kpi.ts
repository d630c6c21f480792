import { businessMinutesBetween } from './calendar.ts';
import type { Config, RepConfig } from './config.ts';
import { isClosed, type Lead } from './lead.ts';
import { divideHalfEven, fromMinor, toMinor, type Valued } from './money.ts';
import { ownValue } from './records.ts';

/** Upper bounds (minutes) of the response-time histogram: fine enough for p50/p90 and the report bands. */
export const BUCKETS = [
  1,
  2,
  3,
  5,
  7,
  10,
  15,
  20,
  30,
  45,
  60,
  90,
  120,
  180,
  240,
  360,
  480,
  720,
  1080,
  1440,
  2880,
  4320,
  10_080,
  Number.POSITIVE_INFINITY,
];

/** Upper bounds (minutes) of the time-in-stage histograms: a stage lasts minutes to months. */
export const STAGE_BUCKETS = [
  15,
  60,
  240,
  480,
  1440,
  2880,
  4320,
  10_080,
  20_160,
  43_200,
  86_400,
  129_600,
  259_200,
  525_600,
  Number.POSITIVE_INFINITY,
];

/** The bands managers read: 0–5, 5–15, 15–60, 60–240, 240–1440 and over 1440 minutes. */
export const BANDS = [5, 15, 60, 240, 1440, Number.POSITIVE_INFINITY];

export type DimensionType = 'all' | 'rep' | 'source' | 'campaign' | 'segment' | 'month';
export type Dimension = { type: DimensionType; value: string };

/** One aggregate change: counted exactly once per lead and event key, whatever is redelivered. */
export type KpiEvent = {
  key: string;
  table: 'rt' | 'funnel' | 'forecast';
  day: string;
  dims: Dimension[];
  adds: Record<string, number>;
};

export function bucketOf(minutes: number, buckets: readonly number[] = BUCKETS): number {
  return buckets.findIndex((upper) => minutes <= upper);
}

/** A duration's share of a histogram: its count, sum and bucket, under one name (`t:contacted`, `c2w`). */
function durationAdds(name: string, minutes: number): Record<string, number> {
  return {
    [`${name}:n`]: 1,
    [`${name}:sum`]: Math.round(minutes * 100) / 100,
    [`${name}:h${bucketOf(minutes, STAGE_BUCKETS)}`]: 1,
  };
}

/**
 * The campaign a lead is reported under: the configured name of its platform campaign id, else the name the
 * platform sent, else the id, else utm_campaign. Spend is keyed the same way (`campaignLabel`), so they meet.
 */
export function campaignOf(lead: Lead, config: Pick<Config, 'money'>): string {
  const a = lead.attribution;
  const named = a.campaignId ? ownValue(config.money.campaignNames, a.campaignId) : undefined;
  return named ?? a.campaignName ?? a.campaignId ?? a.utm.campaign ?? 'none';
}

/** A spend report's campaign (an id or a name) as reports show it: the configured name of an id. */
export function campaignLabel(campaign: string, config: Pick<Config, 'money'>): string {
  return ownValue(config.money.campaignNames, campaign) ?? campaign;
}

function baseDims(lead: Lead, config: Pick<Config, 'money'>): Dimension[] {
  return [
    { type: 'all', value: 'all' },
    { type: 'source', value: lead.source },
    { type: 'campaign', value: campaignOf(lead, config) },
  ];
}

/** A stored value in the reporting currency's minor units. */
export function reportedMinor(value: Valued | undefined, config: Pick<Config, 'money'>): bigint | undefined {
  return value === undefined
    ? undefined
    : toMinor({ amount: value.reported, currency: config.money.reportingCurrency });
}

const QUALIFICATION = ['none', 'mql', 'sql'] as const;

/** An open lead's share of the forecast: where it counts, its value and its value weighed by its stage. */
export function forecastShare(lead: Lead | undefined, config: Pick<Config, 'money'>) {
  if (lead === undefined || lead.test || isClosed(lead.status)) return undefined;
  const value = reportedMinor(lead.expectedValue, config);
  if (value === undefined) return undefined;
  const probability = ownValue(config.money.stageProbabilities, lead.status) ?? 0;
  return {
    dims: [
      { type: 'all' as const, value: 'all' },
      { type: 'rep' as const, value: lead.ownerId ?? 'none' },
      { type: 'source' as const, value: lead.source },
      { type: 'month' as const, value: lead.expectedCloseDate?.slice(0, 7) ?? 'none' },
    ],
    open: value,
    weighted: divideHalfEven(value * BigInt(Math.round(probability * 100)), 10_000n),
  };
}

/**
 * The forecast's change for one lead change: its old share out and its new share in, each counted once. The
 * key names the state the lead reached (status, value version, moves), which a lead reaches only once.
 */
function forecastEvents(before: Lead | undefined, after: Lead, config: Pick<Config, 'money'>): KpiEvent[] {
  const out = forecastShare(before, config);
  const into = forecastShare(after, config);
  if (JSON.stringify(out, bigintJson) === JSON.stringify(into, bigintJson)) return [];
  const state = `${after.status}#v${after.valueVersion ?? 0}#h${after.history.length}#${after.ownerId ?? ''}`;
  const event = (key: string, share: NonNullable<typeof out>, sign: bigint): KpiEvent => ({
    key: `forecast-${key}#${state}`,
    table: 'forecast',
    day: 'open',
    dims: share.dims,
    adds: { open: Number(sign * share.open), weighted: Number(sign * share.weighted), deals: Number(sign) },
  });
  return [...(out ? [event('out', out, -1n)] : []), ...(into ? [event('in', into, 1n)] : [])];
}

function bigintJson(_: string, value: unknown) {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * What a lead change adds to the KPIs: at the first contact, the rep's response (from their assignment, wall
 * clock and the owner's business hours, against the SLA) and the lead's wait (from submission), and a funnel step whenever the status changes (`new` when the lead is
 * created). Test leads count for nothing.
 */
export function kpiEvents(
  before: Lead | undefined,
  after: Lead,
  config: Config,
  owner: RepConfig | undefined,
): KpiEvent[] {
  if (after.test) return [];
  const events: KpiEvent[] = [];
  if (after.firstContactAt && !before?.firstContactAt) {
    // Two clocks. The rep's response runs from the assignment they answered (business hours, against the SLA);
    // the lead's wait runs from the person's submission, by the platform's own clock (wall time).
    const from = new Date(after.assignment?.at ?? after.receivedAt);
    const to = new Date(after.firstContactAt);
    const minutes = Math.max(0, (to.getTime() - from.getTime()) / 60_000);
    const business = owner ? businessMinutesBetween(from, to, owner, config.calendar.holidays) : minutes;
    const waited = Math.max(0, (to.getTime() - Date.parse(after.submittedAt ?? after.receivedAt)) / 60_000);
    // Judged against the clock of the lead's first assignment: an escalation does not reset a missed deadline.
    const firstSla = (after.history[0] ?? after.assignment)?.sla;
    const met = firstSla
      ? to.getTime() <= Date.parse(firstSla.dueAt)
      : business <= config.sla.firstContactMinutes;
    events.push({
      key: 'first-contact',
      table: 'rt',
      day: after.firstContactAt.slice(0, 10),
      dims: [
        ...baseDims(after, config),
        ...(after.ownerId ? [{ type: 'rep' as const, value: after.ownerId }] : []),
        ...after.segments.map((s) => ({ type: 'segment' as const, value: s })),
      ],
      adds: {
        count: 1,
        sumMinutes: Math.round(minutes * 100) / 100,
        sumBusinessMinutes: Math.round(business * 100) / 100,
        [met ? 'met' : 'breached']: 1,
        [`h${bucketOf(business)}`]: 1,
        sumWaitMinutes: Math.round(waited * 100) / 100,
        [`w${bucketOf(waited)}`]: 1,
      },
    });
  }
  if (after.status !== before?.status) {
    const change = before === undefined ? undefined : after.statusHistory.at(-1);
    const at = change?.at ?? after.createdAt;
    // A rep's row counts what happened to leads while theirs (a lead is created before it has an owner).
    const dims = [
      ...baseDims(after, config),
      ...(after.ownerId ? [{ type: 'rep' as const, value: after.ownerId }] : []),
    ];
    for (const step of funnelSteps(before, after)) {
      events.push({
        key: `status#${step}`,
        table: 'funnel',
        day: at.slice(0, 10),
        dims,
        adds: {
          [step]: 1,
          // Which campaigns bring junk: each disqualification counts under its reason.
          ...(step === 'disqualified' && change?.reason ? { [`dq:${change.reason}`]: 1 } : {}),
          // The revenue of a won deal: its value (else what it was expected to be), in the reporting currency.
          ...(step === 'won' ? wonRevenue(after, config) : {}),
          // A new lead's MQL and SQL ride with its `new` step: no write of their own.
          ...(step === 'new' && before === undefined ? qualificationAdds(undefined, after) : {}),
        },
      });
    }
    // How long the lead spent in the stage it left, and, when it is won, since its first contact.
    if (change?.status === after.status && change.from !== undefined && change.stageMinutes !== undefined) {
      const firstContactToWon =
        after.status === 'won' && after.firstContactAt
          ? durationAdds(
              'c2w',
              Math.max(0, (Date.parse(change.at) - Date.parse(after.firstContactAt)) / 60_000),
            )
          : {};
      events.push({
        key: `stage#${after.status}`,
        table: 'funnel',
        day: at.slice(0, 10),
        dims,
        adds: { ...durationAdds(`t:${change.from}`, change.stageMinutes), ...firstContactToWon },
      });
    }
  }
  events.push(...qualificationEvents(before, after, config), ...forecastEvents(before, after, config));
  return events;
}

function wonRevenue(lead: Lead, config: Pick<Config, 'money'>): Record<string, number> {
  const value = reportedMinor(lead.dealValue ?? lead.expectedValue, config);
  return value === undefined ? {} : { revenue: Number(value), valued: 1 };
}

/** The qualification levels a change reaches for the first time (`mql`, `sql`). */
function newLevels(before: Lead | undefined, after: Lead): string[] {
  const from = before ? QUALIFICATION.indexOf(before.score.qualification) : 0;
  const to = QUALIFICATION.indexOf(after.score.qualification);
  return QUALIFICATION.slice(Math.max(1, from + 1), to + 1);
}

function qualificationAdds(before: Lead | undefined, after: Lead): Record<string, number> {
  return Object.fromEntries(newLevels(before, after).map((level) => [level, 1]));
}

/**
 * Marketing- and sales-qualified leads by source and campaign: counted when the score first reaches each level,
 * once per lead and level. A new lead's ride with its `new` step; these are a returning person's raised score.
 */
function qualificationEvents(
  before: Lead | undefined,
  after: Lead,
  config: Pick<Config, 'money'>,
): KpiEvent[] {
  if (before === undefined) return [];
  return newLevels(before, after).map((level) => ({
    key: `qual#${level}`,
    table: 'funnel' as const,
    day: (after.lastTouchAt ?? after.createdAt).slice(0, 10),
    dims: baseDims(after, config),
    adds: { [level]: 1 },
  }));
}

const PIPELINE = ['new', 'contacted', 'qualified', 'won'] as const;

/**
 * The funnel steps a change reaches for the first time. A lead that jumps from assigned to qualified has also
 * been contacted, so both count; `assigned` and `unassigned` are routing states, not sales steps.
 */
export function funnelSteps(before: Lead | undefined, after: Lead): string[] {
  const reached = new Set<string>([
    ...(before?.statusHistory.map((c) => c.status) ?? []),
    ...(before ? ['new', before.status] : []),
  ]);
  if (after.status === 'lost' || after.status === 'disqualified')
    return reached.has(after.status) ? [] : [after.status];
  const rank = PIPELINE.indexOf(after.status as (typeof PIPELINE)[number]);
  const steps =
    rank === -1 ? (before ? [] : ['new']) : PIPELINE.slice(0, rank + 1).filter((s) => !reached.has(s));
  return steps;
}

export type ResponseRow = { group: string; adds: Record<string, number> };

/** The percentile (in minutes) from histogram counts: the upper bound of the bucket it falls in. */
function percentile(histogram: number[], total: number, p: number): number | null {
  if (total === 0) return null;
  let seen = 0;
  for (const [i, n] of histogram.entries()) {
    seen += n;
    if (seen >= total * p)
      return BUCKETS[i] === Number.POSITIVE_INFINITY ? (BUCKETS[i - 1] ?? 0) : (BUCKETS[i] ?? null);
  }
  return null;
}

/** Each group's rows added up, figure by figure. */
function sumByGroup(rows: readonly ResponseRow[]): Map<string, Record<string, number>> {
  const groups = new Map<string, Record<string, number>>();
  for (const row of rows) {
    const sum = groups.get(row.group) ?? {};
    for (const [k, v] of Object.entries(row.adds)) sum[k] = (sum[k] ?? 0) + v;
    groups.set(row.group, sum);
  }
  return groups;
}

/** Sums aggregate rows per group into the figures a manager reads. */
export function summariseResponseTimes(rows: readonly ResponseRow[]) {
  const groups = sumByGroup(rows);
  return [...groups.entries()]
    .map(([group, s]) => {
      const count = s.count ?? 0;
      const histogram = BUCKETS.map((_, i) => s[`h${i}`] ?? 0);
      const waits = BUCKETS.map((_, i) => s[`w${i}`] ?? 0);
      const waitCount = waits.reduce((a, b) => a + b, 0);
      const bands: Record<string, number> = {};
      let lower = 0;
      for (const upper of BANDS) {
        const label = upper === Number.POSITIVE_INFINITY ? `>${lower}` : `${lower}-${upper}`;
        bands[label] = histogram
          .filter((_, i) => (BUCKETS[i] ?? 0) > lower && (BUCKETS[i] ?? 0) <= upper)
          .reduce((a, b) => a + b, 0);
        lower = upper;
      }
      return {
        group,
        contacted: count,
        p50Minutes: percentile(histogram, count, 0.5),
        p90Minutes: percentile(histogram, count, 0.9),
        averageMinutes: count ? Math.round(((s.sumMinutes ?? 0) / count) * 10) / 10 : null,
        averageBusinessMinutes: count ? Math.round(((s.sumBusinessMinutes ?? 0) / count) * 10) / 10 : null,
        slaMetPercent: count ? Math.round(((s.met ?? 0) / count) * 1000) / 10 : null,
        bandsMinutes: bands,
        /** The lead's side: from submission (the platform's clock) to first contact, wall-clock minutes. */
        leadWait: {
          p50Minutes: percentile(waits, waitCount, 0.5),
          p90Minutes: percentile(waits, waitCount, 0.9),
          averageMinutes: waitCount ? Math.round(((s.sumWaitMinutes ?? 0) / waitCount) * 10) / 10 : null,
        },
      };
    })
    .sort((a, b) => a.group.localeCompare(b.group));
}

/** p50, p90 and the average of a duration histogram written by `durationAdds`. */
function durationSummary(s: Record<string, number>, name: string) {
  const count = s[`${name}:n`] ?? 0;
  const histogram = STAGE_BUCKETS.map((_, i) => s[`${name}:h${i}`] ?? 0);
  const at = (p: number) => {
    if (count === 0) return null;
    let seen = 0;
    for (const [i, n] of histogram.entries()) {
      seen += n;
      if (seen >= count * p)
        return STAGE_BUCKETS[i] === Number.POSITIVE_INFINITY
          ? (STAGE_BUCKETS[i - 1] ?? 0)
          : (STAGE_BUCKETS[i] ?? null);
    }
    return null;
  };
  return {
    count,
    p50Minutes: at(0.5),
    p90Minutes: at(0.9),
    averageMinutes: count ? Math.round(((s[`${name}:sum`] ?? 0) / count) * 10) / 10 : null,
  };
}

/** The stages a lead waits in, in pipeline order: time in each is reported as it is left. */
const STAGES = ['new', 'unassigned', 'assigned', 'contacted', 'qualified'] as const;

export function summariseFunnel(rows: readonly ResponseRow[]) {
  const groups = sumByGroup(rows);
  const rate = (n: number | undefined, of: number | undefined) =>
    of ? Math.round(((n ?? 0) / of) * 1000) / 10 : null;
  return [...groups.entries()]
    .map(([group, s]) => ({
      group,
      new: s.new ?? 0,
      contacted: s.contacted ?? 0,
      qualified: s.qualified ?? 0,
      won: s.won ?? 0,
      lost: s.lost ?? 0,
      disqualified: s.disqualified ?? 0,
      disqualifiedReasons: Object.fromEntries(
        Object.entries(s)
          .filter(([k]) => k.startsWith('dq:'))
          .map(([k, v]): [string, number] => [k.slice(3), v])
          .sort(([a], [b]) => a.localeCompare(b)),
      ),
      contactedPercent: rate(s.contacted, s.new),
      qualifiedPercent: rate(s.qualified, s.new),
      wonPercent: rate(s.won, s.new),
      /** Minutes spent in each stage before leaving it (median and p90 from a histogram, so bucket bounds). */
      timeInStage: Object.fromEntries(
        STAGES.filter((stage) => (s[`t:${stage}:n`] ?? 0) > 0).map((stage) => [
          stage,
          durationSummary(s, `t:${stage}`),
        ]),
      ),
      /** The source documents' "time per conversion": first contact to won. */
      firstContactToWon: durationSummary(s, 'c2w'),
    }))
    .sort((a, b) => a.group.localeCompare(b.group));
}

/** A money figure in the reporting currency's minor units, from a sum of aggregate rows. */
function minorOf(n: number | undefined): bigint {
  return BigInt(Math.round(n ?? 0));
}

/**
 * The return on each source or campaign: spend and its cost per lead, per SQL and per deal won, MQL → SQL,
 * revenue, the average deal, ROI and ROAS, in the reporting currency (decimal strings, computed exactly).
 */
export function summariseRoi(rows: readonly ResponseRow[], config: Pick<Config, 'money'>) {
  const currency = config.money.reportingCurrency;
  const results = sumByGroup(rows);
  const amount = (minor: bigint) => fromMinor(minor, currency).amount;
  const per = (total: bigint, n: number) => (n > 0 ? amount(divideHalfEven(total, BigInt(n))) : null);
  const percent = (n: number, of: number) => (of > 0 ? Math.round((n / of) * 1000) / 10 : null);
  return [...results.keys()]
    .map((group) => {
      const s = results.get(group) ?? {};
      const spent = minorOf(s.spend);
      const revenue = minorOf(s.revenue);
      const leads = s.new ?? 0;
      const sqls = s.sql ?? 0;
      const won = s.won ?? 0;
      const days = durationSummary(s, 'c2w').p50Minutes;
      return {
        group,
        currency,
        spend: amount(spent),
        leads,
        costPerLead: per(spent, leads),
        mqls: s.mql ?? 0,
        sqls,
        costPerSql: per(spent, sqls),
        mqlToSqlPercent: percent(sqls, s.mql ?? 0),
        contacted: s.contacted ?? 0,
        won,
        revenue: amount(revenue),
        averageDealValue: per(revenue, s.valued ?? 0),
        costPerWon: per(spent, won),
        // Exact to a tenth of a percent and a hundredth: ratios of integers, rounded half to even.
        roiPercent: spent > 0n ? Number(divideHalfEven((revenue - spent) * 1000n, spent)) / 10 : null,
        roas: spent > 0n ? Number(divideHalfEven(revenue * 100n, spent)) / 100 : null,
        medianDaysToWon: days === null ? null : Math.round((days / 1440) * 10) / 10,
      };
    })
    .sort((a, b) => a.group.localeCompare(b.group));
}

/** The open pipeline by rep, source or expected close month: its value and its value weighed by stage. */
export function summariseForecast(rows: readonly ResponseRow[], config: Pick<Config, 'money'>) {
  const currency = config.money.reportingCurrency;
  const groups = sumByGroup(rows);
  return [...groups.entries()]
    .filter(([, s]) => (s.deals ?? 0) > 0)
    .map(([group, s]) => ({
      group,
      currency,
      deals: s.deals ?? 0,
      openValue: fromMinor(minorOf(s.open), currency).amount,
      weightedValue: fromMinor(minorOf(s.weighted), currency).amount,
    }))
    .sort((a, b) => a.group.localeCompare(b.group));
}
