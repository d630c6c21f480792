import type { FormConfig } from '../shared/config.ts';
import { type HttpResponse, jsonResponse } from '../shared/http.ts';
import type { FormOutcome } from './sources/web-form.ts';

/** A browser may post only from the form's allowed origins; a request without Origin is not a browser's. */
export function isOriginAllowed(origin: string | undefined, form: FormConfig): boolean {
  if (origin === undefined) return true;
  return form.allowedOrigins.some((allowed) => allowed === '*' || allowed.replace(/\/$/, '') === origin);
}

export function corsHeaders(origin: string | undefined, form: FormConfig): Record<string, string> {
  if (origin === undefined || !isOriginAllowed(origin, form)) return {};
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

export function preflightResponse(origin: string | undefined, form: FormConfig): HttpResponse {
  if (!isOriginAllowed(origin, form)) return { statusCode: 403, headers: { vary: 'Origin' }, body: '' };
  return {
    statusCode: 204,
    headers: {
      ...corsHeaders(origin, form),
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'content-type, idempotency-key',
      'access-control-max-age': '600',
    },
    body: '',
  };
}

/**
 * The answer to an accepted (or silently dropped) submission. Plain HTML forms with a redirect get 303,
 * so the browser lands on the thank-you page; everything else gets 202 with the tracking id.
 * A honeypot hit gets the same answer as a person, so a bot learns nothing.
 */
export function acceptedResponse(
  outcome: FormOutcome,
  leadId: string,
  form: FormConfig,
  cors: Record<string, string>,
): HttpResponse {
  if (outcome.mediaType === 'urlencoded' && form.redirect !== undefined) {
    return { statusCode: 303, headers: { ...cors, location: form.redirect }, body: '' };
  }
  return jsonResponse(202, { leadId, status: 'accepted' }, cors);
}
