import type { NoticeFallbackTimer } from '../../shared/timers.ts';
import type { NurtureKit } from '../deps.ts';
import type { TimerJob } from './registry.ts';

const ASSIGNMENT = /^assignment#([^#]+)#([^#]+)#(.+)$/;
const REMINDER = /^mail#sla-reminder#([^#]+)#(.+)$/;

/**
 * A rep's message that WhatsApp took and later reported failed goes on to the next channels, while it still
 * matters: the rep still owns the lead on that assignment and nobody has reached the lead yet. Each send is once
 * per key, so a channel that already went (the email of `always`) is not sent again.
 */
export function noticeFallbackJob(kit: NurtureKit): TimerJob<NoticeFallbackTimer> {
  return async (timer, lead) => {
    const assignment = ASSIGNMENT.exec(timer.noticeKey);
    const reminder = REMINDER.exec(timer.noticeKey);
    const repId = assignment ? assignment[2] : reminder ? lead.assignment?.repId : undefined;
    const at = assignment ? assignment[3] : reminder?.[2];
    if (repId === undefined || at === undefined) return 'moot: only a rep’s assignment and reminder go on';
    if (lead.ownerId !== repId || lead.assignment?.at !== at) return 'moot: lead has a new owner';
    if (lead.firstContactAt !== undefined) return 'moot: lead was contacted';
    const sent = await kit.notifyRep(
      timer.noticeKey,
      lead,
      repId,
      assignment ? 'assignment' : 'reminder',
      timer.failed,
    );
    return sent.reached
      ? `reached by ${sent.reached} after ${timer.failed} failed`
      : 'reached on no other channel';
  };
}
