import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { Context } from 'aws-lambda';
import type { OutgoingMail, SmsOutgoing, WhatsAppOutgoing } from '../shared/ports.ts';
import type { NurtureDeps } from './deps.ts';

export type MailJob = { key: string; mail: OutgoingMail };
export type MailResult = { messageId: string } | { suppressed: string };
export type SendOnce = (job: MailJob) => Promise<MailResult>;

/**
 * Sends a mail once per key (remembered 30 days), never to a suppressed address (checked right before every
 * send). `useContext` hands the Lambda context to the idempotency layer, so a record that times out mid-send
 * is retried rather than reported as in progress forever.
 */
export function createSendOnce(
  deps: Pick<NurtureDeps, 'mailer' | 'suppressions' | 'idempotency' | 'logger'>,
): { sendOnce: SendOnce; useContext: (context: Context) => void } {
  const { logger } = deps;
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: 30 * 24 * 3600 });
  const sendOnce = makeIdempotent(
    async (job: MailJob): Promise<MailResult> => {
      const suppressed = (await deps.suppressions.find([job.mail.to])).values().next().value;
      if (suppressed) {
        logger.warn('mail not sent: the address is suppressed', { key: job.key, reason: suppressed.reason });
        return { suppressed: suppressed.reason };
      }
      // The kind rides along as a header too, so mailbox rules and audits can tell the mails apart.
      const kind = job.mail.tags?.kind ?? 'other';
      const { messageId } = await deps.mailer.send({
        ...job.mail,
        headers: { ...job.mail.headers, 'X-Leadpipe-Mail': kind },
      });
      logger.info('mail sent', { key: job.key, kind: job.mail.tags?.kind, messageId });
      return { messageId };
    },
    { persistenceStore: deps.idempotency, config, keyPrefix: 'nurture-mail' },
  );
  return { sendOnce, useContext: (context) => config.registerLambdaContext(context) };
}

/** One message on a channel other than email, with everything needed to send it. */
export type ChannelJob =
  | { key: string; channel: 'whatsapp'; message: WhatsAppOutgoing }
  | { key: string; channel: 'sms'; message: SmsOutgoing }
  | { key: string; channel: 'chat'; message: { url: string; body: Record<string, unknown> } };
export type SendChannelOnce = (job: ChannelJob) => Promise<{ id: string }>;

/**
 * Sends a WhatsApp, SMS or chat message once per key, as `createSendOnce` does for mail: a redelivered record
 * gets the first send's id back. A send that throws leaves no record, so the next attempt sends.
 */
export function createChannelOnce(deps: Pick<NurtureDeps, 'whatsapp' | 'sms' | 'chat' | 'idempotency'>): {
  sendChannelOnce: SendChannelOnce;
  useContext: (context: Context) => void;
} {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: 30 * 24 * 3600 });
  const sendChannelOnce = makeIdempotent(
    async (job: ChannelJob): Promise<{ id: string }> => {
      if (job.channel === 'whatsapp') {
        if (deps.whatsapp === undefined) throw new Error('WhatsApp is not configured');
        return deps.whatsapp.send(job.message);
      }
      if (job.channel === 'sms') {
        if (deps.sms === undefined) throw new Error('SMS is not configured');
        return { id: (await deps.sms.send(job.message)).messageId };
      }
      await deps.chat.post(job.message);
      // A chat webhook gives no message id: the key is the record of it.
      return { id: job.key };
    },
    { persistenceStore: deps.idempotency, config, keyPrefix: 'nurture-channel' },
  );
  return { sendChannelOnce, useContext: (context) => config.registerLambdaContext(context) };
}
