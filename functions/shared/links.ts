import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from './zod.ts';

/** What a rep can do from the assignment email: a status, or `later` (plan a call back at a time they pick). */
export const ACTIONS = ['contacted', 'qualified', 'won', 'lost', 'later'] as const;
export type Action = (typeof ACTIONS)[number];

const Payload = z.object({
  l: z.string(),
  a: z.enum(ACTIONS),
  r: z.string(),
  e: z.number().check(z.int()),
  /** The assignment the link was mailed for: it acts only while that assignment is the lead's current one. */
  s: z.optional(z.string()),
});
export type ActionGrant = {
  leadId: string;
  action: Action;
  repId: string;
  expiresAt: number;
  assignmentAt?: string;
};

function mac(payload: string, key: string): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

/** A token for one action on one lead by one rep, until `expiresAt` (epoch seconds): HMAC-SHA256 signed. */
export function signAction(grant: ActionGrant, key: string): string {
  const payload = Buffer.from(
    JSON.stringify({
      l: grant.leadId,
      a: grant.action,
      r: grant.repId,
      e: grant.expiresAt,
      ...(grant.assignmentAt ? { s: grant.assignmentAt } : {}),
    }),
  ).toString('base64url');
  return `${payload}.${mac(payload, key).toString('base64url')}`;
}

export type Verified = { ok: true; grant: ActionGrant } | { ok: false; why: 'invalid' | 'expired' };

/** Checks a token in constant time; a token for another lead or action is invalid, an old one expired. */
export function verifyAction(
  token: string,
  key: string,
  expected: { leadId: string; action: string },
  nowEpoch: number,
): Verified {
  const [payload, signature] = token.split('.');
  if (!payload || !signature) return { ok: false, why: 'invalid' };
  const given = Buffer.from(signature, 'base64url');
  const wanted = mac(payload, key);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return { ok: false, why: 'invalid' };
  let parsed: z.infer<typeof Payload>;
  try {
    parsed = Payload.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, why: 'invalid' };
  }
  if (parsed.l !== expected.leadId || parsed.a !== expected.action) return { ok: false, why: 'invalid' };
  if (parsed.e < nowEpoch) return { ok: false, why: 'expired' };
  return {
    ok: true,
    grant: {
      leadId: parsed.l,
      action: parsed.a,
      repId: parsed.r,
      expiresAt: parsed.e,
      ...(parsed.s ? { assignmentAt: parsed.s } : {}),
    },
  };
}

export function actionUrl(baseUrl: string, grant: ActionGrant, key: string): string {
  return `${baseUrl.replace(/\/$/, '')}/v1/leads/${encodeURIComponent(grant.leadId)}/actions/${grant.action}?token=${signAction(grant, key)}`;
}

/** An unsubscribe link never expires (people open old mail); it names the lead, never the address. */
export function signUnsubscribe(leadId: string, key: string): string {
  return mac(`unsubscribe:${leadId}`, key).toString('base64url');
}

export function verifyUnsubscribe(leadId: string, token: string, key: string): boolean {
  const given = Buffer.from(token, 'base64url');
  const wanted = mac(`unsubscribe:${leadId}`, key);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export function unsubscribeUrl(baseUrl: string, leadId: string, key: string): string {
  return `${baseUrl.replace(/\/$/, '')}/v1/unsubscribe?lead=${encodeURIComponent(leadId)}&token=${signUnsubscribe(leadId, key)}`;
}
