import type { Lead } from '../shared/lead.ts';

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
