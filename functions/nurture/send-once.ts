import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { Context } from 'aws-lambda';
import type { OutgoingMail } from '../shared/ports.ts';
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
