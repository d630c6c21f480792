import { InvalidMessageError } from '../shared/batch.ts';
import type { Channel } from '../shared/channel-config.ts';
import { signReply } from '../shared/channels/reply-token.ts';
import { whatsappParam } from '../shared/channels/whatsapp-text.ts';
import type { Config } from '../shared/config.ts';
import { displayName, type Lead } from '../shared/lead.ts';
import { ACTIONS, actionUrl } from '../shared/links.ts';
import type { NurtureKit } from './deps.ts';
import type { NoticeOutcome } from './notify.ts';
import { renderAssignmentEmail } from './templates/assignment.ts';
import { shortText, sourceLabel } from './templates/short-text.ts';

export type RepNotice = (
  key: string,
  lead: Lead,
  repId: string,
  variant: 'assignment' | 'reminder',
  /** A channel that reported a failure after taking the message: go on after it. */
  after?: Channel,
) => Promise<NoticeOutcome>;

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

/**
 * The WhatsApp template's values for a lead (name, phone, source, score) and its three quick replies (Called,
 * Call later, Not mine), each signed for this rep and this assignment.
 */
export function whatsappAssignment(config: Config, lead: Lead, repId: string, locale: Lead['locale']) {
  const assignmentAt = lead.assignment?.at ?? lead.receivedAt;
  const key = config.mail.linkSigningKey;
  return {
    body: [
      whatsappParam(displayName(lead.contact) ?? '—'),
      whatsappParam(lead.contact.phone ?? '—', 40),
      whatsappParam(sourceLabel(lead.source, locale), 60),
      whatsappParam(String(lead.score.total), 12),
    ],
    buttons: (['contacted', 'later', 'decline'] as const).map((reply) =>
      signReply({ reply, leadId: lead.id, repId, assignmentAt }, key),
    ),
  };
}

/** The assignment message and its reminder, in the rep's language, over the rep's channels, each sent once. */
export function createRepNotice(
  kit: Pick<NurtureKit, 'config' | 'notify' | 'repById' | 'leadUrl' | 'from'>,
): RepNotice {
  return async (key, lead, repId, variant, after) => {
    const rep = await kit.repById(repId);
    if (rep === undefined) throw new InvalidMessageError(`lead ${lead.id} is owned by unknown rep ${repId}`);
    return kit.notify({
      kind: variant,
      key,
      emailKey: key,
      lead,
      to: { ref: `rep:${rep.id}`, email: rep.email, locale: rep.locale, channels: rep.channels },
      mail: () => ({
        to: rep.email,
        from: kit.from,
        ...renderAssignmentEmail({
          lead,
          rep,
          leadUrl: kit.leadUrl(lead.id),
          actions: actionLinks(kit.config, lead, rep.id),
          variant,
        }),
        // Lets reps filter and tools thread by lead without reading the body; an id, never PII.
        headers: { 'X-Leadpipe-Lead': lead.id },
        tags: { kind: variant },
      }),
      text: shortText({ kind: variant, lead, locale: rep.locale }),
      whatsapp: whatsappAssignment(kit.config, lead, rep.id, rep.locale),
      ...(after ? { after } : {}),
    });
  };
}
