import { safeKey } from './records.ts';

/** One-line contact values (names, cities) from the ad platforms are cut here; web forms refuse longer ones. */
export const LINE_MAX_CHARS = 300;

/**
 * A stable key for a platform's question id: lowercase letters, digits and `_` (`QUESTION_1` → `question_1`,
 * `What is your budget?` → `what_is_your_budget`), so a scoring rule can name it as `answers.<key>`. Letters
 * of any script are kept, so an Arabic question without an id still has a readable key.
 */
export function answerKey(id: string): string {
  const key = id
    .normalize('NFKC')
    .toLocaleLowerCase('und')
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 100);
  return safeKey(key === '' ? 'answer' : key);
}

/** A platform's submission time as an ISO instant, or undefined when it is absent or unreadable. */
export function isoTime(value: string | number | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  // Meta's webhooks send epoch seconds; Graph sends 2016-01-01T00:00:00+0000 (no colon in the offset).
  const date =
    typeof value === 'number'
      ? new Date(value * 1000)
      : new Date(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2').replace(' ', 'T'));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
