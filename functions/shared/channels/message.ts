import { Channel, NOTICE_KINDS } from '../channel-config.ts';
import * as z from '../zod.ts';

/** Delivery as the channel reports it later (WhatsApp's statuses); a status never goes back down this order. */
export const DELIVERY = ['sent', 'delivered', 'read'] as const;
export const DeliveryStatus = z.enum([...DELIVERY, 'failed']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/**
 * One message to a rep, a manager or a team, on one channel: what the lead's timeline shows (which channel
 * reached the person, which failed and why). Kept in the lead's workspace; no address or text in it.
 */
export const ChannelMessage = z.object({
  id: z.string(),
  leadId: z.string(),
  notice: z.enum([...NOTICE_KINDS, 'team']),
  channel: Channel,
  /** `rep:<id>`, `manager:<pool>` or `team:<pool>`: who, never the number or the address. */
  to: z.string(),
  at: z.iso.datetime(),
  /**
   * sent: the channel took it; failed: it refused (the next channel was tried); skipped: no address on it;
   * unknown: the request went out and no answer came back, so it may have reached the person: never sent again,
   * and the next channel was tried.
   */
  outcome: z.enum(['sent', 'failed', 'skipped', 'unknown']),
  /** The channel's own id: SES message id, WhatsApp wamid, End User Messaging MessageId. */
  externalId: z.optional(z.string()),
  status: z.optional(DeliveryStatus),
  statusAt: z.optional(z.iso.datetime()),
  /**
   * A failed try whose notice then reached the person on this later channel: it is never tried again, so a
   * redelivered notice does not tell them twice on two channels.
   */
  reachedBy: z.optional(Channel),
  /** Why it failed or was skipped (an error code and hint, never the text). */
  detail: z.optional(z.string().check(z.maxLength(500))),
});
export type ChannelMessage = z.infer<typeof ChannelMessage>;

/** Whether a reported status moves the message on: sent → delivered → read; failed from any but read. */
export function statusAdvances(current: DeliveryStatus | undefined, next: DeliveryStatus): boolean {
  if (current === undefined) return true;
  if (current === 'failed' || current === 'read') return false;
  if (next === 'failed') return true;
  return DELIVERY.indexOf(next) > DELIVERY.indexOf(current as (typeof DELIVERY)[number]);
}
