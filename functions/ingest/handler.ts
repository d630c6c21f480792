import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Config } from '../shared/config.ts';
import { HttpError } from '../shared/errors.ts';
import { errorResponse, type HttpResponse, jsonResponse } from '../shared/http.ts';
import { leadIdFor } from '../shared/ids.ts';
import type { IntakeMessage } from '../shared/lead.ts';
import type { MessageSender } from '../shared/ports.ts';
import { acceptedResponse, corsHeaders, isOriginAllowed, preflightResponse } from './core.ts';
import { answerChallenge, metaIntakeMessage, parseMetaWebhook, verifySignature } from './sources/facebook.ts';
import { checkGoogleKey, googleIntakeMessage, parseGoogleWebhook } from './sources/google.ts';
import { acceptFormSubmission } from './sources/web-form.ts';

export type IngestDeps = {
  config: Config;
  intakeQueue: MessageSender<IntakeMessage>;
  newId: () => string;
  now: () => Date;
  logger: Logger;
};

/** Meta batches up to 1,000 leads in one POST; a webhook body larger than this is not a real one. */
const MAX_WEBHOOK_BYTES = 1_048_576;

function rawBody(event: APIGatewayProxyEventV2): Buffer {
  if (event.body === undefined) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** A webhook's raw bytes, refused with 413 past the size no real webhook reaches. */
function webhookBody(event: APIGatewayProxyEventV2): Buffer {
  const body = rawBody(event);
  if (body.byteLength > MAX_WEBHOOK_BYTES)
    throw new HttpError(413, 'body_too_large', `A webhook body may be at most ${MAX_WEBHOOK_BYTES} bytes.`);
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

  async function handleForm(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
    const formId = event.pathParameters?.formId ?? '';
    const form = config.sources.forms[formId];
    if (form === undefined)
      throw new HttpError(404, 'unknown_form', `There is no form "${formId}" in this leadpipe.`);
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

    const idempotencyKey = event.headers['idempotency-key']?.trim().slice(0, 200);
    // A retried post with the same Idempotency-Key gets the same lead id, so scoring stores it once.
    const leadId = idempotencyKey ? leadIdFor('web-form', `${formId}:${idempotencyKey}`) : deps.newId();
    try {
      const outcome = acceptFormSubmission({
        formId,
        form,
        leadId,
        receivedAt: deps.now().toISOString(),
        contentType: event.headers['content-type'],
        body: body.toString('utf8'),
        ip: event.requestContext.http.sourceIp,
        userAgent: event.requestContext.http.userAgent,
        ...(event.headers.referer ? { referer: event.headers.referer } : {}),
        ...(idempotencyKey ? { idempotencyKey } : {}),
      });
      if (outcome.kind === 'honeypot') {
        logger.info('honeypot filled; submission dropped', { formId });
      } else {
        await deps.intakeQueue.send(outcome.message);
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
    const challenge = answerChallenge(event.queryStringParameters ?? {}, facebook.verifyToken);
    logger.info('facebook subscription verified');
    return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: challenge };
  }

  async function handleFacebookWebhook(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
    const facebook = config.sources.facebook;
    if (facebook === undefined) throw notConfigured('facebook');
    const body = webhookBody(event);
    // Authenticity first: nothing about a forged request is parsed, logged or queued.
    verifySignature(body, event.headers['x-hub-signature-256'], facebook.appSecret);
    const receivedAt = deps.now().toISOString();
    const messages = parseMetaWebhook(body.toString('utf8')).map((change) =>
      metaIntakeMessage(change, facebook, receivedAt),
    );
    await deps.intakeQueue.sendAll(messages);
    logger.info('facebook webhook accepted', {
      leads: messages.length,
      leadIds: messages.map((m) => m.leadId),
    });
    return jsonResponse(200, { received: messages.length });
  }

  async function handleGoogleWebhook(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
    const google = config.sources.google;
    if (google === undefined) throw notConfigured('google');
    const body = webhookBody(event);
    const text = body.toString('utf8');
    const webhook = parseGoogleWebhook(text);
    checkGoogleKey(webhook, google);
    const message = googleIntakeMessage(webhook, google, deps.now().toISOString(), text);
    await deps.intakeQueue.send(message);
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
