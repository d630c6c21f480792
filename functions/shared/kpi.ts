import { businessMinutesBetween } from './calendar.ts';
import type { Config, RepConfig } from './config.ts';
import type { Lead } from './lead.ts';

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

export type DimensionType = 'all' | 'rep' | 'source' | 'campaign' | 'segment';
export type Dimension = { type: DimensionType; value: string };

/** One aggregate change: counted exactly once per lead and event key, whatever is redelivered. */
export type KpiEvent = {
  key: string;
  table: 'rt' | 'funnel';
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

function campaignOf(lead: Lead): string {
  const a = lead.attribution;
  return a.campaignName ?? a.campaignId ?? a.utm.campaign ?? 'none';
}

function baseDims(lead: Lead): Dimension[] {
  return [
    { type: 'all', value: 'all' },
    { type: 'source', value: lead.source },
    { type: 'campaign', value: campaignOf(lead) },
  ];
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
        ...baseDims(after),
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
      ...baseDims(after),
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
  return events;
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

/** Sums aggregate rows per group into the figures a manager reads. */
export function summariseResponseTimes(rows: readonly ResponseRow[]) {
  const groups = new Map<string, Record<string, number>>();
  for (const row of rows) {
    const sum = groups.get(row.group) ?? {};
    for (const [k, v] of Object.entries(row.adds)) sum[k] = (sum[k] ?? 0) + v;
    groups.set(row.group, sum);
  }
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
  const groups = new Map<string, Record<string, number>>();
  for (const row of rows) {
    const sum = groups.get(row.group) ?? {};
    for (const [k, v] of Object.entries(row.adds)) sum[k] = (sum[k] ?? 0) + v;
    groups.set(row.group, sum);
  }
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
