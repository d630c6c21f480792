import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { metaIntakeMessage, parseMetaWebhook } from '../../functions/ingest/sources/facebook.ts';
import { googleIntakeMessage, parseGoogleWebhook } from '../../functions/ingest/sources/google.ts';
import { buildLead, mergeTouch } from '../../functions/scoring/core.ts';
import { applyGraphLead, isMetaTestLead } from '../../functions/scoring/facebook-lead.ts';
import { answerKey, isoTime } from '../../functions/shared/answers.ts';
import { parseConfig } from '../../functions/shared/config-text.ts';
import { GraphLead } from '../../functions/shared/lead.ts';
import { ANSWER_MAX_CHARS, cutAnswer, cutToBytes, fitAnswers } from '../../functions/shared/limits.ts';
import { normalisePhone } from '../../functions/shared/normalise.ts';
import { intakeMessage, testConfig } from '../support/factories.ts';

// Material from the platforms' documentation and their test tools (test/fixtures/SOURCES.md), and sizes
// around every limit.

const config = testConfig();
const facebook = config.sources.facebook;
const google = config.sources.google;
if (!facebook || !google) throw new Error('test config lacks a platform source');
const fixture = (path: string) => readFileSync(`test/fixtures/${path}`, 'utf8');
const now = new Date('2026-03-19T16:00:05.000Z');

describe("Meta's App Dashboard Test button", () => {
  it('parses, with adgroup_id read as the legacy name of the ad, never as the ad set', () => {
    const [change] = parseMetaWebhook(fixture('facebook/dashboard-test-button.json'));
    if (!change) throw new Error('no lead');
    const intake = metaIntakeMessage(change, facebook, now.toISOString());
    expect(intake.externalId).toBe('444444444444');
    expect(intake.attribution.adId).toBe('444444444');
    expect(intake.attribution.adsetId).toBeUndefined();
    expect(intake.submittedAt).toBe('2026-03-19T14:40:00.000Z');
  });

  it('takes adgroup_id as the ad when ad_id is absent', () => {
    const body = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: '1',
          changes: [{ field: 'leadgen', value: { leadgen_id: 5, page_id: 1, form_id: 2, adgroup_id: 777 } }],
        },
      ],
    });
    const [change] = parseMetaWebhook(body);
    expect(change?.adId).toBe('777');
  });
});

describe("Meta's Lead Ads Testing Tool lead", () => {
  const graph = GraphLead.parse(JSON.parse(fixture('facebook/graph-lead-testing-tool.json')));

  it('is a test lead: never routed, mailed or counted', () => {
    expect(isMetaTestLead(graph)).toBe(true);
    const [change] = parseMetaWebhook(fixture('facebook/webhook-single.json'));
    if (!change) throw new Error('no lead');
    const filled = applyGraphLead(metaIntakeMessage(change, facebook, now.toISOString()), graph);
    expect(filled.test).toBe(true);
    expect(buildLead(filled, config, now).test).toBe(true);
  });

  it('keeps each disclaimer box with its key: consent is given by the box that was ticked', () => {
    const [change] = parseMetaWebhook(fixture('facebook/webhook-single.json'));
    if (!change) throw new Error('no lead');
    const filled = applyGraphLead(metaIntakeMessage(change, facebook, now.toISOString()), graph);
    expect(filled.consent).toMatchObject({
      given: true,
      boxes: [
        { key: 'marketing_consent', checked: true },
        { key: 'terms', checked: false },
      ],
    });
    expect(filled.attribution).toMatchObject({ organic: true, platform: 'fb' });
  });

  it('does not flag a real lead', () => {
    const real = GraphLead.parse(JSON.parse(fixture('facebook/graph-lead-persian.json')));
    expect(isMetaTestLead(real)).toBe(false);
  });
});

describe('a Google Performance Max lead', () => {
  const text = fixture('google/lead-performance-max.json');
  const message = googleIntakeMessage(parseGoogleWebhook(text), google, now.toISOString(), text);

  it('keeps the submission time, the asset group, and the custom question under a key a rule can name', () => {
    expect(message.submittedAt).toBe('2024-09-26T12:30:00.000Z');
    expect(message.attribution.assetGroupId).toBe('6412345678');
    expect(message.answers.budget).toBe('25000');
    expect(message.answerLabels?.budget).toBe('What is your budget?');
  });

  it('scores the custom question (answers.budget) like a web-form field', () => {
    const lead = buildLead(message, config, now);
    expect(lead.score.breakdown.map((b) => b.ruleId)).toContain('big-budget');
  });

  it("is scored by the demo config's big-budget rule, which names the question by its key", () => {
    const demo = parseConfig(readFileSync('leadpipe.config.yaml', 'utf8'));
    const demoGoogle = demo.sources.google;
    if (!demoGoogle) throw new Error('the demo config has no Google source');
    const fromDemo = googleIntakeMessage(parseGoogleWebhook(text), demoGoogle, now.toISOString(), text);
    expect(buildLead(fromDemo, demo, now).score.breakdown.map((b) => b.ruleId)).toContain('big-budget');
  });

  it('keeps an invalid email as typed, but never as an address or an identity key', () => {
    const lead = buildLead(message, config, now);
    expect(lead.contact.email).toBe('maryam at example dot com');
    expect(lead.emailValid).toBe(false);
    expect(lead.keys.email).toBeUndefined();
  });

  it('reads a phone typed with its country code and no +', () => {
    expect(buildLead(message, config, now).phoneE164).toBe('+16505550123');
  });
});

describe('phones with a country code but no +', () => {
  it.each([
    ['1-650-555-0123', '+16505550123'],
    ['971501234567', '+971501234567'],
    ['00971501234567', '+971501234567'],
    ['0098 912 123 4567', '+989121234567'],
    ['٠٠٩٧١٥٠١٢٣٤٥٦٧', '+971501234567'],
  ])('%s is %s even where the form says Saudi Arabia', (typed, e164) => {
    expect(normalisePhone(typed, ['SA'])?.e164).toBe(e164);
  });

  it('still reads a national number in the form country first', () => {
    expect(normalisePhone('0501234567', ['SA'])?.e164).toBe('+966501234567');
  });
});

describe('consent on a returning person', () => {
  it('is not taken back by a later touch without the box', () => {
    const first = buildLead(
      intakeMessage({ consent: { given: true, at: '2026-03-01T10:00:00.000Z', textVersion: 'v1' } }),
      config,
      now,
    );
    const later = buildLead(intakeMessage({ consent: { given: false, at: now.toISOString() } }), config, now);
    expect(mergeTouch(first, later, ['email'], config, now).consent).toMatchObject({
      given: true,
      textVersion: 'v1',
    });
  });
});

describe('answers around the size limits', () => {
  it('cuts an answer to the documented length without splitting a character', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: ANSWER_MAX_CHARS - 2, maxLength: ANSWER_MAX_CHARS + 2 }),
        (text) => {
          const cut = cutAnswer(text);
          expect([...cut].length).toBeLessThanOrEqual(ANSWER_MAX_CHARS);
          expect(cut.isWellFormed()).toBe(true);
          if ([...text].length <= ANSWER_MAX_CHARS) expect(cut).toBe(text);
          else expect(cut.endsWith('…')).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('fits any set of answers into the budget, keeping every key and every short answer whole', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 20 }),
          fc.string({ unit: 'binary', maxLength: 3000 }),
          {
            maxKeys: 40,
          },
        ),
        fc.integer({ min: 2_000, max: 40_000 }),
        (answers, budget) => {
          const fitted = fitAnswers(answers, budget);
          const size = Object.entries(fitted).reduce(
            (s, [k, v]) => s + Buffer.byteLength(k) + Buffer.byteLength(v),
            0,
          );
          expect(Object.keys(fitted)).toEqual(Object.keys(answers));
          const total = Object.entries(answers).reduce(
            (s, [k, v]) => s + Buffer.byteLength(k) + Buffer.byteLength(v),
            0,
          );
          if (total <= budget) expect(fitted).toEqual(answers);
          else expect(size).toBeLessThanOrEqual(budget + Object.keys(answers).length * 3);
          for (const value of Object.values(fitted)) expect(value.isWellFormed()).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('cuts bytes on character boundaries', () => {
    expect(cutToBytes('😀😀', 5)).toBe('😀');
    expect(cutToBytes('سارة', 3)).toBe('س');
  });
});

describe('platform keys and times', () => {
  it.each([
    ['QUESTION_1', 'question_1'],
    ['What is your budget?', 'what_is_your_budget'],
    ['ما الخدمة؟', 'ما_الخدمة'],
    ['__proto__', 'proto'],
    ['???', 'answer'],
  ])('%s is keyed %s', (id, key) => {
    expect(answerKey(id)).toBe(key);
  });

  it.each([
    [1773931200, '2026-03-19T14:40:00.000Z'],
    ['2026-03-19T16:00:00+0000', '2026-03-19T16:00:00.000Z'],
    ['2024-09-26T12:30:00Z', '2024-09-26T12:30:00.000Z'],
    ['not a time', undefined],
  ])('%s is %s', (value, iso) => {
    expect(isoTime(value)).toBe(iso);
  });
});
