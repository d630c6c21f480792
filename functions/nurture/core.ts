import type { Config, NurtureSequence } from '../shared/config.ts';
import { isClosed, type Lead } from '../shared/lead.ts';
import type { NurtureStepTimer, SlaEscalationTimer, SlaReminderTimer } from '../shared/timers.ts';
import * as z from '../shared/zod.ts';

export type AssignmentNotice = {
  /** Stable per assignment, so a redelivered stream record sends nothing twice. */
  key: string;
  leadId: string;
  repId: string;
};

/**
 * A lead change that needs the assignment email: the owner is new or changed. Test leads never mail.
 */
export function assignmentNotice(before: Lead | undefined, after: Lead): AssignmentNotice | undefined {
  if (after.test || after.ownerId === undefined || after.assignment === undefined) return undefined;
  if (before?.ownerId === after.ownerId) return undefined;
  return {
    key: `assignment#${after.id}#${after.ownerId}#${after.assignment.at}`,
    leadId: after.id,
    repId: after.ownerId,
  };
}

/**
 * The first-contact clock of the lead's current assignment: its reminder. The escalation, when configured, is
 * started by the reminder when it finds no contact, so a lead contacted in time writes one timer, not two.
 */
export function slaTimers(lead: Lead): SlaReminderTimer[] {
  const assignment = lead.assignment;
  if (assignment?.sla === undefined || lead.firstContactAt !== undefined) return [];
  return [
    {
      leadId: lead.id,
      repId: assignment.repId,
      assignmentAt: assignment.at,
      id: `sla-reminder#${lead.id}#${assignment.at}`,
      kind: 'sla-reminder',
      dueAt: assignment.sla.dueAt,
    },
  ];
}

/** The escalation that follows a reminder which found no contact, when the assignment's SLA has one. */
export function slaEscalationTimer(lead: Lead, reminder: SlaReminderTimer): SlaEscalationTimer | undefined {
  const escalateAt = lead.assignment?.sla?.escalateAt;
  if (escalateAt === undefined || lead.assignment?.at !== reminder.assignmentAt) return undefined;
  return {
    leadId: lead.id,
    repId: reminder.repId,
    assignmentAt: reminder.assignmentAt,
    id: `sla-escalation#${lead.id}#${reminder.assignmentAt}`,
    kind: 'sla-escalation',
    dueAt: escalateAt,
  };
}

/**
 * Why an SLA timer has nothing left to do, or undefined when it must act: contact (or any later status) stops
 * the clock, and a new owner has a clock of their own.
 */
export function slaTimerMoot(lead: Lead, timer: SlaReminderTimer | SlaEscalationTimer): string | undefined {
  if (lead.firstContactAt !== undefined || lead.status !== 'assigned') return `lead is ${lead.status}`;
  if (lead.ownerId !== timer.repId || lead.assignment?.at !== timer.assignmentAt)
    return 'lead has a new owner';
  return undefined;
}

/** The address marketing mail goes to: the normalised one when valid, else none. */
export function marketingAddress(lead: Lead): string | undefined {
  return lead.keys.email;
}

export type Enrolment =
  | { enrolled: true; sequence: NurtureSequence; timer: NurtureStepTimer }
  | { enrolled: false; why: string };

/**
 * The sequence a new lead gets: the first whose segments and languages match and whose lawful basis the lead
 * meets (consent captured at ingest, when the sequence needs it). Test leads and leads without a valid email
 * get none.
 */
export function enrolment(lead: Lead, config: Config): Enrolment {
  if (lead.test) return { enrolled: false, why: 'test lead' };
  if (marketingAddress(lead) === undefined) return { enrolled: false, why: 'no valid email address' };
  const candidates = config.nurture.sequences.filter(
    (s) =>
      (s.segments.length === 0 || s.segments.some((segment) => lead.segments.includes(segment))) &&
      s.locales.includes(lead.locale),
  );
  if (candidates.length === 0) return { enrolled: false, why: 'no sequence for its segments and language' };
  const sequence = candidates.find(
    (s) => s.lawfulBasis === 'legitimate-interest' || lead.consent?.given === true,
  );
  if (sequence === undefined) return { enrolled: false, why: 'no consent to marketing email' };
  return { enrolled: true, sequence, timer: stepTimer(lead.id, sequence, 0, Date.parse(lead.receivedAt)) };
}

function stepTimer(
  leadId: string,
  sequence: NurtureSequence,
  step: number,
  fromMs: number,
): NurtureStepTimer {
  const afterMinutes = sequence.steps[step]?.afterMinutes ?? 0;
  return {
    id: `nurture#${leadId}#${sequence.id}#${step}`,
    kind: 'nurture-step',
    leadId,
    dueAt: new Date(fromMs + afterMinutes * 60_000).toISOString(),
    sequenceId: sequence.id,
    step,
  };
}

/** The timer of the step after this one, counted from when this one was due (so a late sweep does not drift). */
export function nextStepTimer(
  timer: NurtureStepTimer,
  sequence: NurtureSequence,
): NurtureStepTimer | undefined {
  const next = timer.step + 1;
  if (next >= sequence.steps.length) return undefined;
  return stepTimer(timer.leadId, sequence, next, Date.parse(timer.dueAt));
}

/** Why a sequence stops for this lead now, or undefined when the next email may go. */
export function nurtureStop(lead: Lead, sequence: NurtureSequence): string | undefined {
  if (isClosed(lead.status)) return `lead is ${lead.status}`;
  if (sequence.stopWhen === 'contacted' && lead.firstContactAt !== undefined) return 'lead was contacted';
  return undefined;
}

/**
 * SES event publishing (a configuration set's SNS destination): bounces and complaints. Only a permanent bounce
 * suppresses; a transient one (mailbox full) may deliver next time.
 */
export const SesFeedback = z.object({
  eventType: z.optional(z.string()),
  notificationType: z.optional(z.string()),
  bounce: z.optional(
    z.object({
      bounceType: z.string(),
      bounceSubType: z.optional(z.string()),
      bouncedRecipients: z.array(z.object({ emailAddress: z.string() })),
    }),
  ),
  complaint: z.optional(
    z.object({
      complainedRecipients: z.array(z.object({ emailAddress: z.string() })),
      complaintFeedbackType: z.optional(z.string()),
    }),
  ),
  mail: z.optional(z.object({ messageId: z.string() })),
});
export type SesFeedback = z.infer<typeof SesFeedback>;

export function feedbackSuppressions(
  feedback: SesFeedback,
): { address: string; reason: 'bounce' | 'complaint'; detail: string }[] {
  const type = feedback.eventType ?? feedback.notificationType;
  if (type === 'Bounce' && feedback.bounce?.bounceType === 'Permanent')
    return feedback.bounce.bouncedRecipients.map((r) => ({
      address: r.emailAddress,
      reason: 'bounce' as const,
      detail: `${feedback.bounce?.bounceType}/${feedback.bounce?.bounceSubType ?? 'General'}`,
    }));
  if (type === 'Complaint' && feedback.complaint)
    return feedback.complaint.complainedRecipients.map((r) => ({
      address: r.emailAddress,
      reason: 'complaint' as const,
      detail: feedback.complaint?.complaintFeedbackType ?? 'abuse',
    }));
  return [];
}
