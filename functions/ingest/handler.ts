import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Config } from '../shared/config.ts';
import { HttpError } from '../shared/errors.ts';
import type { IntakeMessage } from '../shared/lead.ts';
import type { MessageSender } from '../shared/ports.ts';
import {
  acceptedResponse,
  corsHeaders,
  errorResponse,
  type HttpResponse,
  isOriginAllowed,
  jsonResponse,
  preflightResponse,
} from './core.ts';
import { acceptFormSubmission } from './sources/web-form.ts';

export type IngestDeps = {
  config: Config;
  intakeQueue: MessageSender<IntakeMessage>;
  newId: () => string;
  now: () => Date;
  logger: Logger;
};

function decodeBody(event: APIGatewayProxyEventV2): string {
  if (event.body === undefined) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function bodyBytes(event: APIGatewayProxyEventV2): number {
  if (event.body === undefined) return 0;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').byteLength : Buffer.byteLength(event.body);
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
    const size = bodyBytes(event);
    if (size > form.maxBodyBytes)
      throw new HttpError(
        413,
        'body_too_large',
        `The form body is ${size} bytes; this form accepts at most ${form.maxBodyBytes}.`,
        undefined,
        cors,
      );

    const leadId = deps.newId();
    try {
      const idempotencyKey = event.headers['idempotency-key']?.trim().slice(0, 200);
      const outcome = acceptFormSubmission({
        formId,
        form,
        leadId,
        receivedAt: deps.now().toISOString(),
        contentType: event.headers['content-type'],
        body: decodeBody(event),
        ip: event.requestContext.http.sourceIp,
        userAgent: event.requestContext.http.userAgent,
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

  async function handle(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
    try {
      switch (event.routeKey) {
        case 'POST /v1/forms/{formId}/leads':
        case 'OPTIONS /v1/forms/{formId}/leads':
          return await handleForm(event);
        default:
          throw new HttpError(404, 'unknown_route', `No route for ${event.routeKey}.`);
      }
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error);
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
