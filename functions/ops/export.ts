import { csvRow } from '../shared/csv.ts';
import type { ListedLead } from '../shared/lead-list.ts';

/** The columns a manager expects, in order. */
export const EXPORT_COLUMNS = [
  'created',
  'submitted',
  'source',
  'campaign',
  'name',
  'email',
  'phone',
  'status',
  'owner',
  'score',
  'grade',
  'segments',
  'first contact minutes',
  'last note',
] as const;

export function exportHeader(): string {
  return csvRow(EXPORT_COLUMNS);
}

/** One lead's row: owner by name, phone in E.164, minutes from receipt to first contact, the last note. */
export function exportRow(lead: ListedLead, ownerNames: ReadonlyMap<string, string>): string {
  const name =
    lead.contact.name ??
    ([lead.contact.firstName, lead.contact.lastName].filter(Boolean).join(' ') || undefined);
  const firstContactMinutes = lead.firstContactAt
    ? Math.round((Date.parse(lead.firstContactAt) - Date.parse(lead.submittedAt ?? lead.createdAt)) / 600) /
      100
    : undefined;
  return csvRow([
    lead.createdAt,
    lead.submittedAt,
    lead.source,
    lead.attribution.campaignName ?? lead.attribution.campaignId ?? lead.attribution.utm.campaign,
    name,
    lead.contact.email,
    lead.phoneE164 ?? lead.contact.phone,
    lead.status,
    lead.ownerId ? (ownerNames.get(lead.ownerId) ?? lead.ownerId) : undefined,
    lead.score.total,
    lead.score.grade,
    lead.segments.join(' '),
    firstContactMinutes,
    lead.lastNote?.text,
  ]);
}
