import { InvalidMessageError } from '../shared/batch.ts';
import type { Config } from '../shared/config.ts';
import type { Lead } from '../shared/lead.ts';
import { ACTIONS, actionUrl } from '../shared/links.ts';
import type { RepLookup } from './rep-lookup.ts';
import type { MailResult, SendOnce } from './send-once.ts';
import { renderAssignmentEmail } from './templates/assignment.ts';

export type RepMail = (
  key: string,
  lead: Lead,
  repId: string,
  variant: 'assignment' | 'reminder',
) => Promise<MailResult>;

/** The signed one-click status links of a rep's mail, valid for `actionLinkDays` from the assignment. */
export function actionLinks(config: Config, lead: Lead, repId: string) {
  const expiresAt =
    Math.floor(Date.parse(lead.assignment?.at ?? lead.receivedAt) / 1000) +
    config.mail.actionLinkDays * 86_400;
  return ACTIONS.map((action) => ({
    action,
    url: actionUrl(
      config.mail.publicBaseUrl,
      {
        leadId: lead.id,
        action,
        repId,
        expiresAt,
        ...(lead.assignment?.at ? { assignmentAt: lead.assignment.at } : {}),
      },
      config.mail.linkSigningKey,
    ),
  }));
}

/** The assignment mail and its reminder, in the rep's language, sent once per key. */
export function createRepMail(kit: {
  config: Config;
  sendOnce: SendOnce;
  repById: RepLookup;
  leadUrl: (id: string) => string;
  from: string;
}): RepMail {
  return async (key, lead, repId, variant) => {
    const rep = await kit.repById(repId);
    if (rep === undefined) throw new InvalidMessageError(`lead ${lead.id} is owned by unknown rep ${repId}`);
    const mail = renderAssignmentEmail({
      lead,
      rep,
      leadUrl: kit.leadUrl(lead.id),
      actions: actionLinks(kit.config, lead, rep.id),
      variant,
    });
    return kit.sendOnce({
      key,
      mail: {
        to: rep.email,
        from: kit.from,
        ...mail,
        // Lets reps filter and tools thread by lead without reading the body; an id, never PII.
        headers: { 'X-Leadpipe-Lead': lead.id },
        tags: { kind: variant },
      },
    });
  };
}
