import { z } from 'zod';
import { HttpError } from '../shared/errors.ts';
import type { Lead, LeadStatus, StatusChange } from '../shared/lead.ts';

/** What a rep (from an email action, the dashboard or the API) or a manager reports about a lead. */
export const StatusEvent = z
  .strictObject({
    type: z.enum(['contacted', 'qualified', 'won', 'lost', 'disqualified']),
    by: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[^\r\n]*$/, 'one line'),
    reason: z.string().trim().max(500).optional(),
    competitor: z.string().trim().max(200).optional(),
  })
  .refine((e) => !['lost', 'disqualified'].includes(e.type) || (e.reason !== undefined && e.reason !== ''), {
    message: 'a lost or disqualified lead needs a reason',
    path: ['reason'],
  });
export type StatusEvent = z.infer<typeof StatusEvent>;

const OUTCOMES = ['won', 'lost', 'disqualified'] as const;

/**
 * The pipeline of the source documents: new → contacted → qualified → won, with lost and disqualified from any
 * open state. The three outcomes are final.
 */
const NEXT: Record<LeadStatus, readonly LeadStatus[]> = {
  new: ['contacted', 'qualified', ...OUTCOMES],
  unassigned: ['contacted', 'qualified', ...OUTCOMES],
  assigned: ['contacted', 'qualified', ...OUTCOMES],
  contacted: ['qualified', ...OUTCOMES],
  qualified: OUTCOMES,
  won: [],
  lost: [],
  disqualified: [],
};

const CONTACT: readonly LeadStatus[] = ['contacted', 'qualified', 'won'];

export type StatusUpdate = {
  status: LeadStatus;
  change: StatusChange;
  /** Set on the first contact only: it stops the speed-to-lead clock. */
  firstContactAt?: string;
};

/** When the lead entered its current status: its last change, else its assignment, else its creation. */
export function stageStart(lead: Lead): string {
  return lead.statusHistory.at(-1)?.at ?? lead.assignment?.at ?? lead.createdAt;
}

/**
 * The change an event makes, or undefined when the lead is in that status already (a repeated click changes
 * nothing). A step backwards, or any step from an outcome, is refused with 409; a disqualification needs one of
 * the configured reasons (400). The change records how long the lead spent in the status it leaves.
 */
export function applyStatusEvent(
  lead: Lead,
  event: StatusEvent,
  now: Date,
  disqualifyReasons: readonly string[],
): StatusUpdate | undefined {
  if (lead.status === event.type) return undefined;
  if (!NEXT[lead.status].includes(event.type)) {
    throw new HttpError(409, 'status_not_allowed', `A ${lead.status} lead cannot become ${event.type}.`);
  }
  if (event.type === 'disqualified' && !disqualifyReasons.includes(event.reason ?? ''))
    throw new HttpError(
      400,
      'unknown_reason',
      `A lead is disqualified for one of the configured reasons: ${disqualifyReasons.join(', ')}.`,
    );
  const at = now.toISOString();
  const stageMinutes = Math.max(0, (now.getTime() - Date.parse(stageStart(lead))) / 60_000);
  return {
    status: event.type,
    change: {
      status: event.type,
      at,
      by: event.by,
      ...(event.reason ? { reason: event.reason.replace(/[\r\n]+/g, ' ') } : {}),
      ...(event.competitor ? { competitor: event.competitor } : {}),
      from: lead.status,
      stageMinutes: Math.round(stageMinutes * 100) / 100,
    },
    ...(lead.firstContactAt === undefined && CONTACT.includes(event.type) ? { firstContactAt: at } : {}),
  };
}
