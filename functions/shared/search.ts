import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { Config } from './config.ts';
import { displayName, type Lead } from './lead.ts';
import { matchingKey, normaliseEmail, readPhone } from './normalise.ts';

/**
 * Finding a lead by what a rep has in hand: the email (any case), the number that is calling (any digits, any
 * format), a name or its start. Each lead is written under search terms when it is stored; a search reads
 * those terms by key, never the table. Pure: terms in, terms out.
 */

/** A search term: an identity (email, E.164 phone) or a name token with the two characters it is filed under. */
export type SearchTerm =
  | { kind: 'email'; value: string }
  | { kind: 'phone'; value: string }
  | { kind: 'name'; value: string; bucket: string };

/** At most this many name tokens per lead (a long name is a few words; more is noise). */
const MAX_NAME_TOKENS = 8;

/** A name token is filed under its first two folded characters: a prefix query reads one partition. */
export const NAME_BUCKET_CHARS = 2;

/** The folded tokens of a name, each at least two characters, as duplicates are folded (ي/ی, ك/ک, ة/ه…). */
export function nameTokens(name: string | undefined): string[] {
  if (name === undefined) return [];
  const tokens = name
    .split(/[\s\p{P}\p{S}]+/u)
    .map((part) => matchingKey(part))
    .filter((t): t is string => t !== undefined && [...t].length >= NAME_BUCKET_CHARS);
  return [...new Set(tokens)].slice(0, MAX_NAME_TOKENS);
}

function bucketOf(token: string): string {
  return [...token].slice(0, NAME_BUCKET_CHARS).join('');
}

/** The terms a lead is found by: its email key, its E.164 phone, and each token of its name. */
export function searchTermsOf(lead: Pick<Lead, 'keys' | 'phoneE164' | 'contact'>): SearchTerm[] {
  return [
    ...(lead.keys.email ? [{ kind: 'email' as const, value: lead.keys.email }] : []),
    ...(lead.phoneE164 ? [{ kind: 'phone' as const, value: lead.phoneE164 }] : []),
    ...nameTokens(displayName(lead.contact)).map((value) => ({
      kind: 'name' as const,
      value,
      bucket: bucketOf(value),
    })),
  ];
}

/** The countries a typed national number may belong to: every country the config names for leads. */
export function searchCountries(config: Config): string[] {
  const countries = [
    config.normalisation.homeCountry,
    ...Object.values(config.normalisation.campaignCountries),
    ...Object.values(config.sources.forms).map((f) => f.defaultCountry),
    config.sources.facebook?.defaultCountry,
    config.sources.google?.defaultCountry,
  ];
  return [...new Set(countries.filter((c): c is string => c !== undefined))];
}

export type SearchQuery = {
  /** Identity lookups: an exact match ranks first. */
  emails: string[];
  phones: string[];
  /** Name tokens; the first is looked up by prefix, every one must prefix a token of the lead's name. */
  names: string[];
};

/**
 * What a typed query looks up: an email key when it looks like an address; every E.164 reading of it as a
 * phone number (national in each configured country, or international); and its name tokens.
 */
export function parseSearch(q: string, countries: readonly string[]): SearchQuery {
  const text = q.trim();
  const email = text.includes('@') ? normaliseEmail(text)?.key : undefined;
  const phones = new Set<string>();
  if (/[\d\u0660-\u0669\u06f0-\u06f9]{6,}/u.test(text.replace(/[\s().-]/g, ''))) {
    for (const country of [undefined, ...countries]) {
      const phone = readPhone(text, country ? [country] : [], parsePhoneNumberFromString);
      if (phone) phones.add(phone.e164);
    }
  }
  return {
    emails: email ? [email] : [],
    phones: [...phones],
    names: email || phones.size > 0 ? [] : nameTokens(text),
  };
}

/** True when every query token starts a token of the lead's name (so "sar ahm" finds Sara Ahmed). */
export function nameMatches(lead: Pick<Lead, 'contact'>, names: readonly string[]): boolean {
  const tokens = nameTokens(displayName(lead.contact));
  return names.every((n) => tokens.some((t) => t.startsWith(n)));
}

export function nameBucket(token: string): string {
  return bucketOf(token);
}
