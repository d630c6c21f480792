import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkGoogleKey,
  googleIntakeMessage,
  parseGoogleWebhook,
  redactGoogleKey,
} from '../../functions/ingest/sources/google.ts';
import { HttpError } from '../../functions/shared/errors.ts';
import { leadIdFor } from '../../functions/shared/ids.ts';
import { testConfig } from '../support/factories.ts';

const fixture = (name: string) => readFileSync(`test/fixtures/google/${name}`, 'utf8');
const google = testConfig().sources.google;
if (!google) throw new Error('test config has no google source');

describe('Google Ads lead form webhooks', () => {
  it('keeps int64 ids exact as strings, even beyond 2^53', () => {
    const webhook = parseGoogleWebhook(fixture('lead-arabic.json'));
    expect(webhook).toMatchObject({
      form_id: '9223372036854775807',
      campaign_id: '18446744073',
      adgroup_id: '9007199254740993',
      creative_id: '712345678901',
    });
  });

  it("maps Google's column ids to the contact and keys other answers by a stable id, with the question kept", () => {
    const text = fixture('lead-arabic.json');
    const message = googleIntakeMessage(parseGoogleWebhook(text), google, '2026-03-19T16:00:01.000Z', text);
    expect(message.contact).toEqual({
      name: 'خالد العتيبي',
      email: 'khalid@company.sa',
      phone: '٠٥٥ ١٢٣ ٤٥٦٧',
      city: 'جدة',
    });
    expect(message.answers).toEqual({ service: 'الاستشارات', question_1: 'أكثر من 50 موظفا' });
    expect(message.answerLabels).toEqual({ service: 'ما الخدمة التي تهمك؟', question_1: 'Question 1' });
    expect(message.submittedAt).toBe('2026-03-19T16:00:00.000Z');
    expect(message).toMatchObject({
      leadId: leadIdFor('google', 'Cj0KCQjw-lead-7f3a9c'),
      source: 'google',
      formId: '9223372036854775807',
      externalId: 'Cj0KCQjw-lead-7f3a9c',
      attribution: { campaignId: '18446744073', gclId: 'Cj0KCQjw-gclid-abc', creativeId: '712345678901' },
      defaultCountry: 'AE',
      test: false,
    });
  });

  it('ignores fields it does not know', () => {
    expect(parseGoogleWebhook(fixture('lead-arabic.json'))).not.toHaveProperty('some_future_field');
  });

  it("flags Google's test leads so they are stored but never routed, unless configured otherwise", () => {
    const text = fixture('test-lead.json');
    const webhook = parseGoogleWebhook(text);
    expect(googleIntakeMessage(webhook, google, '2026-03-19T16:00:01.000Z', text).test).toBe(true);
    expect(
      googleIntakeMessage(webhook, { ...google, testLeads: 'route' }, '2026-03-19T16:00:01.000Z', text).test,
    ).toBe(false);
  });

  it('never keeps the key in the stored raw payload', () => {
    const text = fixture('test-lead.json');
    const message = googleIntakeMessage(parseGoogleWebhook(text), google, '2026-03-19T16:00:01.000Z', text);
    expect(message.raw).not.toContain('local-google-key');
    expect(JSON.parse(message.raw ?? '').google_key).toBe('[redacted]');
    expect(redactGoogleKey('{"google_key" : "a\\"b", "x":1}')).toBe('{"google_key" : "[redacted]", "x":1}');
  });

  it('accepts the default key, and a per-form key for its own form only', () => {
    const perForm = { ...google, forms: { '349080077126': { key: 'form-specific-key' } } };
    const webhook = parseGoogleWebhook(fixture('test-lead.json'));
    expect(() => checkGoogleKey(webhook, google)).not.toThrow();
    expect(() => checkGoogleKey({ ...webhook, google_key: 'form-specific-key' }, perForm)).not.toThrow();
    expect(() => checkGoogleKey(webhook, perForm)).toThrow(HttpError);
  });

  it('refuses a wrong key with 403', () => {
    const webhook = { ...parseGoogleWebhook(fixture('test-lead.json')), google_key: 'guessed-key' };
    try {
      checkGoogleKey(webhook, google);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toMatchObject({ status: 403, code: 'invalid_google_key' });
    }
  });

  it('answers 400 for a body without a lead_id', () => {
    try {
      parseGoogleWebhook('{"user_column_data":[]}');
      throw new Error('accepted');
    } catch (error) {
      expect(error).toMatchObject({ status: 400, code: 'invalid_webhook', issues: [{ path: 'lead_id' }] });
    }
  });
});

describe('the Google parser under arbitrary input', () => {
  it('answers only 400 HttpErrors for any JSON value', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        try {
          parseGoogleWebhook(text);
        } catch (error) {
          expect(error).toBeInstanceOf(HttpError);
          expect((error as HttpError).status).toBe(400);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps any int64 id exact', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (id) => {
        expect(parseGoogleWebhook(`{"lead_id":"x","campaign_id":${id}}`).campaign_id).toBe(id.toString());
      }),
    );
  });
});
