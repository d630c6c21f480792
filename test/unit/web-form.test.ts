import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptFormSubmission, type FormSubmission } from '../../functions/ingest/sources/web-form.ts';
import { HttpError } from '../../functions/shared/errors.ts';
import { cleanValue } from '../../functions/shared/text.ts';
import { testConfig } from '../support/factories.ts';
import { rejection } from '../support/handlers.ts';

const config = testConfig();
const fixture = (name: string) => readFileSync(`test/fixtures/web-form/${name}`, 'utf8');

function submit(
  formId: string,
  body: string,
  contentType = 'application/json',
  extra: Partial<FormSubmission> = {},
) {
  const form = config.sources.forms[formId];
  if (!form) throw new Error(`no form ${formId}`);
  return acceptFormSubmission({
    formId,
    form,
    leadId: 'lead-1',
    receivedAt: '2026-03-19T16:00:00.000Z',
    contentType,
    body,
    ip: '203.0.113.9',
    userAgent: 'Mozilla/5.0',
    ...extra,
  });
}

describe('web form submissions', () => {
  it('turns an Arabic JSON post into an intake message, keeping display text and moving UTM to attribution', () => {
    const outcome = submit('demo', fixture('demo-arabic.json'));
    expect(outcome.kind).toBe('accepted');
    if (outcome.kind !== 'accepted') return;
    const { message } = outcome;
    expect(message.contact.name).toBe('سارة الحربي');
    expect(message.contact.email).toBe('Sara.AlHarbi@Example.SA');
    expect(message.contact.phone).toBe('٠٥٠ ١٢٣ ٤٥٦٧');
    expect(message.contact.message).toBe('أرغب في عرض سعر\nللفريق كاملاً');
    expect(message.answers).toEqual({ budget: '15000' });
    expect(message.attribution.utm).toEqual({
      source: 'instagram',
      medium: 'paid-social',
      campaign: 'ramadan-2026',
    });
    expect(message.defaultCountry).toBe('SA');
    expect(message.request).toEqual({ ip: '203.0.113.9', userAgent: 'Mozilla/5.0' });
  });

  it('maps snake_case inputs such as full_name and job_title without configuration', () => {
    const outcome = submit('demo', fixture('demo-persian.json'));
    if (outcome.kind !== 'accepted') throw new Error('not accepted');
    expect(outcome.message.contact).toMatchObject({
      name: 'امید کریمی',
      jobTitle: 'مدیر فروش',
      company: 'پارس‌افزار',
    });
  });

  it('reads an urlencoded HTML form through its field mapping, with page URL and UTM', () => {
    const outcome = submit(
      'contact-us',
      fixture('contact-us.urlencoded.txt'),
      'application/x-www-form-urlencoded',
    );
    if (outcome.kind !== 'accepted') throw new Error('not accepted');
    expect(outcome.mediaType).toBe('urlencoded');
    expect(outcome.message.contact).toMatchObject({ name: 'ليلى حداد', email: 'layla@example.ae' });
    expect(outcome.message.answers).toEqual({ budget: '25000', interest: 'Enterprise plan' });
    expect(outcome.message.attribution).toMatchObject({
      pageUrl: 'https://www.example.com/ar/pricing',
      utm: { source: 'google', medium: 'cpc', campaign: 'uae-q2', term: 'crm software' },
    });
    expect(outcome.message.locale).toBe('ar');
  });

  it('takes the page URL from the Referer header when the form does not post one', () => {
    const outcome = submit('demo', JSON.stringify({ email: 'a@example.com' }), 'application/json', {
      referer: 'https://www.example.com/ar/offer?utm_source=x',
    });
    if (outcome.kind !== 'accepted') throw new Error('not accepted');
    expect(outcome.message.attribution.pageUrl).toBe('https://www.example.com/ar/offer?utm_source=x');
  });

  it('records consent evidence: what was agreed to, when, and from where', () => {
    const outcome = submit(
      'demo',
      'email=a%40example.com&consent=on&consent_text_version=privacy-2026-01',
      'application/x-www-form-urlencoded',
    );
    if (outcome.kind !== 'accepted') throw new Error('not accepted');
    expect(outcome.message.consent).toEqual({
      given: true,
      textVersion: 'privacy-2026-01',
      at: '2026-03-19T16:00:00.000Z',
      ip: '203.0.113.9',
    });
    expect(outcome.message.answers).toEqual({});
  });

  it('keeps a short-window duplicate key only when there is no Idempotency-Key', () => {
    const body = JSON.stringify({ email: 'a@example.com' });
    const plain = submit('demo', body);
    const keyed = submit('demo', body, 'application/json', { idempotencyKey: 'k-2' });
    if (plain.kind !== 'accepted' || keyed.kind !== 'accepted') throw new Error('not accepted');
    expect(plain.message.dedupeKey).toMatch(/^[\w-]{43}$/);
    expect(keyed.message.dedupeKey).toBeUndefined();
  });

  it('drops a submission whose honeypot is filled, without saying so', () => {
    const outcome = submit(
      'demo',
      JSON.stringify({ email: 'bot@example.com', website: 'http://spam.example' }),
    );
    expect(outcome.kind).toBe('honeypot');
  });

  it('keeps the Idempotency-Key as the external id', () => {
    const outcome = submit('demo', JSON.stringify({ email: 'a@example.com' }), 'application/json', {
      idempotencyKey: 'k-1',
    });
    if (outcome.kind !== 'accepted') throw new Error('not accepted');
    expect(outcome.message.externalId).toBe('k-1');
  });

  it('answers 415 for a media type it does not read, naming what it does read', () => {
    const error = rejection(() => submit('demo', '<lead/>', 'text/xml'));
    expect(error.status).toBe(415);
    expect(error.message).toContain('application/json or application/x-www-form-urlencoded, not text/xml');
  });

  it('answers 415 when the Content-Type header is missing', () => {
    const error = rejection(() => submit('demo', '{}', 'application/json', { contentType: undefined }));
    expect(error.status).toBe(415);
    expect(error.message).toContain('missing');
  });

  it('answers 400 malformed_json for a body that is not JSON', () => {
    const error = rejection(() => submit('demo', '{"email": '));
    expect(error).toMatchObject({ status: 400, code: 'malformed_json' });
  });

  it('answers 400 for a JSON array or nested object, naming the field', () => {
    expect(rejection(() => submit('demo', '[1,2]')).code).toBe('invalid_body');
    const nested = rejection(() =>
      submit('demo', JSON.stringify({ email: 'a@example.com', extra: { a: 1 } })),
    );
    expect(nested.issues).toEqual([
      { path: 'extra', message: 'must be a string, number, boolean or a list of strings' },
    ]);
  });

  it('names the posted field when an email is invalid, even through a field mapping', () => {
    const error = rejection(() =>
      submit('contact-us', 'your-name=Layla&your-email=not-an-email', 'application/x-www-form-urlencoded'),
    );
    expect(error.status).toBe(400);
    expect(error.issues).toEqual([{ path: 'your-email', message: 'not a valid email address' }]);
  });

  it('requires an email or a phone by default', () => {
    const error = rejection(() => submit('demo', JSON.stringify({ name: 'Sara' })));
    expect(error.issues).toEqual([{ path: 'email', message: 'give an email address or a phone number' }]);
  });

  it("lists every required field that is missing, under the form's own names", () => {
    const error = rejection(() =>
      submit('contact-us', 'phone=0501234567', 'application/x-www-form-urlencoded'),
    );
    expect(error.issues).toEqual([
      { path: 'your-email', message: 'required' },
      { path: 'your-name', message: 'required' },
    ]);
  });

  it('strips line breaks from one-line fields so no header can be injected later', () => {
    const outcome = submit(
      'demo',
      JSON.stringify({ name: 'Eve\r\nBcc: victim@example.com', email: 'eve@example.com' }),
    );
    if (outcome.kind !== 'accepted') throw new Error('not accepted');
    expect(outcome.message.contact.name).toBe('Eve Bcc: victim@example.com');
  });

  it('keeps HTML as typed (it is escaped where it is shown, not mangled here)', () => {
    const outcome = submit(
      'demo',
      JSON.stringify({ name: '<img src=x onerror=alert(1)>', email: 'x@example.com' }),
    );
    if (outcome.kind !== 'accepted') throw new Error('not accepted');
    expect(outcome.message.contact.name).toBe('<img src=x onerror=alert(1)>');
  });

  it('rejects a form with more than 100 fields', () => {
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`q${i}`, 'x'])));
    expect(rejection(() => submit('demo', body)).code).toBe('too_many_fields');
  });

  it('never fails with anything but a 4xx HttpError, whatever the body', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.constantFrom('application/json', 'application/x-www-form-urlencoded'),
        (body, type) => {
          try {
            submit('demo', body, type);
          } catch (error) {
            expect(error).toBeInstanceOf(HttpError);
            expect((error as HttpError).status).toBeGreaterThanOrEqual(400);
            expect((error as HttpError).status).toBeLessThan(500);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never leaves a line break in a one-line value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        expect(cleanValue(value, false)).not.toMatch(/[\r\n\u2028\u2029]/);
      }),
    );
  });
});
