import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Config } from '../shared/config.ts';
import { HttpError } from '../shared/errors.ts';
import { errorResponse, type HttpResponse, jsonResponse } from '../shared/http.ts';
import { leadIdFor } from '../shared/ids.ts';
import type { IntakeMessage } from '../shared/lead.ts';
import { QUEUE_MESSAGE_MAX_BYTES, RAW_KEPT_SECONDS, WEBHOOK_MAX_BYTES } from '../shared/limits.ts';
import { answerChallenge, verifySignature } from '../shared/meta-signature.ts';
import type { LeadRepository, MessageSender } from '../shared/ports.ts';
import { ownValue } from '../shared/records.ts';
import { type MissingSecret, missingFor } from '../shared/secrets.ts';
import { acceptedResponse, corsHeaders, isOriginAllowed, preflightResponse } from './core.ts';
import { metaIntakeMessage, parseMetaWebhook } from './sources/facebook.ts';
import { checkGoogleKey, googleIntakeMessage, parseGoogleWebhook } from './sources/google.ts';
import { acceptFormSubmission } from './sources/web-form.ts';

export type IngestDeps = {
  config: Config;
  intakeQueue: MessageSender<IntakeMessage>;
  /** Idempotency-Key claims, and raw payloads too large to travel on the queue. */
  store: Pick<LeadRepository, 'claimIdempotencyKey' | 'keepRaw'>;
  newId: () => string;
  now: () => Date;
  logger: Logger;
  /** Secrets whose SSM parameter could not be read at cold start: only the source needing one answers 503. */
  missingSecrets?: readonly MissingSecret[];
};

/** Stripe's limit: a key is a UUID or similar, never a document. */
const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
/** How long an Idempotency-Key is remembered: a retry comes within minutes, a day is ample. */
const IDEMPOTENCY_KEY_SECONDS = 24 * 3600;

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('base64url');
}

function rawBody(event: APIGatewayProxyEventV2): Buffer {
  if (event.body === undefined) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** A webhook's raw bytes, refused with 413 past the size no real webhook reaches. */
function webhookBody(event: APIGatewayProxyEventV2): Buffer {
  const body = rawBody(event);
  if (body.byteLength > WEBHOOK_MAX_BYTES)
    throw new HttpError(413, 'body_too_large', `A webhook body may be at most ${WEBHOOK_MAX_BYTES} bytes.`);
  return body;
}

function notConfigured(source: string): HttpError {
  return new HttpError(
    404,
    'source_not_configured',
    `The ${source} source is not configured in this leadpipe.`,
  );
}

export function createIngestHandler(deps: IngestDeps) {
  const { config, logger } = deps;
  const missingSecrets = deps.missingSecrets ?? [];
  for (const secret of missingSecrets)
    logger.error('secret missing', { secret: secret.name, parameter: secret.parameter });

  /** A source whose secret is missing cannot tell a real sender from a forger: it refuses, and says what to create. */
  function requireSecrets(source: 'facebook' | 'google'): void {
    const missing = missingFor(missingSecrets, `${source}.`);
    if (missing.length === 0) return;
    logger.error('secret missing', { source, parameters: missing.map((m) => m.parameter) });
    throw new HttpError(
      503,
      'source_not_ready',
      `The ${source} source is not ready: create the SSM parameter ${missing.map((m) => m.parameter).join(' and ')}, then retry.`,
      undefined,
      { 'retry-after': '300' },
    );
  }

  /**
   * The message as it goes on the queue. A payload too large to travel with the lead is kept in the table first
   * (in parts), so what is acknowledged is stored whole; a lead too large even without it is refused with 413.
   */
  async function fitQueue(message: IntakeMessage): Promise<IntakeMessage> {
    if (Buffer.byteLength(JSON.stringify(message)) <= QUEUE_MESSAGE_MAX_BYTES) return message;
    const { raw, ...lead } = message;
    const withoutRaw: IntakeMessage = { ...lead, rawKept: raw !== undefined };
    if (Buffer.byteLength(JSON.stringify(withoutRaw)) > QUEUE_MESSAGE_MAX_BYTES)
      throw new HttpError(
        413,
        'lead_too_large',
        `This lead is larger than leadpipe can store (${QUEUE_MESSAGE_MAX_BYTES} bytes once its answers are cut to size); send fewer or shorter fields.`,
      );
    if (raw !== undefined) {
      const nowEpoch = Math.floor(deps.now().getTime() / 1000);
      await deps.store.keepRaw(
        message.leadId,
        { source: message.source, payload: raw },
        nowEpoch + RAW_KEPT_SECONDS,
      );
    }
    return withoutRaw;
  }

  async function handleForm(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
    const formId = event.pathParameters?.formId ?? '';
    const form = ownValue(config.sources.forms, formId);
    if (form === undefined)
      throw new HttpError(
        404,
        'unknown_form',
        `There is no form "${formId.slice(0, 100)}" in this leadpipe.`,
      );
    const origin = event.headers.origin;
    if (event.requestContext.http.method === 'OPTIONS') return preflightResponse(origin, form);
    if (!isOriginAllowed(origin, form)) {
      logger.warn('form post from an origin that is not allowed', { formId });
      throw new HttpError(403, 'origin_not_allowed', `This form does not accept posts from ${origin}.`);
    }
    const cors = corsHeaders(origin, form);
    const body = rawBody(event);
    if (body.byteLength > form.maxBodyBytes)
      throw new HttpError(
        413,
        'body_too_large',
        `The form body is ${body.byteLength} bytes; this form accepts at most ${form.maxBodyBytes}.`,
        undefined,
        cors,
      );

    const idempotencyKey = event.headers['idempotency-key']?.trim();
    if (idempotencyKey !== undefined && idempotencyKey.length > IDEMPOTENCY_KEY_MAX_LENGTH)
      throw new HttpError(
        400,
        'idempotency_key_too_long',
        `An Idempotency-Key may be at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters (a UUID is 36).`,
        undefined,
        cors,
      );
    // A retried post with the same Idempotency-Key gets the same lead id, so scoring stores it once. The whole
    // key is hashed: two keys that differ anywhere are two leads.
    const keyHash = idempotencyKey ? sha256(`${formId}\n${idempotencyKey}`) : undefined;
    const leadId = keyHash ? leadIdFor('web-form', keyHash) : deps.newId();
    try {
      const outcome = acceptFormSubmission({
        formId,
        form,
        leadId,
        receivedAt: deps.now().toISOString(),
        contentType: event.headers['content-type'],
        body,
        ip: event.requestContext.http.sourceIp,
        userAgent: event.requestContext.http.userAgent,
        ...(event.headers.referer ? { referer: event.headers.referer } : {}),
        ...(idempotencyKey ? { idempotencyKey } : {}),
      });
      if (outcome.kind === 'honeypot') {
        logger.info('honeypot filled; submission dropped', { formId });
      } else {
        if (keyHash) {
          // Same key, same body: a retry (sent again; scoring keeps one). Same key, another body: another
          // person's lead must not vanish under the first one's id, so it is refused, as Stripe does.
          const nowEpoch = Math.floor(deps.now().getTime() / 1000);
          const claim = await deps.store.claimIdempotencyKey(
            keyHash,
            { bodyHash: sha256(body), leadId },
            nowEpoch,
            nowEpoch + IDEMPOTENCY_KEY_SECONDS,
          );
          if (claim === 'conflict')
            throw new HttpError(
              422,
              'idempotency_key_reused',
              'This Idempotency-Key was used with a different body; use a new key for a new submission.',
            );
        }
        // After the claim: a refused body must not write its payload over the first lead's (same lead id).
        await deps.intakeQueue.send(await fitQueue(outcome.message));
        logger.info('lead accepted', { formId, leadId, source: 'web-form' });
      }
      return acceptedResponse(outcome, leadId, form, cors);
    } catch (error) {
      if (error instanceof HttpError) {
        logger.info('form submission rejected', {
          formId,
          code: error.code,
          issues: error.issues?.length ?? 0,
        });
        throw new HttpError(error.status, error.code, error.message, error.issues, {
          ...cors,
          ...error.headers,
        });
      }
      throw error;
    }
  }

  function handleFacebookVerification(event: APIGatewayProxyEventV2): HttpResponse {
    const facebook = config.sources.facebook;
    if (facebook === undefined) throw notConfigured('facebook');
    requireSecrets('facebook');
    const challenge = answerChallenge(event.queryStringParameters ?? {}, facebook.verifyToken);
    logger.info('facebook subscription verified');
    return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: challenge };
  }

  async function handleFacebookWebhook(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
    const facebook = config.sources.facebook;
    if (facebook === undefined) throw notConfigured('facebook');
    requireSecrets('facebook');
    const body = webhookBody(event);
    // Authenticity first: nothing about a forged request is parsed, logged or queued.
    verifySignature(body, event.headers['x-hub-signature-256'], facebook.appSecret);
    const receivedAt = deps.now().toISOString();
    const messages = parseMetaWebhook(body.toString('utf8')).map((change) =>
      metaIntakeMessage(change, facebook, receivedAt),
    );
    await deps.intakeQueue.sendAll(await Promise.all(messages.map(fitQueue)));
    logger.info('facebook webhook accepted', {
      leads: messages.length,
      leadIds: messages.map((m) => m.leadId),
    });
    return jsonResponse(200, { received: messages.length });
  }

  async function handleGoogleWebhook(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
    const google = config.sources.google;
    if (google === undefined) throw notConfigured('google');
    requireSecrets('google');
    const body = webhookBody(event);
    const text = body.toString('utf8');
    const webhook = parseGoogleWebhook(text);
    checkGoogleKey(webhook, google);
    const message = googleIntakeMessage(webhook, google, deps.now().toISOString(), text);
    await deps.intakeQueue.send(await fitQueue(message));
    logger.info('google webhook accepted', { leadId: message.leadId, test: message.test });
    // Google retries what is not 200; a duplicate lead_id is also 200 (scoring drops it by its id).
    return jsonResponse(200, {});
  }

  async function handle(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
    try {
      switch (event.routeKey) {
        case 'POST /v1/forms/{formId}/leads':
        case 'OPTIONS /v1/forms/{formId}/leads':
          return await handleForm(event);
        case 'GET /v1/webhooks/facebook':
          return handleFacebookVerification(event);
        case 'POST /v1/webhooks/facebook':
          return await handleFacebookWebhook(event);
        case 'POST /v1/webhooks/google':
          return await handleGoogleWebhook(event);
        default:
          throw new HttpError(404, 'unknown_route', `No route for ${event.routeKey}.`);
      }
    } catch (error) {
      if (error instanceof HttpError) {
        if (error.status === 401 || error.status === 403)
          logger.warn('request refused', { routeKey: event.routeKey, code: error.code });
        return errorResponse(error);
      }
      logger.error('ingest failed', { error: error as Error, routeKey: event.routeKey });
      return jsonResponse(500, {
        error: {
          code: 'internal',
          message: 'The lead was not accepted because of a problem on our side; please retry.',
        },
      });
    }
  }

  return middy<APIGatewayProxyEventV2, HttpResponse, Error, Context>(handle).use(injectLambdaContext(logger));
}
