import { describe, expect, it } from 'vitest';
import { applyStatusEvent, StatusEvent } from '../../functions/ops/status.ts';
import {
  forecastShare,
  kpiEvents,
  type ResponseRow,
  summariseForecast,
  summariseRoi,
} from '../../functions/shared/kpi.ts';
import type { Lead } from '../../functions/shared/lead.ts';
import { assignment, lead, testConfig } from '../support/factories.ts';
import { rejection } from '../support/handlers.ts';

const config = testConfig({
  money: {
    reportingCurrency: 'SAR',
    rates: { USD: [{ from: '2026-01-01', rate: '3.75' }] },
    campaignNames: { '23849853425910183': 'Tehran apartments' },
  },
});
const now = new Date('2026-03-20T10:00:00Z');
const sar = (amount: string) => ({ amount, currency: 'SAR', reported: amount });

function won(before: Lead, amount?: string): Lead {
  const update = applyStatusEvent(
    before,
    StatusEvent.parse({ type: 'won', by: 'sara', ...(amount ? { amount, currency: 'USD' } : {}) }),
    now,
    config,
  );
  if (update === undefined) throw new Error('not changed');
  return {
    ...before,
    status: update.status,
    statusHistory: [...before.statusHistory, update.change],
    ...(update.value ? { [update.value.field]: update.value.money, valueVersion: 1 } : {}),
  };
}

describe('a deal value with a status event', () => {
  const qualified = lead({
    status: 'qualified',
    ownerId: 'sara',
    assignment: assignment(),
    firstContactAt: '2026-03-19T17:00:00.000Z',
  });

  it('takes the amount in its currency and its value in the reporting currency, fixed the day it is given', () => {
    expect(won(qualified, '1000.50').dealValue).toEqual({
      amount: '1000.50',
      currency: 'USD',
      reported: '3751.88',
    });
  });

  it('refuses an amount with contacted, one without a rate, and more decimals than the currency has', () => {
    expect(StatusEvent.safeParse({ type: 'contacted', by: 'x', amount: 5 }).success).toBe(false);
    const event = (amount: string, currency: string) =>
      StatusEvent.parse({ type: 'won', by: 'x', amount, currency });
    expect(rejection(() => applyStatusEvent(qualified, event('5', 'EUR'), now, config))).toMatchObject({
      status: 400,
      code: 'no_rate',
    });
    expect(rejection(() => applyStatusEvent(qualified, event('5.001', 'SAR'), now, config))).toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
  });
});

describe('money in the KPI events', () => {
  const base = lead({
    status: 'qualified',
    ownerId: 'sara',
    source: 'facebook',
    attribution: { utm: {}, campaignId: '23849853425910183', campaignName: 'RE-Tehran-Q1' },
    expectedValue: sar('20000.00'),
    valueVersion: 1,
  });

  it('adds a won deal’s value to the revenue of its source and its campaign, by the configured name', () => {
    const after = won(base, '1000.00');
    const step = kpiEvents(base, after, config, undefined).find((e) => e.key === 'status#won');
    expect(step?.adds).toMatchObject({ won: 1, revenue: 375000, valued: 1 });
    expect(step?.dims).toContainEqual({ type: 'campaign', value: 'Tehran apartments' });
  });

  it('counts the expected value as revenue when the deal was won without an amount', () => {
    const step = kpiEvents(base, won(base), config, undefined).find((e) => e.key === 'status#won');
    expect(step?.adds).toMatchObject({ revenue: 2000000, valued: 1 });
  });

  it('takes a won lead out of the forecast and weighs an open one by its stage', () => {
    expect(forecastShare(base, config)).toMatchObject({ open: 2000000n, weighted: 800000n });
    const events = kpiEvents(base, won(base), config, undefined).filter((e) => e.table === 'forecast');
    expect(events.map((e) => [e.key.split('#')[0], e.adds])).toEqual([
      ['forecast-out', { open: -2000000, weighted: -800000, deals: -1 }],
    ]);
  });

  it('moves the forecast by a changed value, never doubling it', () => {
    const raised = { ...base, expectedValue: sar('30000.00'), valueVersion: 2 };
    const events = kpiEvents(base, raised, config, undefined).filter((e) => e.table === 'forecast');
    const total = events.reduce((n, e) => n + (e.adds.open ?? 0), 0);
    expect(total).toBe(1000000);
    // The change names the state it reached: delivered again, its markers make it count once.
    expect(new Set(events.map((e) => e.key)).size).toBe(events.length);
  });

  it('counts MQL and SQL once each, when the score first reaches them, a new lead’s in its own step', () => {
    const fresh = lead({ score: { total: 70, breakdown: [], qualification: 'sql' } });
    const created = kpiEvents(undefined, fresh, config, undefined);
    expect(created.find((e) => e.key === 'status#new')?.adds).toEqual({ new: 1, mql: 1, sql: 1 });
    expect(created.some((e) => e.key.startsWith('qual#'))).toBe(false);
    const mql = lead({ score: { total: 40, breakdown: [], qualification: 'mql' } });
    const raised = { ...mql, score: { total: 70, breakdown: [], qualification: 'sql' as const }, version: 2 };
    const keys = kpiEvents(mql, raised, config, undefined)
      .filter((e) => e.key.startsWith('qual#'))
      .map((e) => e.key);
    expect(keys).toEqual(['qual#sql']);
  });
});

describe('the ROI report', () => {
  const funnel: ResponseRow[] = [
    {
      group: 'facebook',
      adds: { new: 40, mql: 20, sql: 8, contacted: 30, won: 3, revenue: 4500000, valued: 3 },
    },
    { group: 'google', adds: { new: 7, won: 0 } },
  ];
  const spend: ResponseRow[] = [
    { group: 'facebook', adds: { spend: 1000000 } },
    { group: 'facebook', adds: { spend: 200050 } },
    { group: 'web-form', adds: { spend: 0 } },
  ];

  it('gives spend, cost per lead, per SQL and per deal, ROI and ROAS as exact decimals', () => {
    const [facebook] = summariseRoi([...funnel, ...spend], config);
    expect(facebook).toEqual({
      group: 'facebook',
      currency: 'SAR',
      spend: '12000.50',
      leads: 40,
      costPerLead: '300.01',
      mqls: 20,
      sqls: 8,
      costPerSql: '1500.06',
      mqlToSqlPercent: 40,
      contacted: 30,
      won: 3,
      revenue: '45000.00',
      averageDealValue: '15000.00',
      costPerWon: '4000.17',
      roiPercent: 275,
      roas: 3.75,
      medianDaysToWon: null,
    });
  });

  it('answers null, never Infinity, where there is nothing to divide by', () => {
    const google = summariseRoi([...funnel, ...spend], config).find((g) => g.group === 'google');
    expect(google).toMatchObject({
      spend: '0.00',
      costPerLead: '0.00',
      costPerWon: null,
      roiPercent: null,
      roas: null,
    });
  });

  it('sums the weighted pipeline', () => {
    expect(
      summariseForecast(
        [
          { group: 'sara', adds: { open: 2000000, weighted: 800000, deals: 1 } },
          { group: 'sara', adds: { open: -2000000, weighted: -800000, deals: -1 } },
          { group: 'layla', adds: { open: 150000, weighted: 7500, deals: 1 } },
        ],
        config,
      ),
    ).toEqual([{ group: 'layla', currency: 'SAR', deals: 1, openValue: '1500.00', weightedValue: '75.00' }]);
  });
});
