import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.ts';

/** Constant-time equality of two secrets of any length (the length itself is not hidden). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Meta's subscription handshake: echo `hub.challenge` when the verify token matches. */
export function answerChallenge(query: Record<string, string | undefined>, verifyToken: string): string {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'] ?? '';
  const challenge = query['hub.challenge'];
  if (mode !== 'subscribe' || challenge === undefined || !secretsEqual(token, verifyToken)) {
    throw new HttpError(403, 'verification_failed', 'The verify token does not match this leadpipe.');
  }
  return challenge;
}

/**
 * `X-Hub-Signature-256: sha256=<hex>` is HMAC-SHA256 of the raw body with the app secret. It is checked on
 * the exact bytes received (Meta signs its own escaped-unicode serialisation), in constant time.
 */
export function verifySignature(rawBody: Buffer, header: string | undefined, appSecret: string): void {
  if (header === undefined || header.trim() === '')
    throw new HttpError(401, 'missing_signature', 'The X-Hub-Signature-256 header is missing.');
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  const given = match?.[1] ? Buffer.from(match[1], 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(401, 'invalid_signature', 'The X-Hub-Signature-256 header does not match the body.');
  }
}
