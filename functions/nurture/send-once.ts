import { AsyncLocalStorage } from 'node:async_hooks';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { Context } from 'aws-lambda';
import { SendNoAnswerError } from '../shared/aws/unanswered-send.ts';
import type { Channel } from '../shared/channel-config.ts';
import { GraphNoAnswerError } from '../shared/graph-api.ts';
import { OutboundNoAnswer } from '../shared/outbound-http.ts';
import type { MessageLog, OutgoingMail, SmsOutgoing, WhatsAppOutgoing } from '../shared/ports.ts';
import type { NurtureDeps } from './deps.ts';

/**
 * The invocation a send belongs to. Powertools reads the Lambda context for a claim's in-progress expiry from
 * its config, one object for every invocation; where invocations overlap (the local runner, duplicate
 * deliveries, Lambda's multi-concurrency) a claim could take another invocation's nearly spent time, expire
 * while its send runs, and let a redelivery send again. So each send registers its own invocation's context
 * right before it claims (the claim reads it before its first await).
 */
const invocation = new AsyncLocalStorage<Context>();

/** Runs a record's work with its invocation's context, for the sends it makes. */
export function withInvocation<T>(context: Context, work: () => Promise<T>): Promise<T> {
  return invocation.run(context, work);
}

/**
 * The prefix of a mail's Powertools record. Only mails no timeline records keep one now (the other sends claim
 * their timeline item); it stays as it was so records written before keep meaning "sent".
 */
const SEND_KEY_PREFIX = 'nurture-mail';

/** How long a send waits for another delivery of the same message that is sending it right now. */
const IN_PROGRESS_WAIT_MS = 3_000;

/**
 * Tries a send again while another delivery of the same record holds its claim (duplicate deliveries run at
 * once): that one is most likely mid-send, and asking again a moment later returns its result, where failing
 * would hold up every later record of the stream's shard until a retry. A claim still held after the wait (its
 * holder died mid-send) fails the record, to be retried once the claim expires.
 */
async function whileHeld<R>(attempt: () => Promise<R>): Promise<R> {
  const started = Date.now();
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isSendInProgress(error) || Date.now() - started > IN_PROGRESS_WAIT_MS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** tries)));
    }
  }
}

/**
 * A mail, once per key. With `timeline` (a notice whose tries the lead's timeline records) the claim is that
 * timeline item, as for the other channels; without it, a Powertools record under the key.
 */
export type MailJob = { key: string; mail: OutgoingMail; timeline?: TimelineMessage };
/**
 * `unanswered`: SES got the request and gave no answer, so the mail may have gone; kept as the mail's result by
 * its Powertools record, so no redelivery sends it again. (A timeline's mail fails with the error instead, and
 * the caller records the try as unknown.)
 */
export type MailResult = { messageId: string } | { suppressed: string } | { unanswered: string };
export type SendOnce = (job: MailJob) => Promise<MailResult>;

/**
 * Sends a mail once per key (remembered 30 days), never to a suppressed address (checked right before every
 * send). The invocation's Lambda context (see `withInvocation`) sets how long a claim holds, so a record that
 * times out mid-send is retried rather than reported as in progress forever.
 */
export function createSendOnce(
  deps: Pick<NurtureDeps, 'mailer' | 'suppressions' | 'idempotency' | 'logger' | 'messages'>,
): { sendOnce: SendOnce } {
  const { logger } = deps;
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: 30 * 24 * 3600 });
  async function send(job: MailJob): Promise<MailResult> {
    const suppressed = (await deps.suppressions.find([job.mail.to])).values().next().value;
    if (suppressed) {
      logger.warn('mail not sent: the address is suppressed', { key: job.key, reason: suppressed.reason });
      return { suppressed: suppressed.reason };
    }
    // The kind rides along as a header too, so mailbox rules and audits can tell the mails apart.
    const kind = job.mail.tags?.kind ?? 'other';
    try {
      const { messageId } = await deps.mailer.send({
        ...job.mail,
        headers: { ...job.mail.headers, 'X-Leadpipe-Mail': kind },
      });
      logger.info('mail sent', { key: job.key, kind: job.mail.tags?.kind, messageId });
      return { messageId };
    } catch (error) {
      if (!(error instanceof SendNoAnswerError) || job.timeline !== undefined) throw error;
      logger.warn('mail got no answer; not sent again', { key: job.key, kind: job.mail.tags?.kind });
      return { unanswered: error.message };
    }
  }
  const sendWithRecord = makeIdempotent(send, {
    persistenceStore: deps.idempotency,
    config,
    keyPrefix: SEND_KEY_PREFIX,
  });
  // Each try registers its own invocation's context right before it claims (the claim reads it first thing).
  const withRecord = (job: MailJob) =>
    whileHeld(() => {
      remainingOrDefer(`mail ${job.key}`);
      const context = invocation.getStore();
      if (context) config.registerLambdaContext(context);
      return sendWithRecord(job);
    });
  return {
    sendOnce: (job) =>
      job.timeline === undefined
        ? withRecord(job)
        : onceOnTimeline(
            deps.messages,
            job.timeline,
            () => send(job),
            (id) => ({ messageId: id ?? '' }),
          ),
  };
}

/**
 * The timeline item of one try on one channel: the lead's partition, the message id, and in a try chain the ids
 * of the channels tried after it (a retried try is not sent when one of them took the notice).
 */
export type TimelineMessage = { leadId: string; messageId: string; laterInChain?: readonly string[] };

/**
 * The message failed before and its notice then reached the person on a later channel: it is not tried again.
 * `unrecorded`: its failure was never written (its invocation died first); the caller writes it.
 */
export class SendSupersededError extends Error {
  override readonly name = 'SendSupersededError';
  constructor(
    readonly reachedBy: Channel,
    readonly unrecorded = false,
  ) {
    super(`reached on ${reachedBy} after this channel failed`);
  }
}

/** Another delivery of the same record holds the message's claim: it is sending it right now. */
export class SendInProgressError extends Error {
  override readonly name = 'SendInProgressError';
}

/**
 * Too little of the invocation is left to send a message and record it: the record is retried by a fresh
 * invocation. A claim lasts as long as its invocation, so a send begun in its last moments could outlive the claim
 * (a slow channel, a timeout) and another delivery would take the message over and send it again.
 */
export class SendDeferredError extends Error {
  override readonly name = 'SendDeferredError';
}

/** The least invocation time a send is begun with: the Graph API's own request timeout, with room to record. */
export const SEND_TIME_NEEDED_MS = 12_000;

/** The invocation's time left (60 s outside one), or SendDeferredError when a send could not finish in it. */
function remainingOrDefer(what: string): number {
  const remaining = invocation.getStore()?.getRemainingTimeInMillis() ?? 60_000;
  if (remaining < SEND_TIME_NEEDED_MS)
    throw new SendDeferredError(
      `${what} not sent with ${remaining} ms of the invocation left; retried by the next`,
    );
  return remaining;
}

/** A message sent before with no answer (it may have reached the person): it is never sent again. */
export class SendOutcomeUnknownError extends Error {
  override readonly name = 'SendOutcomeUnknownError';
}

/**
 * Whether a failed send may still have reached the person: its request went out and no answer came back (now,
 * or on an earlier delivery). Recorded as `unknown`, which no later delivery sends again.
 */
export function mayHaveBeenSent(error: unknown): boolean {
  return (
    error instanceof GraphNoAnswerError ||
    error instanceof OutboundNoAnswer ||
    error instanceof SendNoAnswerError ||
    error instanceof SendOutcomeUnknownError
  );
}

/** Whether a send failed only because another delivery is making it (mail or any other channel). */
export function isSendInProgress(error: unknown): boolean {
  return error instanceof IdempotencyAlreadyInProgressError || error instanceof SendInProgressError;
}

/**
 * Runs a send once per timeline message. The claim is the message's own item (a conditional write whose
 * expiry is the invocation's remaining time, as Powertools sets it), and the outcome the caller records frees
 * it: two writes a message, where a separate idempotency record made three. A sent message gives back its
 * stored id; a claim held by a running send is waited on for a moment, then reported in progress; a send that
 * died holds it until it expires.
 */
function onceOnTimeline<R>(
  messages: Pick<MessageLog, 'claim'>,
  target: TimelineMessage,
  send: () => Promise<R>,
  alreadySent: (externalId: string | undefined) => R,
): Promise<R> {
  return whileHeld(async () => {
    const now = Date.now();
    const remaining = remainingOrDefer(`message ${target.messageId}`);
    const claim = await messages.claim(
      target.leadId,
      target.messageId,
      now + remaining,
      now,
      target.laterInChain,
    );
    if (claim.kind === 'claimed') return send();
    if (claim.kind === 'sent') return alreadySent(claim.externalId);
    if (claim.kind === 'unknown')
      throw new SendOutcomeUnknownError(`message ${target.messageId} went out before with no answer`);
    if (claim.kind === 'superseded') throw new SendSupersededError(claim.reachedBy, claim.unrecorded);
    throw new SendInProgressError(`message ${target.messageId} is being sent by another delivery`);
  });
}

/** One message on a channel other than email, with everything needed to send it. */
export type ChannelJob = { key: string; leadId: string; laterInChain?: readonly string[] } & (
  | { channel: 'whatsapp'; message: WhatsAppOutgoing }
  | { channel: 'sms'; message: SmsOutgoing }
  | { channel: 'chat'; message: { url: string; body: Record<string, unknown> } }
);
export type SendChannelOnce = (job: ChannelJob) => Promise<{ id: string }>;

/**
 * Sends a WhatsApp, SMS or chat message once per key, as `createSendOnce` does for mail: a redelivered record
 * gets the first send's id back. The claim is the message's own timeline item (its key is the message id), so
 * a send costs the claim and the outcome the caller records (which frees the claim): no separate record.
 * A send that throws is recorded as failed by the caller, which frees the claim for the next attempt; one
 * that dies mid-send holds it until the invocation's time is up, as a Powertools claim would.
 */
export function createChannelOnce(deps: Pick<NurtureDeps, 'whatsapp' | 'sms' | 'chat' | 'messages'>): {
  sendChannelOnce: SendChannelOnce;
} {
  async function send(job: ChannelJob): Promise<{ id: string }> {
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
  }
  const sendChannelOnce: SendChannelOnce = (job) =>
    onceOnTimeline(
      deps.messages,
      {
        leadId: job.leadId,
        messageId: job.key,
        ...(job.laterInChain ? { laterInChain: job.laterInChain } : {}),
      },
      () => send(job),
      (id) => ({ id: id ?? job.key }),
    );
  return { sendChannelOnce };
}
