import { chatRequest } from '../shared/channels/chat-format.ts';
import type { Lead } from '../shared/lead.ts';
import type { NurtureDeps } from './deps.ts';
import { failureDetail } from './notify.ts';
import type { RepLookup } from './rep-lookup.ts';
import { isSendInProgress, mayHaveBeenSent, type SendChannelOnce, SendDeferredError } from './send-once.ts';
import { shortText, teamAssignmentText } from './templates/short-text.ts';

export type TellTeam = (
  kind: 'assignment' | 'escalation',
  key: string,
  lead: Lead,
  repId: string,
  minutes?: number,
) => Promise<void>;

/**
 * The pool's team channel hears of each assignment and escalation, once, in the manager's language (else the
 * rep's). It is a copy for the team, not the rep's notice: a chat that refuses is recorded on the timeline and
 * logged, and holds up nothing.
 */
export function createTellTeam(
  kit: Pick<NurtureDeps, 'config' | 'messages' | 'logger' | 'now' | 'telegramApiUrl'> & {
    sendChannelOnce: SendChannelOnce;
    repById: RepLookup;
    dashboardLeadUrl: (id: string) => string;
  },
): TellTeam {
  return async (kind, key, lead, repId, minutes = 0) => {
    const pool = kit.config.routing.pools.find((p) => p.id === lead.assignment?.poolId);
    if (pool?.teamChat === undefined) return;
    const rep = await kit.repById(repId);
    const locale = pool.manager?.locale ?? rep?.locale ?? 'en';
    const repName = rep?.name ?? repId;
    const text =
      kind === 'assignment'
        ? teamAssignmentText(lead, locale, repName)
        : shortText({ kind: 'escalation', lead, locale, repName, minutes });
    const id = `team#${key}`;
    const base = {
      id,
      leadId: lead.id,
      notice: 'team' as const,
      channel: 'chat' as const,
      to: `team:${pool.id}`,
    };
    try {
      await kit.sendChannelOnce({
        key: id,
        leadId: lead.id,
        channel: 'chat',
        message: chatRequest(
          pool.teamChat,
          {
            title: text.title,
            lines: text.lines,
            link: { label: text.linkLabel, url: kit.dashboardLeadUrl(lead.id) },
            rtl: text.rtl,
          },
          kit.config.notifications.telegram?.botToken,
          kit.telegramApiUrl,
        ),
      });
      await kit.messages.record({ ...base, at: kit.now().toISOString(), outcome: 'sent' });
    } catch (error) {
      // Another delivery of this record is posting it right now: that one records it.
      if (isSendInProgress(error)) return;
      // Too little of this invocation left to post it: the record is retried.
      if (error instanceof SendDeferredError) throw error;
      const detail = failureDetail(error);
      // No answer: the chat may show it already, so it is kept as unknown and never posted again.
      const outcome = mayHaveBeenSent(error) ? 'unknown' : 'failed';
      kit.logger.warn('team chat did not take the message', {
        leadId: lead.id,
        poolId: pool.id,
        kind,
        outcome,
        detail,
      });
      await kit.messages.record({ ...base, at: kit.now().toISOString(), outcome, detail });
    }
  };
}
