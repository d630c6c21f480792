import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSpendFile } from '../../scripts/spend-report.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/spend/${name}`, import.meta.url));

describe('spend reports as the ad platforms export them', () => {
  it("reads Meta Ads Manager's campaigns by day, its currency, and skips the totals and zero rows", () => {
    const report = readSpendFile(fixture('meta-ads-manager-campaigns-by-day.csv'));
    expect(report).toEqual({
      format: 'meta',
      skipped: 2,
      rows: [
        {
          day: '2026-03-18',
          source: 'facebook',
          campaign: 'RE-Tehran-Q1',
          amount: '450.25',
          currency: 'SAR',
        },
        {
          day: '2026-03-19',
          source: 'facebook',
          campaign: 'RE-Tehran-Q1',
          amount: '512.00',
          currency: 'SAR',
        },
        {
          day: '2026-03-19',
          source: 'facebook',
          campaign: 'رمضان كريم - جدة',
          amount: '300.00',
          currency: 'SAR',
        },
      ],
    });
  });

  it("reads Google Ads' campaign report below its title lines, by campaign id, thousands separators gone", () => {
    const report = readSpendFile(fixture('google-ads-campaign-report.csv'));
    expect(report.format).toBe('google');
    expect(report.rows).toEqual([
      { day: '2026-03-18', source: 'google', campaign: '18446744073', amount: '1204.50', currency: 'AED' },
      { day: '2026-03-19', source: 'google', campaign: '18446744073', amount: '980.10', currency: 'AED' },
    ]);
    expect(report.skipped).toBe(1);
  });

  it('reads a generic CSV, and says what is missing', () => {
    const generic = Buffer.from(
      'day,source,campaign,amount,currency\r\n2026-03-19,web-form,spring,99.5,USD\r\n',
    );
    expect(readSpendFile(generic).rows).toEqual([
      { day: '2026-03-19', source: 'web-form', campaign: 'spring', amount: '99.5', currency: 'USD' },
    ]);
    expect(() => readSpendFile(Buffer.from('campaign,amount\r\nspring,10\r\n'))).toThrow(/no day/);
    expect(() => readSpendFile(Buffer.from('day,campaign,amount\r\n2026-03-19,spring,10\r\n'))).toThrow(
      /--source/,
    );
  });
});
