/** A lead's statuses, in the order of its life. Plain data, so a module can name them without the lead's schemas. */
export const LEAD_STATUSES = [
  'new',
  'unassigned',
  'assigned',
  'contacted',
  'qualified',
  'won',
  'lost',
  'disqualified',
] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

/**
 * The outcomes: won, lost (an opportunity that went elsewhere) and disqualified (never one: spam, a wrong
 * number, not a buyer…). A closed lead is off its owner's count, its clocks and its sequences.
 */
export const CLOSED_STATUSES = ['won', 'lost', 'disqualified'] as const satisfies readonly LeadStatus[];
export function isClosed(status: LeadStatus): boolean {
  return (CLOSED_STATUSES as readonly LeadStatus[]).includes(status);
}
