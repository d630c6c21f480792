import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DeliveryStatus } from '../../shared/channels/message.ts';
import { type ReplyGrant, verifyReply } from '../../shared/channels/reply-token.ts';
import { whatsappParam } from '../../shared/channels/whatsapp-text.ts';
import { WhatsAppWebhook } from '../../shared/channels/whatsapp-webhook.ts';
import { HttpError } from '../../shared/errors.ts';
import { type HttpResponse, jsonResponse } from '../../shared/http.ts';
import { leadIdFor } from '../../shared/ids.ts';
import { displayName, type Lead, type Locale } from '../../shared/lead.ts';
import { answerChallenge, verifySignature } from '../../shared/meta-signature.ts';
import { scheduleTimers } from '../../shared/timer-service.ts';
import type { OpsDeps, OpsRoutes } from '../deps.ts';
import type { ChangeStatus } from '../lead-status.ts';
import { createTaskPlanner } from '../plan-task.ts';

type WhatsAppRouteKey = 'GET /v1/webhooks/whatsapp' | 'POST /v1/webhooks/whatsapp';

/** Meta's webhook bodies are small; anything this large is not one. */
const WEBHOOK_MAX_BYTES = 1_048_576;

const CALLBACK = /^([0-9a-f-]{36}) (.{1,400})$/;

type Answer = 'done' | 'already' | 'moved';

const REPLIES: Record<Locale, Record<ReplyGrant['reply'], Record<Answer, (name: string) => string>>> = {
  en: {
    contacted: {
      done: (n) => `✓ ${n}: marked as contacted.`,
      already: (n) => `${n} was already marked as contacted.`,
      moved: (n) => `${n} is no longer yours: nothing changed.`,
    },
    later: {
      done: (n) => `✓ A call with ${n} is planned; you will be reminded.`,
      already: (n) => `A call with ${n} is already planned.`,
      moved: (n) => `${n} is no longer yours: nothing changed.`,
    },
    decline: {
      done: (n) => `✓ ${n} goes to the next rep.`,
      already: (n) => `${n} is already on its way to the next rep.`,
      moved: (n) => `${n} is no longer yours: nothing changed.`,
    },
  },
  ar: {
    contacted: {
      done: (n) => `✓ ${n}: تم تسجيل التواصل.`,
      already: (n) => `تم تسجيل التواصل مع ${n} من قبل.`,
      moved: (n) => `لم يعد ${n} مسندًا إليك: لم يتغير شيء.`,
    },
    later: {
      done: (n) => `✓ تمت جدولة مكالمة مع ${n} وسيصلك تذكير.`,
      already: (n) => `المكالمة مع ${n} مجدولة بالفعل.`,
      moved: (n) => `لم يعد ${n} مسندًا إليك: لم يتغير شيء.`,
    },
    decline: {
      done: (n) => `✓ سينتقل ${n} إلى المندوب التالي.`,
      already: (n) => `${n} في طريقه إلى المندوب التالي بالفعل.`,
      moved: (n) => `لم يعد ${n} مسندًا إليك: لم يتغير شيء.`,
    },
  },
  fa: {
    contacted: {
      done: (n) => `✓ ${n}: تماس ثبت شد.`,
      already: (n) => `تماس با ${n} پیش‌تر ثبت شده بود.`,
      moved: (n) => `${n} دیگر به شما سپرده نیست: چیزی تغییر نکرد.`,
    },
    later: {
      done: (n) => `✓ تماس با ${n} برنامه‌ریزی شد و یادآوری می‌گیرید.`,
      already: (n) => `تماس با ${n} از پیش برنامه‌ریزی شده است.`,
      moved: (n) => `${n} دیگر به شما سپرده نیست: چیزی تغییر نکرد.`,
    },
    decline: {
      done: (n) => `✓ ${n} به کارشناس بعدی می‌رود.`,
      already: (n) => `${n} در راه کارشناس بعدی است.`,
      moved: (n) => `${n} دیگر به شما سپرده نیست: چیزی تغییر نکرد.`,
    },
  },
};

const digitsOnly = (number: string) => number.replace(/\D/g, '');

/**
 * WhatsApp's webhook: the Cloud API's delivery statuses of our messages, and reps' quick-reply taps, which act
 * as the email's links do: only for the lead's current owner and the assignment the message was sent for, and
 * once (a second tap, or Meta's redelivery, changes nothing more). The rep gets a line back, inside the service
 * window their tap has just opened.
 */
export function whatsappRoutes(
  deps: Pick<
    OpsDeps,
    | 'config'
    | 'leads'
    | 'reps'
    | 'workspace'
    | 'timers'
    | 'newId'
    | 'logger'
    | 'routingQueue'
    | 'messages'
    | 'whatsapp'
    | 'whatsappUnavailable'
  >,
  changeStatus: ChangeStatus,
): OpsRoutes<WhatsAppRouteKey> {
  const { config, logger } = deps;
  const { planTask } = createTaskPlanner(deps);

  function setup() {
    const whatsapp = config.notifications.whatsapp;
    if (whatsapp === undefined)
      throw new HttpError(404, 'source_not_configured', 'WhatsApp is not configured in this leadpipe.');
    if (deps.whatsappUnavailable)
      throw new HttpError(503, 'source_not_ready', deps.whatsappUnavailable, undefined, {
        'retry-after': '300',
      });
    return whatsapp;
  }

  async function act(grant: ReplyGrant, lead: Lead, replyId: string, now: Date): Promise<Answer> {
    if (grant.reply === 'contacted') {
      try {
        const { changed } = await changeStatus(lead.id, { type: 'contacted', by: grant.repId }, now);
        return changed ? 'done' : 'already';
      } catch (error) {
        // A lead already past contact (qualified, won…) cannot be contacted again: nothing to do.
        if (error instanceof HttpError && error.status === 409) return 'already';
        throw error;
      }
    }
    if (grant.reply === 'later') {
      const minutes = config.notifications.whatsapp?.callLaterMinutes ?? 60;
      const dueAt = new Date(now.getTime() + minutes * 60_000).toISOString();
      try {
        // One call per tap of this button for this assignment: Meta's redelivery plans nothing more.
        await planTask(
          lead,
          { type: 'call', dueAt },
          grant.repId,
          now,
          grant.repId,
          leadIdFor('whatsapp-later', replyId),
        );
        return 'done';
      } catch (error) {
        if (error instanceof HttpError && error.code === 'task_changed') return 'already';
        throw error;
      }
    }
    // Not mine: routing passes it on, only while this assignment is still the lead's (a conditional move).
    await deps.routingQueue.send({
      v: 1,
      leadId: lead.id,
      escalate: { fromRepId: grant.repId, assignmentAt: grant.assignmentAt, reason: 'declined' },
    });
    return 'done';
  }

  async function onButton(
    message: { id: string; from: string; button?: { payload: string } },
    now: Date,
  ): Promise<string> {
    const grant = message.button
      ? verifyReply(message.button.payload, config.mail.linkSigningKey)
      : undefined;
    if (grant === undefined) return 'unsigned';
    const rep = await deps.reps.get(grant.repId);
    // The payload names the rep; the tap must come from that rep's own number.
    if (
      rep?.channels?.whatsapp === undefined ||
      digitsOnly(rep.channels.whatsapp) !== digitsOnly(message.from)
    ) {
      logger.warn('WhatsApp reply from a number that is not the rep’s', {
        leadId: grant.leadId,
        repId: grant.repId,
      });
      return 'wrong-number';
    }
    const lead = await deps.leads.get(grant.leadId);
    if (lead === undefined) return 'no-lead';
    const current = lead.ownerId === grant.repId && lead.assignment?.at === grant.assignmentAt;
    const answer: Answer = current ? await act(grant, lead, message.id, now) : 'moved';
    logger.info('WhatsApp reply', { leadId: lead.id, repId: grant.repId, reply: grant.reply, answer });
    const name = displayName(lead.contact) ?? '—';
    if (deps.whatsapp)
      try {
        await deps.whatsapp.send({
          type: 'text',
          to: rep.channels.whatsapp,
          text: REPLIES[rep.locale][grant.reply][answer](whatsappParam(name, 100)),
        });
      } catch (error) {
        // The tap did its work; a confirmation that does not go out is logged, and Meta is still answered 200.
        logger.warn('WhatsApp confirmation not sent', { leadId: lead.id, error: (error as Error).name });
      }
    return answer;
  }

  async function webhook(event: APIGatewayProxyEventV2, now: Date): Promise<HttpResponse> {
    const whatsapp = setup();
    const raw = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    if (raw.byteLength > WEBHOOK_MAX_BYTES)
      throw new HttpError(413, 'body_too_large', `A webhook body may be at most ${WEBHOOK_MAX_BYTES} bytes.`);
    // Authenticity first: nothing about a forged request is parsed or acted on.
    verifySignature(raw, event.headers['x-hub-signature-256'], whatsapp.appSecret);
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpError(400, 'invalid_json', 'The webhook body is not JSON.');
    }
    const parsed = WhatsAppWebhook.safeParse(json);
    if (!parsed.success)
      throw new HttpError(400, 'invalid_webhook', 'Not a WhatsApp Business Account webhook.');
    const values = parsed.data.entry.flatMap((e) =>
      e.changes.filter((c) => c.field === 'messages').map((c) => c.value),
    );
    let statuses = 0;
    let replies = 0;
    for (const value of values) {
      for (const status of value.statuses ?? []) {
        const callback = CALLBACK.exec(status.biz_opaque_callback_data ?? '');
        const delivery = DeliveryStatus.safeParse(status.status);
        if (callback === null || !delivery.success) continue;
        // "sent" says what the send's own timeline entry already says (Meta took it): no write for it.
        if (delivery.data === 'sent') {
          statuses++;
          continue;
        }
        const [, leadId = '', messageId = ''] = callback;
        const error = status.errors?.[0];
        const updated = await deps.messages.updateStatus(
          leadId,
          messageId,
          delivery.data,
          new Date(Number(status.timestamp) * 1000).toISOString(),
          error ? `WhatsApp ${error.code}${error.title ? `: ${error.title}` : ''}` : undefined,
        );
        // Taken, then failed (the rep is not on WhatsApp, or it never arrived): the notice goes on to the next
        // channels, once (only the status's first arrival schedules it).
        if (delivery.data === 'failed' && updated === 'updated' && messageId.endsWith('#whatsapp'))
          await scheduleTimers(
            deps.timers,
            [
              {
                kind: 'notice-fallback',
                id: `fallback#${messageId}`,
                leadId,
                dueAt: now.toISOString(),
                noticeKey: messageId.slice(0, -'#whatsapp'.length),
                failed: 'whatsapp',
              },
            ],
            now,
          );
        statuses++;
      }
      for (const message of value.messages ?? []) {
        if (message.type !== 'button') continue;
        await onButton(message, now);
        replies++;
      }
    }
    return jsonResponse(200, { statuses, replies });
  }

  return {
    'GET /v1/webhooks/whatsapp': async ({ event }) => {
      const whatsapp = setup();
      const challenge = answerChallenge(event.queryStringParameters ?? {}, whatsapp.verifyToken);
      logger.info('whatsapp subscription verified');
      return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: challenge };
    },
    'POST /v1/webhooks/whatsapp': ({ event, now }) => webhook(event, now),
  };
}
