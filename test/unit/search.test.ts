import fc from 'fast-check';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import mobileExamples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import { normalisePhone } from '../../functions/shared/normalise.ts';
import { nameMatches, nameTokens, parseSearch, searchTermsOf } from '../../functions/shared/search.ts';
import { lead } from '../support/factories.ts';

describe('search terms of a lead', () => {
  it('are its email key, its E.164 phone and the folded tokens of its name', () => {
    const stored = lead({
      contact: { name: 'Sara Al-Ahmadi', email: 'Sara.Ahmadi@Example.com', phone: '050 123 4567' },
      keys: { email: 'sara.ahmadi@example.com', phone: '+966501234567' },
      phoneE164: '+966501234567',
    });
    expect(searchTermsOf(stored)).toEqual([
      { kind: 'email', value: 'sara.ahmadi@example.com' },
      { kind: 'phone', value: '+966501234567' },
      { kind: 'name', value: 'sara', bucket: 'sa' },
      { kind: 'name', value: 'al', bucket: 'al' },
      { kind: 'name', value: 'ahmadi', bucket: 'ah' },
    ]);
  });

  it('fold Arabic and Persian spellings of one name alike', () => {
    expect(nameTokens('علی کریمی')).toEqual(nameTokens('علي كريمي'));
    expect(nameTokens('فاطمة')).toEqual(nameTokens('فاطمه'));
    expect(nameTokens('مُحَمَّد')).toEqual(nameTokens('محمد'));
  });
});

describe('a typed search', () => {
  const countries = ['SA', 'IR', 'AE'];

  it('reads an address as an email key, in any case', () => {
    expect(parseSearch('  SARA.Ahmadi@EXAMPLE.com ', countries)).toEqual({
      emails: ['sara.ahmadi@example.com'],
      phones: [],
      names: [],
    });
  });

  it('reads a number in Persian, Arabic-Indic or Latin digits, national or international, in each country', () => {
    const persian = parseSearch('۰۹۱۲ ۱۲۳ ۴۵۶۷', countries);
    expect(persian.phones).toContain('+989121234567');
    const arabic = parseSearch('٠٥٠١٢٣٤٥٦٧', countries);
    expect(arabic.phones).toContain('+966501234567');
    expect(parseSearch('+966 50 123 4567', countries).phones).toEqual(['+966501234567']);
    expect(parseSearch('00966501234567', countries).phones).toEqual(['+966501234567']);
  });

  it('finds every stored phone key from the number typed as its owner would, in each of 245 countries', () => {
    // libphonenumber's own example mobile number for every country, typed in national and in international
    // format: the search reads it (with the smaller `min` metadata) as the key scoring stored (with `max`).
    const missed = Object.entries(mobileExamples).flatMap(([country, national]) => {
      const stored = normalisePhone(national, [country]);
      const parsed = parsePhoneNumberFromString(national, country as CountryCode);
      if (stored === undefined || parsed === undefined) return [`${country}: example not valid under max`];
      // A search reads a number from 6 digits on: the 4- and 5-digit numbers of a few islands (Ascension,
      // Tokelau…) are found typed with their country code.
      const typings = [
        parsed.formatInternational(),
        ...(national.length >= 6 ? [parsed.formatNational()] : []),
      ];
      return typings.flatMap((typed) =>
        parseSearch(typed, [country]).phones.includes(stored.e164) ? [] : [`${country} ${typed}`],
      );
    });
    expect(Object.keys(mobileExamples).length).toBeGreaterThan(200);
    expect(missed).toEqual([]);
  });

  it('reads words as name tokens, and a name matches when every token starts one of its words', () => {
    const query = parseSearch('sar ahm', countries);
    expect(query.names).toEqual(['sar', 'ahm']);
    const sara = lead({ contact: { name: 'Sara Al-Ahmadi' } });
    expect(nameMatches(sara, query.names)).toBe(true);
    expect(nameMatches(sara, ['sar', 'kar'])).toBe(false);
  });

  it('finds any name by the start of any of its words, whatever the script', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', minLength: 2, maxLength: 12 }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat(),
        (words, pick) => {
          const name = words.join(' ');
          const tokens = nameTokens(name);
          fc.pre(tokens.length > 0);
          const token = tokens[pick % tokens.length] ?? '';
          const typed = [...token].slice(0, 2).join('');
          return nameMatches(lead({ contact: { name } }), [typed]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
