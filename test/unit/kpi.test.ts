import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyStatusEvent, StatusEvent } from '../../functions/ops/status.ts';
import { aggregateRows, transactionGroups } from '../../functions/shared/aws/dynamo-kpi-store.ts';
import { businessMinutesBetween } from '../../functions/shared/calendar.ts';
import { HttpError } from '../../functions/shared/errors.ts';
import {
  funnelSteps,
  kpiEvents,
  type ResponseRow,
  summariseFunnel,
  summariseResponseTimes,
} from '../../functions/shared/kpi.ts';
import { assignment, lead, testConfig } from '../support/factories.ts';

const config = testConfig();
const hours = { start: '09:00', end: '18:00' };

describe('business minutes (the SLA clock)', () => {
  it('starts a Thursday-evening Riyadh lead on Sunday morning (the Saudi weekend is Fri–Sat)', () => {
    const riyadh = { timezone: 'Asia/Riyadh', region: 'SA', workingHours: hours };
    // Thursday 19:00 → Sunday 09:30 Riyadh time.
    expect(
      businessMinutesBetween(new Date('2026-03-19T16:00:00Z'), new Date('2026-03-22T06:30:00Z'), riyadh, {}),
    ).toBe(30);
  });

  it('counts Friday in Dubai, where the weekend is Saturday–Sunday', () => {
    const dubai = { timezone: 'Asia/Dubai', region: 'AE', workingHours: hours };
    // Thursday 20:00 → Friday 09:30 Dubai time.
    expect(
      businessMinutesBetween(new Date('2026-03-19T16:00:00Z'), new Date('2026-03-20T05:30:00Z'), dubai, {}),
    ).toBe(30);
  });

  it('skips configured holidays (Nowruz in Tehran)', () => {
    const tehran = { timezone: 'Asia/Tehran', region: 'IR', workingHours: hours };
    const from = new Date('2026-03-19T15:30:00Z'); // Thursday 19:00
    const to = new Date('2026-03-25T06:00:00Z'); // Wednesday 09:30
    expect(
      businessMinutesBetween(from, to, tehran, {
        IR: ['2026-03-21', '2026-03-22', '2026-03-23', '2026-03-24'],
      }),
    ).toBe(30);
    expect(businessMinutesBetween(from, to, tehran, {})).toBe(4 * 540 + 30);
  });

  it('is wall-clock time for a rep without working hours', () => {
    expect(
      businessMinutesBetween(
        new Date('2026-03-19T16:00:00Z'),
        new Date('2026-03-19T16:07:30Z'),
        { timezone: 'UTC' },
        {},
      ),
    ).toBe(7.5);
  });
});

// The disqualification reasons and the money settings an event is checked against.
const RULES = config;

describe('status events', () => {
  const assigned = lead({ status: 'assigned', ownerId: 'sara', assignment: assignment() });
  const now = new Date('2026-03-19T16:05:00Z');

  it('records the first contact once, with who and when', () => {
    const update = applyStatusEvent(
      assigned,
      StatusEvent.parse({ type: 'contacted', by: 'sara' }),
      now,
      RULES,
    );
    expect(update).toEqual({
      status: 'contacted',
      // Five minutes after the assignment at 16:00:02: the minutes spent assigned, waiting for contact.
      change: {
        status: 'contacted',
        at: now.toISOString(),
        by: 'sara',
        from: 'assigned',
        stageMinutes: 4.97,
      },
      firstContactAt: now.toISOString(),
    });
    const contacted = { ...assigned, status: 'contacted' as const, firstContactAt: now.toISOString() };
    expect(
      applyStatusEvent(contacted, StatusEvent.parse({ type: 'qualified', by: 'sara' }), now, RULES)
        ?.firstContactAt,
    ).toBeUndefined();
  });

  it('changes nothing when the lead is in that status already', () => {
    expect(
      applyStatusEvent(
        { ...assigned, status: 'contacted' },
        StatusEvent.parse({ type: 'contacted', by: 'sara' }),
        now,
        RULES,
      ),
    ).toBeUndefined();
  });

  it('refuses steps backwards and any step from won or lost', () => {
    const step = (status: 'qualified' | 'won', type: 'contacted' | 'lost') => () =>
      applyStatusEvent(
        { ...assigned, status },
        StatusEvent.parse({ type, by: 'x', reason: 'no budget' }),
        now,
        RULES,
      );
    expect(step('qualified', 'contacted')).toThrow(HttpError);
    expect(step('won', 'lost')).toThrow(/A won lead cannot become lost/);
  });

  it('needs a reason for a lost lead, and keeps the competitor', () => {
    expect(StatusEvent.safeParse({ type: 'lost', by: 'sara' }).success).toBe(false);
    const update = applyStatusEvent(
      assigned,
      StatusEvent.parse({ type: 'lost', by: 'sara', reason: 'price', competitor: 'Acme CRM' }),
      now,
      RULES,
    );
    expect(update?.change).toMatchObject({ reason: 'price', competitor: 'Acme CRM' });
    expect(update?.firstContactAt).toBeUndefined();
  });

  it('disqualifies from any open state for a configured reason only, and nothing follows an outcome', () => {
    const disqualify = (reason: string) => StatusEvent.parse({ type: 'disqualified', by: 'sara', reason });
    for (const status of ['new', 'unassigned', 'assigned', 'contacted', 'qualified'] as const)
      expect(applyStatusEvent({ ...assigned, status }, disqualify('spam'), now, RULES)?.status).toBe(
        'disqualified',
      );
    expect(() => applyStatusEvent(assigned, disqualify('bored'), now, RULES)).toThrow(
      /one of the configured reasons: spam, wrong-number/,
    );
    expect(StatusEvent.safeParse({ type: 'disqualified', by: 'sara' }).success).toBe(false);
    for (const type of ['contacted', 'won', 'lost'] as const)
      expect(() =>
        applyStatusEvent(
          { ...assigned, status: 'disqualified' },
          StatusEvent.parse({ type, by: 'x', reason: 'r' }),
          now,
          RULES,
        ),
      ).toThrow(/A disqualified lead cannot become/);
  });

  it('records how long the lead spent in the stage it leaves, from its last change', () => {
    const contacted = {
      ...assigned,
      status: 'contacted' as const,
      statusHistory: [{ status: 'contacted' as const, at: '2026-03-19T16:05:00.000Z', by: 'sara' }],
    };
    const later = new Date('2026-03-21T16:05:00.000Z');
    const update = applyStatusEvent(
      contacted,
      StatusEvent.parse({ type: 'qualified', by: 'sara' }),
      later,
      RULES,
    );
    expect(update?.change).toMatchObject({ from: 'contacted', stageMinutes: 2880 });
  });
});

describe('KPI events', () => {
  const owned = lead({
    status: 'assigned',
    ownerId: 'layla',
    assignment: assignment({ repId: 'layla', at: '2026-03-19T16:00:00.000Z' }),
    // Submitted on Meta at 15:48; the webhook came late, at 16:00.
    submittedAt: '2026-03-19T15:48:00.000Z',
    receivedAt: '2026-03-19T16:00:00.000Z',
    segments: ['gulf'],
    attribution: { utm: { campaign: 'ramadan' } },
  });
  const layla = config.routing.reps.find((r) => r.id === 'layla');

  it("adds both clocks at the first contact: the rep's response from assignment, the lead's wait from submission", () => {
    const contacted = {
      ...owned,
      status: 'contacted' as const,
      firstContactAt: '2026-03-19T16:12:00.000Z',
      statusHistory: [{ status: 'contacted' as const, at: '2026-03-19T16:12:00.000Z', by: 'layla' }],
    };
    const events = kpiEvents(owned, contacted, config, layla);
    expect(events[0]).toEqual({
      key: 'first-contact',
      table: 'rt',
      day: '2026-03-19',
      dims: [
        { type: 'all', value: 'all' },
        { type: 'source', value: 'web-form' },
        { type: 'campaign', value: 'ramadan' },
        { type: 'rep', value: 'layla' },
        { type: 'segment', value: 'gulf' },
      ],
      adds: { count: 1, sumMinutes: 12, sumBusinessMinutes: 12, met: 1, h6: 1, sumWaitMinutes: 24, w8: 1 },
    });
    expect(events.slice(1).map((e) => e.key)).toEqual(['status#contacted']);
  });

  it('counts a funnel step once per lead, including the steps a jump passes', () => {
    expect(funnelSteps(undefined, { ...owned, status: 'new' })).toEqual(['new']);
    expect(funnelSteps(owned, { ...owned, status: 'unassigned' })).toEqual([]);
    expect(funnelSteps(owned, { ...owned, status: 'qualified' })).toEqual(['contacted', 'qualified']);
    const contacted = {
      ...owned,
      status: 'contacted' as const,
      statusHistory: [{ status: 'contacted' as const, at: '2026-03-19T16:12:00.000Z', by: 'x' }],
    };
    expect(funnelSteps(contacted, { ...contacted, status: 'won' })).toEqual(['qualified', 'won']);
    expect(funnelSteps(contacted, { ...contacted, status: 'lost' })).toEqual(['lost']);
  });

  it('counts a disqualification under its reason, per source, campaign and rep', () => {
    const now = new Date('2026-03-19T16:30:00.000Z');
    const update = applyStatusEvent(
      owned,
      StatusEvent.parse({ type: 'disqualified', by: 'layla', reason: 'spam' }),
      now,
      RULES,
    );
    if (update === undefined) throw new Error('no update');
    const after = { ...owned, status: update.status, statusHistory: [update.change] };
    const events = kpiEvents(owned, after, config, layla);
    expect(events.find((e) => e.key === 'status#disqualified')).toMatchObject({
      table: 'funnel',
      adds: { disqualified: 1, 'dq:spam': 1 },
      dims: expect.arrayContaining([
        { type: 'campaign', value: 'ramadan' },
        { type: 'rep', value: 'layla' },
      ]),
    });
    // Thirty minutes assigned before the verdict.
    expect(events.find((e) => e.key === 'stage#disqualified')?.adds).toEqual({
      't:assigned:n': 1,
      't:assigned:sum': 30,
      't:assigned:h1': 1,
    });
  });

  it('reports time in each stage and first contact to won as median and p90, and the junk reasons', () => {
    const won = {
      ...owned,
      status: 'won' as const,
      firstContactAt: '2026-03-19T16:12:00.000Z',
      statusHistory: [
        { status: 'contacted' as const, at: '2026-03-19T16:12:00.000Z', by: 'layla' },
        {
          status: 'won' as const,
          at: '2026-03-21T16:12:00.000Z',
          by: 'layla',
          from: 'contacted' as const,
          stageMinutes: 2880,
        },
      ],
    };
    const before = { ...won, status: 'contacted' as const, statusHistory: won.statusHistory.slice(0, 1) };
    const stage = kpiEvents(before, won, config, layla).find((e) => e.key === 'stage#won');
    expect(stage?.adds).toMatchObject({
      't:contacted:n': 1,
      't:contacted:sum': 2880,
      'c2w:n': 1,
      'c2w:sum': 2880,
    });
    const rows: ResponseRow[] = [
      { group: 'ramadan', adds: { new: 3, won: 1, disqualified: 2, 'dq:spam': 1, 'dq:wrong-number': 1 } },
      { group: 'ramadan', adds: stage?.adds ?? {} },
      { group: 'ramadan', adds: { 't:contacted:n': 1, 't:contacted:sum': 30, 't:contacted:h1': 1 } },
    ];
    const [summary] = summariseFunnel(rows);
    expect(summary).toMatchObject({
      disqualified: 2,
      disqualifiedReasons: { spam: 1, 'wrong-number': 1 },
      timeInStage: { contacted: { count: 2, p50Minutes: 60, p90Minutes: 2880, averageMinutes: 1455 } },
      firstContactToWon: { count: 1, p50Minutes: 2880, p90Minutes: 2880, averageMinutes: 2880 },
    });
  });

  it('counts nothing for a test lead', () => {
    expect(kpiEvents(undefined, { ...owned, status: 'new', test: true }, config, layla)).toEqual([]);
  });

  it('summarises aggregates into p50, p90, bands and SLA met', () => {
    const rows: ResponseRow[] = [
      {
        group: 'layla',
        adds: {
          count: 3,
          sumMinutes: 30,
          sumBusinessMinutes: 30,
          met: 2,
          breached: 1,
          h3: 2,
          h8: 1,
          sumWaitMinutes: 40,
          w3: 2,
          w8: 1,
        },
      },
      {
        group: 'layla',
        adds: {
          count: 1,
          sumMinutes: 2000,
          sumBusinessMinutes: 600,
          breached: 1,
          h20: 1,
          sumWaitMinutes: 2100,
          w20: 1,
        },
      },
    ];
    expect(summariseResponseTimes(rows)).toEqual([
      {
        group: 'layla',
        contacted: 4,
        p50Minutes: 5,
        p90Minutes: 2880,
        averageMinutes: 507.5,
        averageBusinessMinutes: 157.5,
        slaMetPercent: 50,
        bandsMinutes: { '0-5': 2, '5-15': 0, '15-60': 1, '60-240': 0, '240-1440': 0, '>1440': 1 },
        leadWait: { p50Minutes: 5, p90Minutes: 2880, averageMinutes: 535 },
      },
    ]);
  });
});

describe('KPI batches', () => {
  const entry = (i: number, dims: number, day: string) => ({
    leadId: `lead-${i}`,
    event: {
      key: 'new',
      table: 'funnel' as const,
      day,
      dims: Array.from({ length: dims }, (_, d) => ({ type: `dim${d}`, value: `v${(i + d) % 3}` })),
      adds: { new: 1, count: 2 },
    },
  });

  it('adds events that share a daily row into one update of that row', () => {
    const rows = aggregateRows([
      entry(0, 1, '2026-03-19'),
      entry(3, 1, '2026-03-19'),
      entry(1, 1, '2026-03-19'),
    ]);
    expect(rows).toEqual([
      { table: 'funnel', type: 'dim0', day: '2026-03-19', value: 'v0', adds: { new: 2, count: 4 } },
      { table: 'funnel', type: 'dim0', day: '2026-03-19', value: 'v1', adds: { new: 1, count: 2 } },
    ]);
  });

  it('splits any batch into transactions of at most 100 items that keep every event once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.constantFrom('2026-03-19', '2026-03-20')), {
          maxLength: 400,
        }),
        (specs) => {
          const entries = specs.map(([dims, day], i) => entry(i, dims, day));
          const groups = transactionGroups(entries);
          for (const group of groups)
            expect(group.length + aggregateRows(group).length).toBeLessThanOrEqual(100);
          expect(groups.flat()).toEqual(entries);
          // The rows of all groups add up to the rows of the whole batch.
          const total = (rows: ReturnType<typeof aggregateRows>) =>
            rows.reduce((n, r) => n + (r.adds.count ?? 0), 0);
          expect(groups.reduce((n, g) => n + total(aggregateRows(g)), 0)).toBe(total(aggregateRows(entries)));
        },
      ),
    );
  });
});
