import { z } from 'zod';
import { HttpError } from '../shared/errors.ts';
import type { Lead, LeadStatus, StatusChange } from '../shared/lead.ts';

/** What a rep (from an email action) or ops reports about a lead. */
export const StatusEvent = z
  .strictObject({
    type: z.enum(['contacted', 'qualified', 'won', 'lost']),
    by: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[^\r\n]*$/, 'one line'),
    reason: z.string().trim().max(500).optional(),
    competitor: z.string().trim().max(200).optional(),
  })
  .refine((e) => e.type !== 'lost' || (e.reason !== undefined && e.reason !== ''), {
    message: 'a lost lead needs a reason',
    path: ['reason'],
  });
export type StatusEvent = z.infer<typeof StatusEvent>;

/** The pipeline of the source documents: new → contacted → qualified → won/lost (lost from any open state). */
const NEXT: Record<LeadStatus, readonly LeadStatus[]> = {
  new: ['contacted', 'qualified', 'won', 'lost'],
  unassigned: ['contacted', 'qualified', 'won', 'lost'],
  assigned: ['contacted', 'qualified', 'won', 'lost'],
  contacted: ['qualified', 'won', 'lost'],
  qualified: ['won', 'lost'],
  won: [],
  lost: [],
};

const CONTACT: readonly LeadStatus[] = ['contacted', 'qualified', 'won'];

export type StatusUpdate = {
  status: LeadStatus;
  change: StatusChange;
  /** Set on the first contact only: it stops the speed-to-lead clock. */
  firstContactAt?: string;
};

/**
 * The change an event makes, or undefined when the lead is in that status already (a repeated click changes
 * nothing). A step backwards, or any step from won or lost, is refused with 409.
 */
export function applyStatusEvent(lead: Lead, event: StatusEvent, now: Date): StatusUpdate | undefined {
  if (lead.status === event.type) return undefined;
  if (!NEXT[lead.status].includes(event.type)) {
    throw new HttpError(409, 'status_not_allowed', `A ${lead.status} lead cannot become ${event.type}.`);
  }
  const at = now.toISOString();
  return {
    status: event.type,
    change: {
      status: event.type,
      at,
      by: event.by,
      ...(event.reason ? { reason: event.reason.replace(/[\r\n]+/g, ' ') } : {}),
      ...(event.competitor ? { competitor: event.competitor } : {}),
    },
    ...(lead.firstContactAt === undefined && CONTACT.includes(event.type) ? { firstContactAt: at } : {}),
  };
}
