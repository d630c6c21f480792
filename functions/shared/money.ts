import * as z from './zod.ts';

/**
 * Money, exactly: an amount is a decimal string in its currency's minor units (SAR 12500.00, KWD 1.250, IRR
 * 450000000), computed on as BigInt minor units, never as a float. The number of minor digits is the one CLDR
 * gives (Intl), the same the dashboard formats with.
 */

// ICU's currency list, read on the first check rather than at every cold start.
let known: Set<string> | undefined;
function isKnownCurrency(code: string): boolean {
  known ??= new Set(Intl.supportedValuesOf('currency'));
  return known.has(code);
}

export const CurrencyCode = z
  .string()
  .check(
    z.regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as SAR'),
    z.refine(isKnownCurrency, 'not an ISO 4217 currency'),
  );
export type CurrencyCode = z.infer<typeof CurrencyCode>;

/** Minor digits of a currency (SAR 2, KWD 3, IRR 0 as CLDR has it). */
export function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/** An amount as people write it: a non-negative decimal, at most 15 whole digits. */
const DECIMAL = /^\d{1,15}(\.\d+)?$/;

/** A stored amount: the decimal written out to the currency's digits (`12500.00 SAR`). */
export const Money = z.object({ amount: z.string().check(z.regex(DECIMAL)), currency: CurrencyCode });
export type Money = z.infer<typeof Money>;

/**
 * A lead's value as stored: the amount as given, and `reported`, the same in the reporting currency at the rate
 * in force the day it was set. Reports add and take away `reported`, so a value counted once is taken away
 * exactly, whatever rates the config gains later.
 */
export const Valued = z.extend(Money, { reported: z.string().check(z.regex(/^-?\d+(\.\d+)?$/)) });
export type Valued = z.infer<typeof Valued>;

/**
 * An amount as the API takes it: a JSON number (12500) or a decimal string ("12500.50"), in a currency, with no
 * more decimals than the currency has. Normalised to the currency's digits.
 */
export const MoneyInput = z.pipe(
  z.object({
    amount: z.union([
      z.number().check(z.nonnegative(), z.lte(1e15)),
      z.string().check(z.trim(), z.regex(DECIMAL, 'a decimal amount such as 12500.50')),
    ]),
    currency: CurrencyCode,
  }),
  z.transform((input, ctx) => {
    const text = typeof input.amount === 'number' ? numberText(input.amount) : input.amount;
    const digits = minorDigits(input.currency);
    const decimals = text.split('.')[1]?.length ?? 0;
    if (decimals > digits) {
      ctx.issues.push({
        code: 'custom',
        input,
        path: ['amount'],
        message: `${input.currency} has ${digits} decimal${digits === 1 ? '' : 's'}; ${String(input.amount)} has more`,
      });
      return z.NEVER;
    }
    return fromMinor(toMinorText(text, digits), input.currency);
  }),
);

/** A JSON number as its shortest decimal text (12500, 99.5); one written with an exponent (1e21) in full. */
function numberText(n: number): string {
  const text = String(n);
  return /e/i.test(text) ? n.toFixed(0) : text;
}

function toMinorText(text: string, digits: number): bigint {
  const [whole = '0', fraction = ''] = text.split('.');
  return (
    BigInt(whole) * 10n ** BigInt(digits) + BigInt((fraction.padEnd(digits, '0') || '0').slice(0, digits))
  );
}

/** The amount in minor units (12500.00 SAR → 1250000n). */
export function toMinor(money: Money): bigint {
  return toMinorText(money.amount, minorDigits(money.currency));
}

/** Minor units back to a stored amount (1250000n SAR → 12500.00). */
export function fromMinor(minor: bigint, currency: string): Money {
  const digits = minorDigits(currency);
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const unit = 10n ** BigInt(digits);
  const whole = abs / unit;
  const fraction = (abs % unit).toString().padStart(digits, '0');
  return {
    amount: `${negative ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`,
    currency,
  };
}

/** A positive decimal rate as a fraction of BigInts (3.7500 → 37500 / 10000). */
function rateFraction(rate: string): { numerator: bigint; denominator: bigint } {
  const [whole = '0', fraction = ''] = rate.split('.');
  return { numerator: BigInt(`${whole}${fraction}`), denominator: 10n ** BigInt(fraction.length) };
}

/** Rounds numerator / denominator to an integer, half to even (banker's rounding: no drift over many sums). */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  let quotient = n / d;
  const twice = (n % d) * 2n;
  if (twice > d || (twice === d && quotient % 2n === 1n)) quotient += 1n;
  return negative ? -quotient : quotient;
}

/** One currency's rates to the reporting currency, each from a day on (units of reporting currency per unit). */
export const DatedRate = z.object({
  from: z.iso.date(),
  rate: z.string().check(z.regex(/^\d{1,12}(\.\d{1,12})?$/, 'a decimal rate such as 3.75')),
});
export type DatedRate = z.infer<typeof DatedRate>;

/** The config's `money` section, as conversion needs it. */
export type Rates = { reportingCurrency: string; rates: Readonly<Record<string, readonly DatedRate[]>> };

/** The rate in force on a day: the latest `from` not after it; undefined when none is (or no rate is set). */
export function rateOn(rates: Rates, currency: string, day: string): string | undefined {
  if (currency === rates.reportingCurrency) return '1';
  const dated = Object.hasOwn(rates.rates, currency) ? rates.rates[currency] : undefined;
  return [...(dated ?? [])].sort((a, b) => b.from.localeCompare(a.from)).find((r) => r.from <= day)?.rate;
}

/**
 * The amount in the reporting currency's minor units, at the rate in force on `day` (fixed, dated rates from
 * the config; never a lookup), rounded half to even; undefined when the config has no rate for it then.
 */
export function toReporting(money: Money, rates: Rates, day: string): bigint | undefined {
  const rate = rateOn(rates, money.currency, day);
  if (rate === undefined) return undefined;
  const { numerator, denominator } = rateFraction(rate);
  const shift = minorDigits(rates.reportingCurrency) - minorDigits(money.currency);
  const scaled = toMinor(money) * numerator * (shift > 0 ? 10n ** BigInt(shift) : 1n);
  return divideHalfEven(scaled, denominator * (shift < 0 ? 10n ** BigInt(-shift) : 1n));
}

/**
 * An amount as a person types it in a form: Arabic-Indic and Persian digits, the Arabic decimal and thousands
 * separators, spaces and commas between thousands, made a plain decimal (١٢٬٥٠٠٫٥٠ → 12500.50).
 */
export function typedAmount(text: string): string {
  return text
    .trim()
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/\u066b/g, '.')
    .replace(/[\u066c,\s]/g, '');
}
