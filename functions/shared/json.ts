import { isSafeNumber, parse } from 'lossless-json';

/**
 * JSON.parse that never rounds: integers beyond 2^53 (Meta and Google ids) come back as their exact digits
 * in a string; every other number is a number.
 */
export function parseJsonLossless(text: string): unknown {
  return parse(text, null, (digits: string) => (isSafeNumber(digits) ? Number(digits) : digits));
}
