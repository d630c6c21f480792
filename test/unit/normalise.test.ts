import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchingKey, normaliseEmail, normalisePhone } from '../../functions/shared/normalise.ts';

describe('phone numbers', () => {
  it.each([
    ['+98 912 345 6789', [], '+989123456789'],
    ['۰۹۱۲۳۴۵۶۷۸۹', ['IR'], '+989123456789'],
    ['+۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹', [], '+989123456789'],
    ['٠٥٠١٢٣٤٥٦٧', ['SA'], '+966501234567'],
    ['+20 10 1234 5678', [], '+201012345678'],
    ['00971501234567', ['SA'], '+971501234567'],
    ['00971501234567', [], '+971501234567'],
    ['(050) 123-4567', ['AE'], '+971501234567'],
    ['(050) 123-4567', ['SA'], '+966501234567'],
    ['\u200f+966 50 123 4567', [], '+966501234567'],
    ['\u2066+966 50 123 4567\u2069', [], '+966501234567'],
    ['\u202a+966 50 123 4567\u202c', [], '+966501234567'],
    ['٠٠٩٦٦٥٠١٢٣٤٥٦٧', ['SA'], '+966501234567'],
    ['966501234567', ['SA'], '+966501234567'],
    ['+9660501234567', [], '+966501234567'],
  ])('reads %j (defaults %j) as %s', (raw, countries, e164) => {
    expect(normalisePhone(raw, countries)?.e164).toBe(e164);
  });

  it('tries the default countries in order and keeps the first valid reading', () => {
    // 0501234567 is not an Iranian number, so a campaign aimed at Iran falls through to the form's Saudi default.
    expect(normalisePhone('0501234567', ['IR', 'SA'])).toEqual({
      e164: '+966501234567',
      country: 'SA',
      type: 'MOBILE',
    });
    expect(normalisePhone('0501234567', ['AE', 'SA'])?.country).toBe('AE');
  });

  it('never keys an invalid number, such as a US reading of a number with a 00 prefix', () => {
    expect(normalisePhone('0501234567', ['IR'])).toBeUndefined();
    expect(normalisePhone('٠٥٠١٢٣٤٥٦٧', [])).toBeUndefined();
    expect(normalisePhone('12345', ['SA'])).toBeUndefined();
    expect(normalisePhone('', ['SA'])).toBeUndefined();
  });

  it('reads Arabic-Indic, Persian and ASCII digits of any valid number alike', () => {
    const toArabic = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)));
    const toPersian = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
    fc.assert(
      fc.property(
        fc.constantFrom('SA', 'AE', 'IR', 'EG'),
        fc.integer({ min: 0, max: 9_999_999 }),
        (country, n) => {
          const prefixes = { SA: '05', AE: '05', IR: '091', EG: '010' } as const;
          const national = `${prefixes[country]}${String(n).padStart(country === 'IR' ? 8 : country === 'EG' ? 8 : 8, '0')}`;
          const ascii = normalisePhone(national, [country])?.e164;
          expect(normalisePhone(toArabic(national), [country])?.e164).toBe(ascii);
          expect(normalisePhone(toPersian(national), [country])?.e164).toBe(ascii);
          expect(normalisePhone(`\u200f${national}\u200e`, [country])?.e164).toBe(ascii);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives a valid number the same key however it is written: national, international, 00 or E.164', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_999_999 }), (n) => {
        const subscriber = `5${String(n).padStart(8, '0')}`;
        const key = normalisePhone(`0${subscriber}`, ['SA'])?.e164;
        if (key === undefined) return;
        expect(normalisePhone(`+966${subscriber}`)?.e164).toBe(key);
        expect(normalisePhone(`00966 ${subscriber}`)?.e164).toBe(key);
        expect(
          normalisePhone(`+966 ${subscriber.slice(0, 2)} ${subscriber.slice(2, 5)} ${subscriber.slice(5)}`)
            ?.e164,
        ).toBe(key);
      }),
      { numRuns: 300 },
    );
  });
});

describe('email addresses', () => {
  it('trims spaces and bidi marks and lowercases', () => {
    expect(normaliseEmail('  Sara.Ahmed@Company.AE\u200f ')?.key).toBe('sara.ahmed@company.ae');
  });

  it('folds dots and +tags on Gmail only, where they name the same mailbox', () => {
    expect(normaliseEmail('Ali.Reza+fb@GMAIL.com')?.key).toBe('alireza@gmail.com');
    expect(normaliseEmail('ali.reza@googlemail.com')?.key).toBe('alireza@gmail.com');
    expect(normaliseEmail('sara.ahmed+lead@outlook.com')?.key).toBe('sara.ahmed+lead@outlook.com');
    expect(normaliseEmail('Sara.Ahmed@Company.AE')?.key).toBe('sara.ahmed@company.ae');
  });

  it('puts international domains in ASCII', () => {
    expect(normaliseEmail('user@مثال.السعودية')?.key).toBe('user@xn--mgbh0fb.xn--mgberp4a5d4ar');
  });

  it('knows role addresses and free mailbox providers', () => {
    expect(normaliseEmail('Info@Company.sa')).toMatchObject({ role: true, free: false });
    expect(normaliseEmail('sara@hotmail.com')).toMatchObject({ role: false, free: true });
    expect(normaliseEmail('sara@company.sa')).toMatchObject({
      role: false,
      free: false,
      domain: 'company.sa',
    });
  });

  it('is idempotent: a key normalises to itself', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const key = normaliseEmail(email)?.key;
        if (key === undefined) return;
        expect(normaliseEmail(key)?.key).toBe(key);
      }),
    );
  });
});

describe('name matching keys', () => {
  it.each([
    ['علي', 'على', 'علی'],
    ['فاطمة', 'فاطمه'],
    ['أحمد', 'احمد', 'إحمد'],
    ['إبراهيم', 'ابراهيم'],
    ['آمنة', 'امنه'],
    ['مُحَمَّد', 'مـحـمـد', 'محمد'],
    ['كريم', 'کریم'],
    ['عبد الله', 'عبدالله'],
    ['زهرا\u200cسادات', 'زهرا سادات'],
    ['\u202bخالد\u202c\u200f', 'خالد'],
    ['ﻋﻠﻲ', 'علي'],
    ['José Nuñez', 'jose nunez'],
    ['Ali Reza', 'alireza'],
    ['محمد ٣', 'محمد ۳', 'محمد 3'],
  ])('folds %s and its variants to one key', (...variants) => {
    expect(new Set(variants.map(matchingKey)).size).toBe(1);
  });

  it('keeps different names apart', () => {
    expect(matchingKey('علي')).not.toBe(matchingKey('عمر'));
    expect(matchingKey('Sara')).not.toBe(matchingKey('Sarah'));
  });

  it('is idempotent and never contains spaces or marks', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (name) => {
        const key = matchingKey(name);
        if (key === undefined) return;
        expect(matchingKey(key)).toBe(key);
        expect(key).not.toMatch(/[\s\u0640\u064b-\u065f\u200b-\u200f]/);
      }),
    );
  });
});
