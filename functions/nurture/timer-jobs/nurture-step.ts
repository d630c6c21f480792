import type { Lead } from '../../shared/lead.ts';
import { unsubscribeUrl } from '../../shared/links.ts';
import { scheduleTimers } from '../../shared/timer-service.ts';
import type { NurtureStepTimer } from '../../shared/timers.ts';
import { marketingAddress, nextStepTimer, nurtureStop } from '../core.ts';
import type { NurtureKit } from '../deps.ts';
import type { MailResult } from '../send-once.ts';
import { renderNurtureEmail } from '../templates/nurture.ts';
import type { TimerJob } from './registry.ts';

/**
 * One step of a nurture sequence: the mail with its one-click unsubscribe, then the next step's timer. A lead
 * that converted, opted out or lost its address stops the sequence, and the stop is in its timeline.
 */
export function nurtureStepJob(kit: NurtureKit): TimerJob<NurtureStepTimer> {
  const { config } = kit;
  const baseUrl = config.mail.publicBaseUrl.replace(/\/$/, '');

  function sendStep(
    timer: NurtureStepTimer,
    lead: Lead,
    address: string,
    template: string,
  ): Promise<MailResult> {
    const unsubscribe = unsubscribeUrl(baseUrl, lead.id, config.mail.linkSigningKey);
    const mail = renderNurtureEmail({
      lead,
      template,
      templates: config.nurture.templates,
      unsubscribeUrl: unsubscribe,
    });
    return kit.sendOnce({
      key: `mail#${timer.id}`,
      mail: {
        to: address,
        from: kit.from,
        ...mail,
        headers: {
          // RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to the link.
          'List-Unsubscribe': `<${unsubscribe}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'X-Leadpipe-Lead': lead.id,
        },
        tags: { kind: 'nurture', sequence: timer.sequenceId },
      },
    });
  }

  return async (timer, lead, now) => {
    const sequence = config.nurture.sequences.find((s) => s.id === timer.sequenceId);
    const step = sequence?.steps[timer.step];
    if (sequence === undefined || step === undefined) return 'sequence or step no longer configured';
    const at = now.toISOString();
    const stopped = async (why: string) => {
      await kit.leads.recordFollowUp(lead.id, {
        id: timer.id,
        kind: 'nurture-stopped',
        at,
        detail: `${sequence.id}: ${why}`,
      });
      return `stopped: ${why}`;
    };
    const address = marketingAddress(lead);
    if (address === undefined) return stopped('no valid email address');
    const stop = nurtureStop(lead, sequence);
    if (stop !== undefined) return stopped(stop);
    const sent = await sendStep(timer, lead, address, step.template);
    if ('suppressed' in sent) return stopped(`address suppressed (${sent.suppressed})`);
    // A mail SES gave no answer for may have arrived: the sequence goes on, as after a sent one, and says so.
    const unanswered = 'unanswered' in sent ? ' (SES gave no answer: it may not have arrived)' : '';
    await kit.leads.recordFollowUp(lead.id, {
      id: timer.id,
      kind: 'nurture-email',
      at,
      detail: `${sequence.id} step ${timer.step + 1}: ${step.template}${unanswered}`,
    });
    const next = nextStepTimer(timer, sequence);
    if (next) await scheduleTimers(kit.timers, [next], now);
    return 'sent';
  };
}
