import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { stripBidiMarks } from '../shared/text.ts';

export type NormalisedPhone = { e164: string; country?: string };

/**
 * E.164 for a valid number, else undefined. Reads Arabic-Indic and Persian digits and `00` prefixes;
 * the default country decides national formats such as 0501234567.
 */
export function normalisePhone(
  raw: string | undefined,
  defaultCountry?: string,
): NormalisedPhone | undefined {
  if (raw === undefined) return undefined;
  const cleaned = stripBidiMarks(raw)
    .trim()
    .replace(/^00/, '+')
    .replace(/^\u0660\u0660|^\u06f0\u06f0/, '+');
  const parsed = parsePhoneNumberFromString(cleaned, {
    ...(defaultCountry ? { defaultCountry: defaultCountry as CountryCode } : {}),
    extract: false,
  });
  if (parsed === undefined || !parsed.isValid()) return undefined;
  return { e164: parsed.number, ...(parsed.country ? { country: parsed.country } : {}) };
}

/** The email matching key: trimmed (bidi marks too) and lowercased. */
export function normaliseEmail(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const cleaned = stripBidiMarks(raw).trim().toLowerCase();
  return cleaned.includes('@') ? cleaned : undefined;
}
