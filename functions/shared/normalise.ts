import { domainToASCII } from 'node:url';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { stripBidiMarks } from './text.ts';
import * as z from './zod.ts';

export type NormalisedPhone = {
  e164: string;
  country?: string;
  /** libphonenumber's type: MOBILE, FIXED_LINE, FIXED_LINE_OR_MOBILE, VOIP… */
  type?: string;
};

/**
 * E.164 for a valid number, else undefined. Reads Arabic-Indic and Persian digits, bidi marks and `00`
 * prefixes; national formats (0501234567) are tried against each default country in order, and the first
 * country under which the number is valid wins; then the number as international. An invalid number never
 * becomes a key.
 */
export function normalisePhone(
  raw: string | undefined,
  defaultCountries: readonly string[] = [],
): NormalisedPhone | undefined {
  return readPhone(raw, defaultCountries, parsePhoneNumberFromString);
}

/**
 * `normalisePhone` with the libphonenumber build given: the full metadata (`max`) tells a mobile from a landline
 * and stores the keys; search reads typed numbers with `min` (half the size, lengths checked, no types), so
 * the ops bundle carries no `max` metadata. Search only looks keys up: a reading `max` would refuse finds nothing.
 */
export function readPhone(
  raw: string | undefined,
  defaultCountries: readonly string[],
  parse: typeof parsePhoneNumberFromString,
): NormalisedPhone | undefined {
  if (raw === undefined) return undefined;
  const cleaned = stripBidiMarks(raw)
    .trim()
    .replace(/^(00|٠٠|۰۰)/, '+');
  if (cleaned === '') return undefined;
  // National readings first; then, for digits that do not start with a trunk 0, the international reading of
  // a number typed with its country code but no + (1-650-555-0123, 971501234567).
  const attempts: { text: string; country?: string }[] = cleaned.startsWith('+')
    ? [{ text: cleaned }]
    : [
        ...defaultCountries.map((country) => ({ text: cleaned, country })),
        ...(/^[(\s]*[1-9١-٩۱-۹]/.test(cleaned) ? [{ text: `+${cleaned}` }] : []),
      ];
  for (const { text, country } of attempts) {
    const parsed = parse(text, {
      ...(country ? { defaultCountry: country as CountryCode } : {}),
      extract: false,
    });
    if (parsed?.isValid()) {
      const type = parsed.getType();
      return {
        e164: parsed.number,
        ...(parsed.country ? { country: parsed.country } : {}),
        ...(type ? { type } : {}),
      };
    }
  }
  return undefined;
}

const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/** Addresses that belong to a role, not a person: they never merge two leads by themselves. */
const ROLE_LOCAL_PARTS = new Set([
  'info',
  'sales',
  'admin',
  'contact',
  'support',
  'hello',
  'office',
  'team',
  'marketing',
  'billing',
  'hr',
  'careers',
  'jobs',
  'enquiries',
  'inquiries',
  'noreply',
  'no-reply',
  'webmaster',
  'postmaster',
]);

/** Free mailbox providers: a lead on one of these did not write from a company address. */
const FREE_PROVIDERS = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'ymail.com',
  'hotmail.com',
  'outlook.com',
  'live.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'mail.com',
  'yandex.com',
  'yandex.ru',
  'mail.ru',
  'zoho.com',
  'chmail.ir',
  'yahoo.co.uk',
  'hotmail.co.uk',
]);

export type NormalisedEmail = {
  /** The matching key: lowercased, bidi marks and spaces gone, IDN domains in ASCII, Gmail dots and +tags folded. */
  key: string;
  domain: string;
  role: boolean;
  free: boolean;
};

const EmailAddress = z.email();

/** The same rule web forms apply (zod's email), after bidi marks and surrounding spaces are dropped. */
export function isEmailAddress(raw: string): boolean {
  return EmailAddress.safeParse(stripBidiMarks(raw).trim()).success;
}

export function normaliseEmail(raw: string | undefined): NormalisedEmail | undefined {
  if (raw === undefined) return undefined;
  const cleaned = stripBidiMarks(raw).normalize('NFC').replace(/\s+/g, '').toLowerCase();
  const at = cleaned.lastIndexOf('@');
  if (at <= 0 || at === cleaned.length - 1) return undefined;
  let local = cleaned.slice(0, at);
  let domain = domainToASCII(cleaned.slice(at + 1));
  if (domain === '') return undefined;
  // Gmail ignores dots and +tags, so they name one mailbox; on other domains they may be significant.
  if (GMAIL_DOMAINS.has(domain)) {
    local = local.replace(/\+.*$/, '').replaceAll('.', '');
    domain = 'gmail.com';
  }
  if (local === '') return undefined;
  return {
    key: `${local}@${domain}`,
    domain,
    role: ROLE_LOCAL_PARTS.has(local),
    free: FREE_PROVIDERS.has(domain),
  };
}

// Letters that Arabic and Persian keyboards write differently for the same name.
const FOLD: Record<string, string> = {
  آ: 'ا',
  أ: 'ا',
  إ: 'ا',
  ٱ: 'ا',
  ى: 'ي',
  ی: 'ي',
  ې: 'ي',
  ے: 'ي',
  ک: 'ك',
  ة: 'ه',
  ۀ: 'ه',
  ہ: 'ه',
  ە: 'ه',
};
const FOLD_PATTERN = new RegExp(`[${Object.keys(FOLD).join('')}]`, 'g');
// Tatweel, harakat (U+064B–065F), superscript alef, Quranic marks; bidi controls, ZWJ and ZWNJ.
const DROP = /[\u0640\u064b-\u065f\u0670\u06d6-\u06ed\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * A matching key for names and cities: NFKC, Arabic/Persian letter variants folded, diacritics, tatweel and
 * joiners dropped, digits made ASCII, Latin lowercased without accents, and no spaces (so عبد الله and
 * عبدالله, زهرا‌سادات and زهرا سادات, Ali Reza and Alireza meet). Display values are never changed.
 */
export function matchingKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  // Marks come off before letters are folded: ۓ decomposes to ے + hamza, and ے must then fold to ي.
  const key = raw
    .normalize('NFKC')
    .replace(DROP, '')
    .toLocaleLowerCase('und')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(FOLD_PATTERN, (c) => FOLD[c] ?? c)
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[^\p{L}\p{N}]+/gu, '');
  return key === '' ? undefined : key;
}
