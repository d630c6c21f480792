import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { IntakeMessage } from '../../functions/shared/lead.ts';
import { formPost, httpEvent } from './factories.ts';
import { metaSignature } from './signing.ts';

const APP_SECRET = 'test-app-secret-0123';

const facebookPost = (body: string, headers: Record<string, string>) =>
  httpEvent({
    method: 'POST',
    path: '/v1/webhooks/facebook',
    routeKey: 'POST /v1/webhooks/facebook',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
const signedFacebookPost = (body: string) =>
  facebookPost(body, { 'x-hub-signature-256': metaSignature(body, APP_SECRET) });
const googlePost = (body: string) =>
  httpEvent({
    method: 'POST',
    path: '/v1/webhooks/google',
    routeKey: 'POST /v1/webhooks/google',
    headers: { 'content-type': 'application/json' },
    body,
  });
const metaBody =
  '{"object":"page","entry":[{"id":"1","changes":[{"field":"leadgen","value":{"leadgen_id":"2","page_id":"1","form_id":"3"}}]}]}';

export type BadInput = {
  /** The row's text in docs/bad-inputs.md. */
  input: string;
  event: () => APIGatewayProxyEventV2;
  status: number;
  /** The error code, or what happens to an accepted lead. */
  answer: string;
  /** For accepted inputs: what must hold of the queued message (none queued if absent). */
  queued?: (message: IntakeMessage) => boolean;
};

/** Every bad input tried against ingest; docs/bad-inputs.md lists the same rows and a test checks both agree. */
export const BAD_INPUTS: BadInput[] = [
  {
    input: 'form: malformed JSON',
    event: () => formPost('demo', '{"email":'),
    status: 400,
    answer: 'malformed_json',
  },
  {
    input: 'form: a JSON array instead of an object',
    event: () => formPost('demo', '[1,2]'),
    status: 400,
    answer: 'invalid_body',
  },
  {
    input: 'form: neither email nor phone',
    event: () => formPost('demo', '{"name":"Sara"}'),
    status: 400,
    answer: 'validation_failed',
  },
  {
    input: 'form: invalid email',
    event: () => formPost('demo', '{"email":"sara@"}'),
    status: 400,
    answer: 'validation_failed',
  },
  {
    input: 'form: a required field missing',
    event: () => formPost('contact-us', '{"your-email":"a@example.com"}'),
    status: 400,
    answer: 'validation_failed',
  },
  {
    input: 'form: a nested object as a field',
    event: () => formPost('demo', '{"email":"a@example.com","x":{"y":1}}'),
    status: 400,
    answer: 'validation_failed',
  },
  {
    input: 'form: a name over 300 characters',
    event: () => formPost('demo', JSON.stringify({ email: 'a@example.com', name: 'x'.repeat(301) })),
    status: 400,
    answer: 'validation_failed',
  },
  {
    input: 'form: more than 100 fields',
    event: () =>
      formPost(
        'demo',
        JSON.stringify(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`q${i}`, 'x']))),
      ),
    status: 400,
    answer: 'too_many_fields',
  },
  {
    input: 'form: unknown form id',
    event: () => formPost('no-such-form', '{"email":"a@example.com"}'),
    status: 404,
    answer: 'unknown_form',
  },
  {
    input: 'form: Content-Type text/plain',
    event: () => formPost('demo', 'email=a@example.com', { 'content-type': 'text/plain' }),
    status: 415,
    answer: 'unsupported_media_type',
  },
  {
    input: 'form: Content-Type multipart/form-data',
    event: () => formPost('demo', '--x\r\n', { 'content-type': 'multipart/form-data; boundary=x' }),
    status: 415,
    answer: 'unsupported_media_type',
  },
  {
    input: 'form: no Content-Type',
    event: () => ({ ...formPost('demo', '{"email":"a@example.com"}'), headers: {} }),
    status: 415,
    answer: 'unsupported_media_type',
  },
  {
    input: 'form: body over the form limit (64 KiB)',
    event: () => formPost('demo', JSON.stringify({ email: 'a@example.com', message: 'x'.repeat(70_000) })),
    status: 413,
    answer: 'body_too_large',
  },
  {
    input: 'form: browser post from an origin the form does not allow',
    event: () => formPost('contact-us', '{}', { origin: 'https://evil.example' }),
    status: 403,
    answer: 'origin_not_allowed',
  },
  {
    input: 'form: CR/LF in the name (header injection attempt)',
    event: () =>
      formPost('demo', JSON.stringify({ email: 'eve@example.com', name: 'Eve\r\nBcc: x@example.com' })),
    status: 202,
    answer: 'accepted; line breaks become spaces',
    queued: (m) => m.contact.name === 'Eve Bcc: x@example.com',
  },
  {
    input: 'form: HTML in fields',
    event: () =>
      formPost('demo', JSON.stringify({ email: 'x@example.com', name: '<img src=x onerror=alert(1)>' })),
    status: 202,
    answer: 'accepted as typed; escaped wherever it is shown',
    queued: (m) => m.contact.name === '<img src=x onerror=alert(1)>',
  },
  {
    input: 'form: bidi marks around the email, Arabic-Indic digits in the phone',
    event: () =>
      formPost('demo', JSON.stringify({ email: '\u200fsara@example.com\u200e', phone: '٠٥٠١٢٣٤٥٦٧' })),
    status: 202,
    answer: 'accepted; marks removed, digits kept for normalisation',
    queued: (m) => m.contact.email === 'sara@example.com' && m.contact.phone === '٠٥٠١٢٣٤٥٦٧',
  },
  {
    input: 'form: control characters and zero-width joiners in the name',
    event: () =>
      formPost('demo', JSON.stringify({ email: 'z@example.com', name: 'زهرا\u200cسادات\u0000\u0007' })),
    status: 202,
    answer: 'accepted; control characters dropped, ZWNJ kept',
    queued: (m) => m.contact.name === 'زهرا\u200cسادات',
  },
  {
    input: 'form: honeypot filled',
    event: () => formPost('demo', '{"email":"bot@example.com","website":"http://spam.example"}'),
    status: 202,
    answer: 'same answer as a person; nothing queued',
  },
  {
    input: 'form: an id that is a name of Object.prototype (`__proto__`, `constructor`)',
    event: () => formPost('__proto__', '{"email":"a@example.com"}'),
    status: 404,
    answer: 'unknown_form',
  },
  {
    input: 'form: an Idempotency-Key over 255 characters',
    event: () => formPost('demo', '{"email":"a@example.com"}', { 'idempotency-key': 'k'.repeat(256) }),
    status: 400,
    answer: 'idempotency_key_too_long',
  },
  {
    input: 'form: a charset leadpipe cannot decode',
    event: () =>
      formPost('demo', 'email=a%40example.com', {
        'content-type': 'application/x-www-form-urlencoded; charset=x-unknown',
      }),
    status: 415,
    answer: 'unsupported_charset',
  },
  {
    input: 'form: windows-1256 (old Arabic sites), declared in the Content-Type',
    event: () =>
      formPost('demo', 'name=%D3%C7%D1%C9&email=a%40example.com', {
        'content-type': 'application/x-www-form-urlencoded; charset=windows-1256',
      }),
    status: 202,
    answer: 'accepted; decoded from the declared charset',
    queued: (m) => m.contact.name === 'سارة',
  },
  {
    input: 'form: emoji and other characters beyond the BMP',
    event: () => formPost('demo', JSON.stringify({ email: 'a@example.com', name: 'Sara 😀 👋🏽 𝒜' })),
    status: 202,
    answer: 'accepted; stored and mailed unchanged',
    queued: (m) => m.contact.name === 'Sara 😀 👋🏽 𝒜',
  },
  {
    input: 'form: fields named `constructor`, `toString`, `__proto__`',
    event: () =>
      formPost('demo', '{"email":"a@example.com","constructor":"a","toString":"b","__proto__":"c"}'),
    status: 202,
    answer: 'accepted; kept as answers (`__proto__` as `_proto_`)',
    queued: (m) =>
      Object.hasOwn(m.answers, 'constructor') &&
      JSON.stringify(m.answers).includes('"constructor":"a","toString":"b","_proto_":"c"'),
  },
  {
    input: 'Meta verification with a wrong verify token',
    event: () => ({
      ...httpEvent({ method: 'GET', path: '/v1/webhooks/facebook', routeKey: 'GET /v1/webhooks/facebook' }),
      queryStringParameters: { 'hub.mode': 'subscribe', 'hub.verify_token': 'wrong', 'hub.challenge': '1' },
    }),
    status: 403,
    answer: 'verification_failed',
  },
  {
    input: 'Meta webhook without X-Hub-Signature-256',
    event: () => facebookPost(metaBody, {}),
    status: 401,
    answer: 'missing_signature',
  },
  {
    input: 'Meta webhook with a forged signature',
    event: () => facebookPost(metaBody, { 'x-hub-signature-256': metaSignature(metaBody, 'not-the-secret') }),
    status: 401,
    answer: 'invalid_signature',
  },
  {
    input: 'Meta webhook, signed, not JSON',
    event: () => signedFacebookPost('{"object":'),
    status: 400,
    answer: 'malformed_json',
  },
  {
    input: 'Meta webhook, signed, a leadgen change without ids',
    event: () =>
      signedFacebookPost('{"object":"page","entry":[{"id":"1","changes":[{"field":"leadgen","value":{}}]}]}'),
    status: 400,
    answer: 'invalid_webhook',
  },
  {
    input: 'Meta webhook body over 1 MiB',
    event: () => signedFacebookPost(`{"object":"page","entry":[],"pad":"${'x'.repeat(1_100_000)}"}`),
    status: 413,
    answer: 'body_too_large',
  },
  {
    input: 'Google webhook with a wrong google_key',
    event: () => googlePost('{"lead_id":"L1","google_key":"guessed","user_column_data":[]}'),
    status: 403,
    answer: 'invalid_google_key',
  },
  {
    input: 'Google webhook without lead_id',
    event: () => googlePost('{"google_key":"local-google-key"}'),
    status: 400,
    answer: 'invalid_webhook',
  },
  {
    input: 'Google webhook with an answer over 5,000 characters',
    event: () =>
      googlePost(
        JSON.stringify({
          lead_id: 'L-long',
          google_key: 'local-google-key',
          user_column_data: [
            { column_id: 'EMAIL', string_value: 'long@example.com' },
            { column_id: 'notes', column_name: 'Anything else?', string_value: 'ن'.repeat(6000) },
          ],
        }),
      ),
    status: 200,
    answer: 'accepted; the answer is cut to 5,000 characters, ending in …',
    queued: (m) => [...(m.answers.notes ?? '')].length === 5000 && (m.answers.notes ?? '').endsWith('…'),
  },
  {
    input: 'Google webhook, not JSON',
    event: () => googlePost('lead_id=1'),
    status: 400,
    answer: 'malformed_json',
  },
];
