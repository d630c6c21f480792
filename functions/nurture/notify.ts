import { SendNoAnswerError } from '../shared/aws/unanswered-send.ts';
import type { Channel, NoticeKind, PersonChannels } from '../shared/channel-config.ts';
import { chatRequest } from '../shared/channels/chat-format.ts';
import type { ChannelMessage } from '../shared/channels/message.ts';
import { ChatRefused } from '../shared/channels/senders.ts';
import { fitSms } from '../shared/channels/sms-text.ts';
import { GraphApiError } from '../shared/graph-api.ts';
import type { Lead, Locale } from '../shared/lead.ts';
import { OutboundNoAnswer, OutboundRefused } from '../shared/outbound-http.ts';
import type { NurtureDeps } from './deps.ts';
import {
  type ChannelJob,
  isSendInProgress,
  type MailJob,
  type MailResult,
  mayHaveBeenSent,
  type SendChannelOnce,
  SendDeferredError,
  type SendOnce,
  SendSupersededError,
} from './send-once.ts';
import type { ShortText } from './templates/short-text.ts';

/** Who a message is for: a rep (`rep:<id>`) or a pool's manager (`manager:<pool>`). */
export type Recipient = {
  ref: string;
  email: string;
  locale: Locale;
  channels?: PersonChannels | undefined;
};

export type NoticeRequest = {
  kind: NoticeKind;
  /** Stable per notice: each channel's send-once key and timeline entry derive from it. */
  key: string;
  /** The email's own send-once key (kept from before there were other channels, so no mail goes twice). */
  emailKey: string;
  lead: Lead;
  to: Recipient;
  mail: () => MailJob['mail'];
  text: ShortText;
  /** The WhatsApp template's body parameters and quick-reply payloads, in the template's order. */
  whatsapp?: { body: string[]; buttons: string[] };
  /** A channel that took the notice and later reported it failed: only the channels after it are tried. */
  after?: Channel;
};

export type Attempt = { channel: Channel; outcome: ChannelMessage['outcome']; detail?: string };
export type NoticeOutcome = { reached?: Channel; attempts: Attempt[]; suppressed?: string };
export type Notify = (notice: NoticeRequest) => Promise<NoticeOutcome>;

/**
 * Why a send failed, for the timeline and the log: the error's name and code, and its words only where they are
 * ours (a Graph error's hint, a refused chat or address). A service's own message may quote the number or the
 * address it refused (End User Messaging's validation errors do), so it is never kept.
 */
export function failureDetail(error: unknown): string {
  const e = error as {
    name?: string;
    code?: number;
    status?: number;
    hint?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const code = e.code ?? e.status ?? e.$metadata?.httpStatusCode;
  const words =
    error instanceof GraphApiError
      ? error.hint
      : error instanceof ChatRefused ||
          error instanceof OutboundRefused ||
          error instanceof OutboundNoAnswer ||
          error instanceof SendNoAnswerError
        ? error.message
        : undefined;
  return [e.name ?? 'Error', code === undefined ? undefined : String(code), words]
    .filter(Boolean)
    .join(': ')
    .slice(0, 300);
}

/**
 * The follow-up's detail: the channel that reached the person when it was not email, or why none did. A channel
 * that gave no answer may have reached them: said so, rather than "no channel".
 */
export function reachedDetail(outcome: NoticeOutcome): { detail?: string } {
  if (outcome.reached === undefined) {
    const unanswered = outcome.attempts.filter((a) => a.outcome === 'unknown').map((a) => a.channel);
    if (outcome.suppressed) return { detail: `not mailed: rep address ${outcome.suppressed}` };
    if (unanswered.length > 0)
      return { detail: `no answer from ${unanswered.join(', ')}: it may have reached them` };
    return { detail: 'reached on no channel' };
  }
  return outcome.reached === 'email' ? {} : { detail: `by ${outcome.reached}` };
}

export class NoticeUndelivered extends Error {
  override readonly name = 'NoticeUndelivered';
}

/**
 * Delivers a notice over the channels its kind goes by (`notifications.routes`): `try` in order until one takes
 * it, email last when the list does not name it, then `always`. A person with no address on a channel skips it;
 * a channel that fails falls through. Each send is once per key, so a retried record repeats nothing that went.
 * When every channel failed (not merely skipped or suppressed) it throws, and the record is retried.
 */
export function createNotify(
  kit: Pick<NurtureDeps, 'config' | 'messages' | 'logger' | 'now'> & {
    sendOnce: SendOnce;
    sendChannelOnce: SendChannelOnce;
    from: string;
    dashboardLeadUrl: (id: string) => string;
    telegramApiUrl?: string;
  },
): Notify {
  const { config, logger } = kit;
  const notifications = config.notifications;

  /** The job for one channel, or why the person cannot get the notice on it. */
  function jobFor(notice: NoticeRequest, channel: Exclude<Channel, 'email'>): ChannelJob | string {
    const key = `${notice.key}#${channel}`;
    const { lead, text, to } = notice;
    const link = kit.dashboardLeadUrl(lead.id);
    if (channel === 'whatsapp') {
      const number = to.channels?.whatsapp;
      const setup = notifications.whatsapp;
      const template = setup?.templates[notice.kind];
      if (number === undefined) return 'no WhatsApp number';
      if (setup === undefined || template === undefined || notice.whatsapp === undefined)
        return `no WhatsApp template for ${notice.kind}`;
      const language =
        template.languages[to.locale] ?? template.languages.en ?? Object.values(template.languages)[0];
      if (language === undefined) return `WhatsApp template ${template.name} has no language`;
      return {
        key,
        leadId: lead.id,
        channel,
        message: {
          type: 'template',
          to: number,
          template: { name: template.name, language, ...notice.whatsapp },
          callbackData: `${lead.id} ${key}`,
        },
      };
    }
    if (channel === 'sms') {
      const number = to.channels?.sms;
      if (number === undefined) return 'no SMS number';
      const body = [text.title, ...text.lines].join('\n');
      return {
        key,
        leadId: lead.id,
        channel,
        message: {
          to: number,
          body: fitSms(body, link, notifications.sms?.maxParts ?? 3),
          context: { leadId: lead.id, notice: notice.kind },
        },
      };
    }
    const chat = to.channels?.chat;
    if (chat === undefined) return 'no chat webhook';
    return {
      key,
      leadId: lead.id,
      channel,
      message: chatRequest(
        chat,
        { title: text.title, lines: text.lines, link: { label: text.linkLabel, url: link }, rtl: text.rtl },
        notifications.telegram?.botToken,
        kit.telegramApiUrl,
      ),
    };
  }

  return async (notice) => {
    const route = notifications.routes[notice.kind];
    const routed: Channel[] = [...route.try, ...(route.try.includes('email') ? [] : (['email'] as const))];
    const order = notice.after === undefined ? routed : routed.slice(routed.indexOf(notice.after) + 1);
    // A plain email-only route keeps the timeline as it was: the follow-up records the mail.
    const logged = routed.length > 1 || route.always.length > 0;
    const attempts: Attempt[] = [];
    let reached: Channel | undefined;
    let suppressed: string | undefined;

    /**
     * A try-chain channel's failure is written once the chain is over, with the channel that reached the person
     * after it (`reachedBy`); until then its claim stays held, so a duplicate delivery cannot retry it meanwhile.
     */
    const failedInChain: ChannelMessage[] = [];

    /**
     * One channel's try: whether it took the message, and whether it failed (rather than was skipped). A failure in
     * the try chain (`inChain`) is kept for `failedInChain`; any other outcome is written at once.
     */
    async function attempt(channel: Channel, inChain: boolean): Promise<{ sent: boolean; failed: boolean }> {
      const at = kit.now().toISOString();
      const base = {
        id: `${notice.key}#${channel}`,
        leadId: notice.lead.id,
        notice: notice.kind,
        channel,
        to: notice.to.ref,
        at,
      };
      // A retried try is not sent when a channel after it in the chain took the notice.
      const laterInChain = inChain
        ? order.slice(order.indexOf(channel) + 1).map((later) => `${notice.key}#${later}`)
        : [];
      let entry: ChannelMessage;
      let failed = false;
      try {
        if (channel === 'email') {
          // A logged mail claims its timeline item; one no timeline records keeps its own send-once record.
          const sent: MailResult = await kit.sendOnce({
            key: notice.emailKey,
            mail: notice.mail(),
            ...(logged ? { timeline: { leadId: base.leadId, messageId: base.id, laterInChain } } : {}),
          });
          if ('unanswered' in sent) throw new SendNoAnswerError(sent.unanswered);
          if ('suppressed' in sent) {
            suppressed = sent.suppressed;
            entry = { ...base, outcome: 'failed', detail: `address suppressed (${sent.suppressed})` };
          } else entry = { ...base, outcome: 'sent', externalId: sent.messageId };
        } else {
          const job = jobFor(notice, channel);
          if (typeof job === 'string') entry = { ...base, outcome: 'skipped', detail: job };
          else {
            const { id } = await kit.sendChannelOnce({ ...job, laterInChain });
            entry = {
              ...base,
              outcome: 'sent',
              externalId: id,
              ...(channel === 'whatsapp' ? { status: 'sent' as const } : {}),
            };
          }
        }
      } catch (error) {
        // Another delivery of this record is sending on this channel right now (or one died mid-send and its
        // claim has not expired), or this invocation has too little time left to send: not a channel failure.
        // The record is retried; falling through would tell the person twice, on two channels.
        if (isSendInProgress(error) || error instanceof SendDeferredError) throw error;
        // It failed on an earlier delivery and a later channel reached the person then: not tried again. When
        // that delivery died before writing the failure, it is written now, which frees the claim.
        if (error instanceof SendSupersededError) {
          attempts.push({ channel, outcome: 'skipped', detail: error.message });
          if (error.unrecorded)
            await kit.messages.record({
              ...base,
              outcome: 'failed',
              detail: 'its failure was not written before its invocation ended',
              reachedBy: error.reachedBy,
            });
          return { sent: false, failed: false };
        }
        // A send with no answer may have reached the person: kept as unknown, never sent again, and the next
        // channel is tried (told twice on two channels rather than never). Not a failure to retry the record for.
        const unknown = mayHaveBeenSent(error);
        failed = !unknown;
        entry = { ...base, outcome: unknown ? 'unknown' : 'failed', detail: failureDetail(error) };
        logger.warn(unknown ? 'channel gave no answer; trying the next' : 'channel failed; trying the next', {
          leadId: notice.lead.id,
          notice: notice.kind,
          channel,
          to: notice.to.ref,
          detail: entry.detail,
        });
      }
      attempts.push({
        channel,
        outcome: entry.outcome,
        ...(entry.detail ? { detail: entry.detail } : {}),
      });
      if (logged && inChain && entry.outcome === 'failed') failedInChain.push(entry);
      else if (logged) await kit.messages.record(entry);
      return { sent: entry.outcome === 'sent', failed };
    }

    let failed = false;
    try {
      for (const channel of order) {
        const result = await attempt(channel, true);
        failed ||= result.failed;
        if (result.sent) {
          reached = channel;
          break;
        }
      }
    } finally {
      // Written even when a later channel threw (in progress elsewhere, deferred): the failure is the timeline's.
      for (const entry of failedInChain)
        await kit.messages.record({ ...entry, ...(reached ? { reachedBy: reached } : {}) });
    }
    if (reached === undefined && failed)
      throw new NoticeUndelivered(
        `${notice.kind} for lead ${notice.lead.id} reached ${notice.to.ref} on no channel: ${attempts
          .map((a) => `${a.channel} ${a.outcome}`)
          .join(', ')}`,
      );
    // `always` channels go too; one that failed makes the record retry (what went is not sent again).
    let alwaysFailed = false;
    for (const channel of route.always)
      if (channel !== reached) alwaysFailed ||= (await attempt(channel, false)).failed;
    if (logged)
      logger.info('notice delivered', {
        leadId: notice.lead.id,
        notice: notice.kind,
        to: notice.to.ref,
        reached: reached ?? 'none',
        attempts: attempts.map((a) => `${a.channel}:${a.outcome}`),
      });
    if (alwaysFailed)
      throw new NoticeUndelivered(
        `${notice.kind} for lead ${notice.lead.id}: ${route.always.join(', ')} must go too and did not`,
      );
    return { ...(reached ? { reached } : {}), attempts, ...(suppressed ? { suppressed } : {}) };
  };
}
