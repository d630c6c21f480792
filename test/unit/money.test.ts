import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  divideHalfEven,
  fromMinor,
  MoneyInput,
  minorDigits,
  type Rates,
  rateOn,
  toMinor,
  toReporting,
} from '../../functions/shared/money.ts';

const rates: Rates = {
  reportingCurrency: 'SAR',
  rates: {
    USD: [{ from: '2026-01-01', rate: '3.75' }],
    AED: [
      { from: '2026-01-01', rate: '1.02' },
      { from: '2026-07-01', rate: '1.021' },
    ],
    KWD: [{ from: '2026-01-01', rate: '12.2' }],
    IRR: [{ from: '2026-01-01', rate: '0.0000893' }],
  },
};

describe('amounts', () => {
  it("know each currency's minor digits as CLDR has them", () => {
    expect(['SAR', 'AED', 'USD', 'KWD', 'BHD', 'IRR', 'JPY'].map(minorDigits)).toEqual([2, 2, 2, 3, 3, 0, 0]);
  });

  it('take a JSON number or a decimal string, written out to the currency’s digits', () => {
    expect(MoneyInput.parse({ amount: 12500, currency: 'SAR' })).toEqual({
      amount: '12500.00',
      currency: 'SAR',
    });
    expect(MoneyInput.parse({ amount: '99.5', currency: 'USD' })).toEqual({
      amount: '99.50',
      currency: 'USD',
    });
    expect(MoneyInput.parse({ amount: '1.250', currency: 'KWD' })).toEqual({
      amount: '1.250',
      currency: 'KWD',
    });
    expect(MoneyInput.parse({ amount: 450_000_000, currency: 'IRR' })).toEqual({
      amount: '450000000',
      currency: 'IRR',
    });
  });

  it('refuse more decimals than the currency has, negatives, unknown currencies and text', () => {
    for (const bad of [
      { amount: '10.005', currency: 'SAR' },
      { amount: 0.1, currency: 'IRR' },
      { amount: -5, currency: 'SAR' },
      { amount: '12,500', currency: 'SAR' },
      { amount: 100, currency: 'XYZ' },
      { amount: 100, currency: 'sar' },
      { amount: '1e3', currency: 'SAR' },
    ])
      expect(MoneyInput.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('go to minor units and back unchanged, for any amount', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 17n }),
        fc.constantFrom('SAR', 'KWD', 'IRR'),
        (minor, currency) => {
          expect(toMinor(fromMinor(minor, currency))).toBe(minor);
        },
      ),
    );
  });

  it('never pick up binary noise: 0.1 + 0.2 is 0.30', () => {
    const sum =
      toMinor(MoneyInput.parse({ amount: 0.1, currency: 'USD' })) +
      toMinor(MoneyInput.parse({ amount: 0.2, currency: 'USD' }));
    expect(fromMinor(sum, 'USD').amount).toBe('0.30');
  });
});

describe('rounding half to even', () => {
  it('rounds halves to the even neighbour and everything else to the nearest', () => {
    expect([5n, 15n, 25n, -5n, -15n, 14n, 16n].map((n) => divideHalfEven(n, 10n))).toEqual([
      0n,
      2n,
      2n,
      0n,
      -2n,
      1n,
      2n,
    ]);
  });

  it('is within half a unit of the exact quotient', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        (n, d) => {
          const q = divideHalfEven(n, d);
          const diff = n - q * d;
          expect(2n * (diff < 0n ? -diff : diff) <= d).toBe(true);
        },
      ),
    );
  });
});

describe('conversion to the reporting currency', () => {
  it('uses the rate in force on the day, from the config, never a lookup', () => {
    expect(rateOn(rates, 'AED', '2026-06-30')).toBe('1.02');
    expect(rateOn(rates, 'AED', '2026-07-01')).toBe('1.021');
    expect(rateOn(rates, 'SAR', '2020-01-01')).toBe('1');
    expect(rateOn(rates, 'USD', '2025-12-31')).toBeUndefined();
    expect(rateOn(rates, 'EUR', '2026-07-01')).toBeUndefined();
  });

  it('converts exactly and rounds half to even in the reporting currency', () => {
    const sar = (amount: string, currency: string, day = '2026-08-01') =>
      fromMinor(toReporting({ amount, currency }, rates, day) ?? -1n, 'SAR').amount;
    expect(sar('100.00', 'USD')).toBe('375.00');
    expect(sar('0.01', 'USD')).toBe('0.04');
    expect(sar('1.250', 'KWD')).toBe('15.25');
    expect(sar('450000000', 'IRR')).toBe('40185.00');
    expect(sar('0.05', 'AED')).toBe('0.05');
    expect(toReporting({ amount: '1.00', currency: 'EUR' }, rates, '2026-08-01')).toBeUndefined();
  });
});
