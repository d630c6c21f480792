import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a rep can answer with a WhatsApp button: Called (contacted), Call later, Not mine. */
export const REPLIES = { c: 'contacted', l: 'later', n: 'decline' } as const;
export type Reply = (typeof REPLIES)[keyof typeof REPLIES];

export type ReplyGrant = { reply: Reply; leadId: string; repId: string; assignmentAt: string };

const CODES = Object.fromEntries(Object.entries(REPLIES).map(([code, reply]) => [reply, code])) as Record<
  Reply,
  string
>;

const mac = (body: string, key: string) =>
  createHmac('sha256', key).update(`whatsapp-reply:${body}`).digest('base64url').slice(0, 22);

/**
 * A quick-reply button's payload: the answer, the lead, the rep and the assignment it was sent for, signed
 * (128 bits of HMAC-SHA256), short enough for a button and readable in a log without any personal data.
 */
export function signReply(grant: ReplyGrant, key: string): string {
  const at = Date.parse(grant.assignmentAt).toString(36);
  const body = `lp1.${CODES[grant.reply]}.${grant.leadId}.${grant.repId}.${at}`;
  return `${body}.${mac(body, key)}`;
}

/** The grant a payload carries, when its signature holds (compared in constant time); undefined otherwise. */
export function verifyReply(payload: string, key: string): ReplyGrant | undefined {
  const parts = payload.split('.');
  if (parts.length !== 6 || parts[0] !== 'lp1') return undefined;
  const [, code, leadId, repId, at, signature] = parts;
  const body = parts.slice(0, 5).join('.');
  const given = Buffer.from(signature ?? '');
  const wanted = Buffer.from(mac(body, key));
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return undefined;
  const reply = REPLIES[code as keyof typeof REPLIES];
  const ms = Number.parseInt(at ?? '', 36);
  if (reply === undefined || !leadId || !repId || !Number.isFinite(ms)) return undefined;
  return { reply, leadId, repId, assignmentAt: new Date(ms).toISOString() };
}
