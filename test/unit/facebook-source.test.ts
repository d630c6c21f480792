import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { metaIntakeMessage, parseMetaWebhook } from '../../functions/ingest/sources/facebook.ts';
import { applyGraphLead } from '../../functions/scoring/facebook-lead.ts';
import { HttpError } from '../../functions/shared/errors.ts';
import { classifyGraphError } from '../../functions/shared/graph-api.ts';
import { leadIdFor } from '../../functions/shared/ids.ts';
import { GraphLead } from '../../functions/shared/lead.ts';
import { answerChallenge, verifySignature } from '../../functions/shared/meta-signature.ts';
import { testConfig } from '../support/factories.ts';
import { rejection } from '../support/handlers.ts';
import { metaSignature } from '../support/signing.ts';

const fixture = (name: string) => readFileSync(`test/fixtures/facebook/${name}`, 'utf8');
const facebook = testConfig().sources.facebook;
if (!facebook) throw new Error('test config has no facebook source');

describe('the Meta subscription handshake', () => {
  const query = {
    'hub.mode': 'subscribe',
    'hub.verify_token': facebook.verifyToken,
    'hub.challenge': '1158201444',
  };

  it('echoes the challenge when the verify token matches', () => {
    expect(answerChallenge(query, facebook.verifyToken)).toBe('1158201444');
  });

  it.each([
    ['a wrong token', { ...query, 'hub.verify_token': 'guess-guess' }],
    ['another mode', { ...query, 'hub.mode': 'unsubscribe' }],
    ['no challenge', { 'hub.mode': 'subscribe', 'hub.verify_token': facebook.verifyToken }],
  ])('refuses %s with 403', (_, q) => {
    expect(rejection(() => answerChallenge(q, facebook.verifyToken)).status).toBe(403);
  });
});

describe('the Meta webhook signature', () => {
  const body = Buffer.from(fixture('webhook-single.json'));

  it('accepts the HMAC-SHA256 of the exact raw bytes', () => {
    expect(() =>
      verifySignature(body, metaSignature(body, facebook.appSecret), facebook.appSecret),
    ).not.toThrow();
  });

  it('refuses a missing header with 401 missing_signature', () => {
    expect(rejection(() => verifySignature(body, undefined, facebook.appSecret))).toMatchObject({
      status: 401,
      code: 'missing_signature',
    });
  });

  it.each([
    ['another secret', metaSignature(body, 'not-the-app-secret')],
    ['a SHA-1 signature', 'sha1=0123456789abcdef0123456789abcdef01234567'],
    ['garbage', 'sha256=zz'],
  ])('refuses a signature made with %s with 401 invalid_signature', (_, header) => {
    expect(rejection(() => verifySignature(body, header, facebook.appSecret))).toMatchObject({
      status: 401,
      code: 'invalid_signature',
    });
  });

  it('refuses a body changed after signing', () => {
    const signature = metaSignature(body, facebook.appSecret);
    const tampered = Buffer.from(body.toString().replace('233370042045345', '233370042045346'));
    expect(rejection(() => verifySignature(tampered, signature, facebook.appSecret)).code).toBe(
      'invalid_signature',
    );
  });

  it('checks the bytes as sent: Meta signs escaped unicode, which re-serialising would change', () => {
    const escaped = Buffer.from('{"object":"page","entry":[],"note":"\\u0633\\u0627\\u0631\\u0627"}');
    const signature = metaSignature(escaped, facebook.appSecret);
    expect(() => verifySignature(escaped, signature, facebook.appSecret)).not.toThrow();
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(escaped.toString())));
    expect(reserialised.toString()).toContain('سارا');
    expect(rejection(() => verifySignature(reserialised, signature, facebook.appSecret)).code).toBe(
      'invalid_signature',
    );
  });
});

describe('Meta webhook payloads', () => {
  it('keeps ids beyond 2^53 exact, as strings', () => {
    const leads = parseMetaWebhook(fixture('webhook-batched-numeric.json'));
    expect(leads.map((l) => l.leadgenId)).toEqual([
      '55459717045641545',
      '55459717045641547',
      '912345678901234567',
    ]);
    expect(leads[1]).toMatchObject({
      adId: '23849853425890183',
      adgroupId: '23849853425900183',
      pageId: '138124712925158',
    });
  });

  it('yields one lead per leadgen_id across all entries and changes, ignoring other fields', () => {
    const leads = parseMetaWebhook(fixture('webhook-batched-numeric.json'));
    expect(new Set(leads.map((l) => l.leadgenId)).size).toBe(leads.length);
    expect(leads).toHaveLength(3);
  });

  it('drops the ad ids Meta sends as 0 for organic and test leads', () => {
    const [organic] = parseMetaWebhook(fixture('webhook-batched-numeric.json'));
    expect(organic?.adId).toBeUndefined();
    expect(organic?.adgroupId).toBeUndefined();
  });

  it('gives the same lead id to every delivery of one leadgen_id', () => {
    const [change] = parseMetaWebhook(fixture('webhook-single.json'));
    if (!change) throw new Error('no lead');
    const first = metaIntakeMessage(change, facebook, '2026-03-19T16:00:00.000Z');
    const again = metaIntakeMessage(change, facebook, '2026-03-19T16:05:00.000Z');
    expect(first.leadId).toBe(again.leadId);
    expect(first.leadId).toBe(leadIdFor('facebook', '233370042045345'));
    expect(first).toMatchObject({
      source: 'facebook',
      externalId: '233370042045345',
      contact: {},
      meta: { formId: '172036835026334' },
    });
    expect(JSON.parse(first.raw ?? '')).toMatchObject({ object: 'page', entry: [{ id: '138124712925158' }] });
  });

  it('answers 400 for a body that is not JSON or not a Meta payload, naming the problem', () => {
    expect(rejection(() => parseMetaWebhook('{"object":')).code).toBe('malformed_json');
    const missing = rejection(() =>
      parseMetaWebhook(
        '{"object":"page","entry":[{"id":"1","changes":[{"field":"leadgen","value":{"page_id":"1"}}]}]}',
      ),
    );
    expect(missing.code).toBe('invalid_webhook');
    expect(missing.issues?.map((i) => i.path)).toEqual([
      'entry[0].changes[0].value.leadgen_id',
      'entry[0].changes[0].value.form_id',
    ]);
  });
});

describe('Meta leads read from the Graph API', () => {
  const graph = GraphLead.parse(JSON.parse(fixture('graph-lead-persian.json')));
  const [change] = parseMetaWebhook(fixture('webhook-single.json'));
  if (!change) throw new Error('no lead');
  const intake = metaIntakeMessage(change, facebook, '2026-03-19T16:00:05.000Z');

  it('maps standard questions to the contact and keeps custom ones as answers', () => {
    const filled = applyGraphLead(intake, graph);
    expect(filled.contact).toEqual({
      name: 'رضا احمدی',
      email: 'Reza.Ahmadi@Example.com',
      phone: '۰۹۱۲ ۱۲۳ ۴۵۶۷',
      city: 'تهران',
    });
    expect(filled.answers).toEqual({
      'what_is_your_budget?': '500m_1b',
      preferred_districts: 'Niavaran, Zafaraniyeh',
    });
  });

  it('takes ad, ad set and campaign attribution, the platform, and each disclaimer box with its key', () => {
    const filled = applyGraphLead(intake, graph);
    expect(filled.attribution).toMatchObject({
      campaignId: '23849853425910183',
      campaignName: 'RE-Tehran-Q1',
      adsetId: '23849853425900183',
      adId: '23849853425890183',
      adName: 'Tehran apartments - video',
      organic: false,
      platform: 'ig',
    });
    expect(filled.consent).toEqual({
      given: true,
      textVersion: 'meta-form-172036835026334',
      at: '2026-03-19T16:00:00.000Z',
      boxes: [{ key: 'marketing_consent', checked: true }],
    });
    expect(filled.submittedAt).toBe('2026-03-19T16:00:00.000Z');
  });
});

describe('Graph API errors', () => {
  it.each([
    [500, {}, false],
    [400, { error: { code: 17, message: 'User request limit reached' } }, false],
    [400, { error: { code: 80001, message: 'There have been too many calls to this Page account' } }, false],
    [400, { error: { code: 190, message: 'Error validating access token' } }, true],
    [403, { error: { code: 200, message: 'Requires leads_retrieval permission' } }, true],
    [400, { error: { code: 100, message: 'Object with ID does not exist' } }, true],
  ])('HTTP %i %j is permanent: %s', (status, body, permanent) => {
    const error = classifyGraphError(status, body);
    expect(error.permanent).toBe(permanent);
    expect(error.hint).not.toBe('');
  });

  it('tells ops how to fix an expired token', () => {
    expect(classifyGraphError(400, { error: { code: 190 } }).hint).toContain('facebook.pageAccessToken');
  });
});

describe('the Meta and Google parsers under arbitrary input', () => {
  it('answer only 4xx HttpErrors, never crash, for any JSON value', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        try {
          parseMetaWebhook(text);
        } catch (error) {
          expect(error).toBeInstanceOf(HttpError);
          expect((error as HttpError).status).toBe(400);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keep any leadgen_id, however large, exact to the digit', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 2n ** 64n }), (id) => {
        const body = `{"object":"page","entry":[{"id":1,"changes":[{"field":"leadgen","value":{"leadgen_id":${id},"page_id":1,"form_id":2}}]}]}`;
        expect(parseMetaWebhook(body)[0]?.leadgenId).toBe(id.toString());
      }),
    );
  });
});
